package io.batpak.bench.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rocksdb peer on its own: what it acknowledges it holds (count and checksum, before and after
 * a reopen), point and stream reads find every event, and the expected-version check refuses what
 * the SQL peers' unique key refuses, atomically for a batch.
 */
class RocksSystemTest {
  private static final long SEED = 20261204L;
  private static Payloads payloads;

  private final RocksSystem rocks = new RocksSystem();

  @BeforeAll
  static void pool() {
    payloads = Payloads.create(256, SEED);
  }

  @AfterEach
  void close() {
    rocks.close();
  }

  @Test
  void holdsExactlyWhatItAcknowledgedAndReadsItBack(@TempDir Path dir) throws Exception {
    SplittableRandom r = new SplittableRandom(SEED);
    EventGenerator g = new EventGenerator(payloads, SEED, 0, 1);
    rocks.open(dir);
    long count = 0;
    long sum = 0;
    Map<String, Integer> perStream = new HashMap<>();
    List<Object> keys = new ArrayList<>();
    while (count < 2_000) {
      List<EventToAppend> batch = new ArrayList<>();
      int size = r.nextInt(4) == 0 ? 1 + r.nextInt(300) : 1;
      for (int i = 0; i < size; i++) {
        batch.add(g.next());
      }
      if (size == 1) {
        keys.add(rocks.append(batch.get(0)));
      } else {
        keys.addAll(rocks.appendBatch(batch));
      }
      for (EventToAppend e : batch) {
        count++;
        sum += e.contribution();
        perStream.merge(e.stream(), 1, Integer::sum);
      }
    }
    EventChecksum sent = new EventChecksum(count, sum);
    String seed = "seed " + SEED;
    assertEquals(sent, rocks.scan(), seed);
    assertEquals(count, keys.size(), seed);
    for (Object k : keys) {
      assertEquals(256, rocks.readPoint(k), seed);
    }
    for (Map.Entry<String, Integer> e : perStream.entrySet()) {
      assertEquals(e.getValue(), rocks.readStream(e.getKey()), e.getKey() + ", " + seed);
    }
    assertEquals(0, rocks.readStream("order-999999"), seed);
    assertTrue(rocks.counters().get("syncs") > 0, () -> "WAL fsyncs: " + rocks.counters());
    rocks.close();
    assertEquals(count, rocks.openAndCount(dir), seed);
    assertEquals(sent, rocks.scan(), seed);
  }

  @Test
  void refusesAnAppendAtATakenOrMissingVersionAndABatchAllOrNothing(@TempDir Path dir)
      throws Exception {
    rocks.open(dir);
    rocks.append(event(7, 0));
    rocks.appendBatch(List.of(event(7, 1), event(8, 0), event(7, 2)));
    EventChecksum before = rocks.scan();
    assertEquals(4, before.count());

    IllegalStateException taken =
        assertThrows(IllegalStateException.class, () -> rocks.append(event(7, 2)));
    assertTrue(taken.getMessage().contains("'order-000007'"), taken.getMessage());
    assertTrue(taken.getMessage().contains("a later sequence exists"), taken.getMessage());
    IllegalStateException gap =
        assertThrows(IllegalStateException.class, () -> rocks.append(event(7, 4)));
    assertTrue(gap.getMessage().contains("it is missing"), gap.getMessage());
    assertThrows(IllegalStateException.class, () -> rocks.append(event(8, 0)));

    // A batch whose last event conflicts stores none of its events.
    assertThrows(
        IllegalStateException.class,
        () -> rocks.appendBatch(List.of(event(9, 0), event(7, 3), event(8, 0))));
    IllegalStateException skip =
        assertThrows(
            IllegalStateException.class,
            () -> rocks.appendBatch(List.of(event(9, 0), event(9, 2))));
    assertTrue(skip.getMessage().contains("must be consecutive"), skip.getMessage());
    assertEquals(before, rocks.scan());
    assertEquals(0, rocks.readStream("order-000009"));

    rocks.append(event(7, 3));
    assertEquals(4, rocks.readStream("order-000007"));
  }

  @Test
  void aStreamsKeysAreAdjacentAndInSequenceOrder() {
    byte[] a1 = RocksSystem.eventKey("order-1", 1);
    byte[] a2 = RocksSystem.eventKey("order-1", 2);
    byte[] a256 = RocksSystem.eventKey("order-1", 256);
    byte[] aMax = RocksSystem.eventKey("order-1", Long.MAX_VALUE);
    byte[] b0 = RocksSystem.eventKey("order-12", 0);
    assertTrue(Arrays.compareUnsigned(a1, a2) < 0);
    assertTrue(Arrays.compareUnsigned(a2, a256) < 0);
    assertTrue(Arrays.compareUnsigned(a256, aMax) < 0);
    // The length prefix keeps "order-12" out of "order-1"'s range: a stream read of "order-1"
    // seeks to its prefix and stops at the first key without it.
    byte[] prefix = Arrays.copyOf(a1, a1.length - 8);
    assertFalse(Arrays.equals(b0, 0, prefix.length, prefix, 0, prefix.length));
    assertTrue(Arrays.compareUnsigned(aMax, b0) < 0);
  }

  private static EventToAppend event(int entity, long version) {
    return new EventToAppend(payloads, entity, version, entity, entity * 1_000L + version, version);
  }
}
