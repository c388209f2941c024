package io.batpak.engine.internal.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.internal.format.EventRecord;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The in-memory index: rows, id lookup, streams, publication and growth under readers. */
class IndexTest {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());

  static long idHi(int row) {
    return 0x5EED_0000_0000_0000L ^ (row * 0x9E3779B97F4A7C15L);
  }

  static long idLo(int row) {
    return ~row * 31L;
  }

  static String entity(int row) {
    return "e" + (row % 37);
  }

  static byte[] hash(int row) {
    byte[] h = new byte[32];
    h[0] = (byte) row;
    h[1] = (byte) (row >>> 8);
    h[2] = (byte) (row >>> 16);
    return h;
  }

  static EventRecord record(int row, long streamSeq) {
    return new EventRecord(
        idHi(row),
        idLo(row),
        0,
        0,
        false,
        0,
        0,
        entity(row),
        "scope" + (row % 3),
        0x1000 + row % 7,
        streamSeq,
        row,
        0,
        0,
        0,
        new String[0],
        new byte[0][],
        new byte[32],
        new byte[32],
        hash(row),
        new byte[0]);
  }

  /** Adds rows {@code [from, to)} tracking per-stream sequences. */
  static void addRows(Index index, Map<String, Long> next, int from, int to) {
    for (int row = from; row < to; row++) {
      long seq = next.merge(entity(row), 1L, Long::sum) - 1;
      index.add(record(row, seq), 1 + row / 1000, 64L + row * 10L, 10, 24);
    }
  }

  @Test
  void rowsAreFoundOnlyOncePublished() {
    Index index = new Index();
    Map<String, Long> next = new HashMap<>();
    int n = 5000;
    addRows(index, next, 0, n);
    assertEquals(n, index.size());
    assertEquals(0, index.visible());
    assertEquals(-1, index.find(idHi(10), idLo(10)), "not visible before publish");
    assertEquals(10, index.findAdded(idHi(10), idLo(10)), "the committer sees added rows");
    index.publish();
    assertEquals(n, index.visible());
    for (int row = 0; row < n; row++) {
      assertEquals(row, index.find(idHi(row), idLo(row)));
    }
    assertEquals(-1, index.find(1, 2));
    assertEquals(-1, index.find(idHi(3), idLo(4)));
    Index.View v = index.view();
    assertEquals(n, v.size());
    for (int row = 0; row < n; row++) {
      assertEquals(idHi(row), v.idHi(row));
      assertEquals(idLo(row), v.idLo(row));
      assertEquals(1 + row / 1000, v.segment(row));
      assertEquals(64L + row * 10L, v.frameOffset(row));
      assertEquals(entity(row), index.streamName(v.stream(row)));
      assertEquals("scope" + (row % 3), index.scopeName(v.scope(row)));
      assertEquals(0x1000 + row % 7, v.kind(row));
    }
    assertEquals(37, index.streams().size());
    for (int s = 0; s < 37; s++) {
      StreamState st = index.stream("e" + s);
      int count = st.count();
      assertEquals(next.get("e" + s), (long) count);
      assertEquals(count, st.nextSequence());
      int[] rows = st.rows();
      for (int i = 0; i < count; i++) {
        assertEquals(s, rows[i] % 37);
        assertEquals(i, v.streamSequence(rows[i]));
      }
      assertArrayEquals(hash(rows[count - 1]), st.headHash());
    }
    assertNull(index.stream("nope"));
  }

  @Test
  void readersNeverSeeATornRowWhileTheIndexGrows() throws Exception {
    Index index = new Index();
    int n = 60_000;
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<Long>> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      long seed = SEED + t;
      readers.add(
          pool.submit(
              () -> {
                Random r = new Random(seed);
                long checks = 0;
                boolean last = false;
                while (!last) {
                  last = done.get();
                  Index.View v = index.view();
                  if (v.size() == 0) {
                    continue;
                  }
                  for (int i = 0; i < 50; i++) {
                    int row = r.nextInt(v.size());
                    assertEquals(idHi(row), v.idHi(row), "row " + row + " seed " + SEED);
                    assertEquals(idLo(row), v.idLo(row));
                    assertEquals(entity(row), index.streamName(v.stream(row)));
                    int found = index.find(idHi(row), idLo(row));
                    assertEquals(row, found, "find row " + row + " seed " + SEED);
                    checks++;
                  }
                  StreamState s = index.stream(entity(r.nextInt(v.size())));
                  int count = s.count();
                  int[] rows = s.rows();
                  assertTrue(rows.length >= count);
                  for (int i = 0; i < count; i++) {
                    assertEquals(s.entity(), entity(rows[i]));
                  }
                }
                return checks;
              }));
    }
    Map<String, Long> next = new HashMap<>();
    for (int row = 0; row < n; row += 7) {
      addRows(index, next, row, Math.min(n, row + 7));
      index.publish();
    }
    done.set(true);
    long checks = 0;
    for (Future<Long> f : readers) {
      checks += f.get();
    }
    pool.shutdown();
    assertTrue(checks > 0);
    assertEquals(n, index.visible());
  }

  @Test
  void trimmingAfterALoadGivesBackWhatDoublingLeftAndKeepsEveryRow() {
    Index index = new Index();
    Map<String, Long> next = new HashMap<>();
    int n = 5_000; // the columns double to 8192 rows on the way
    addRows(index, next, 0, n);
    index.publish();
    assertEquals(8192, index.columnsForImage().capacity());
    index.trimAfterLoad();
    int capacity = index.columnsForImage().capacity();
    assertTrue(capacity >= n && capacity <= n + n / 4, "capacity " + capacity + " for " + n);
    for (StreamState s : index.streams()) {
      assertTrue(
          s.rows().length <= Math.max(4, s.count() + s.count() / 4),
          s.entity() + ": " + s.rows().length + " slots for " + s.count());
    }
    Index.View v = index.view();
    for (int row = 0; row < n; row++) {
      assertEquals(row, index.find(idHi(row), idLo(row)), "row " + row);
      assertEquals(idLo(row), v.idLo(row));
    }
    // Appends after the trim grow the trimmed arrays again.
    addRows(index, next, n, 2 * n);
    index.publish();
    for (int row = 0; row < 2 * n; row++) {
      assertEquals(row, index.find(idHi(row), idLo(row)), "row " + row);
    }
    StreamState first = index.stream(entity(0));
    assertEquals(next.get(entity(0)).longValue(), first.count());
  }
}
