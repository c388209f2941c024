package io.batpak.it.concurrency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.IdempotencyKey;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.SimSeed;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compaction under load on the real {@code posix} backend: {@link #APPENDERS} threads append (a
 * third of them keyed), {@link #READERS} threads read, for a seeded duration, while a compactor
 * thread runs merge, retain, merge, retain one after the other. The model is every acknowledged
 * append (receipt, stream, payload bytes). Readers check each event they read against it: by id
 * ({@code get}: payload bytes, event hash, sequences), by receipt ({@code verifyReceipt}), and by
 * range ({@code queryAfter}, {@code stream}: global order strictly increasing, every header of an
 * acknowledged event equal to its receipt). The only answer allowed to differ from the model is
 * that an event of a {@code temp-} stream is compacted away, and only once a retain has begun. No
 * read may fail. At the end, and again after a reopen, every receipt verifies ({@code Valid} with
 * its payload, or {@code CompactedAway} for a {@code temp-} event), the visible events are exactly
 * the acknowledged ones not dropped, in order, and {@code verifyAll} finds nothing.
 *
 * <p>{@code -Dbatpak.test.seed=N} replays a seed (the threads race for real, so a replay repeats
 * the choices, not the schedule); {@code -Dbatpak.load.millis=N} sets the duration (default 3000).
 */
class CompactionUnderLoadIT {
  static final long DEFAULT_SEED = 0xC0A1_10ADL;
  static final int APPENDERS = 8;
  static final int READERS = 8;
  static final EventKind KIND = EventKind.custom(0xC, 0x1C2);

  @TempDir Path tmp;

  /** One acknowledged append. */
  record Acked(AppendReceipt receipt, String entity, byte[] payload, IdempotencyKey key) {
    boolean droppable() {
      return entity.startsWith("temp-");
    }
  }

  /** Acknowledged appends by global sequence. */
  private final Map<Long, Acked> model = new ConcurrentHashMap<>();

  private final AtomicLong maxAcked = new AtomicLong(-1);
  private final AtomicBoolean retainBegun = new AtomicBoolean();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());
  private final AtomicLong reads = new AtomicLong();
  private final AtomicLong readsDuringCompaction = new AtomicLong();
  private final AtomicLong compactedSeen = new AtomicLong();
  private final AtomicBoolean compacting = new AtomicBoolean();

  private StoreConfig config(Path dir) {
    return StoreConfig.builder(dir).fsBackend("posix").segmentMaxBytes(32 * 1024).build();
  }

  private void fail(String what) {
    if (failures.size() < 50) {
      failures.add(what);
    }
  }

  private void append(Store s, SplittableRandom rnd, String who) {
    String entity = (rnd.nextInt(3) == 0 ? "temp-" : "order-") + rnd.nextInt(16);
    byte[] payload = new byte[16 + rnd.nextInt(400)];
    rnd.nextBytes(payload);
    IdempotencyKey key =
        rnd.nextInt(3) == 0 ? IdempotencyKey.of(rnd.nextLong(), rnd.nextLong()) : null;
    AppendOptions o =
        key == null ? AppendOptions.defaults() : AppendOptions.defaults().withIdempotencyKey(key);
    try {
      AppendReceipt r = s.append(Coordinate.of(entity, "load"), KIND, Bytes.of(payload), o);
      model.put(r.globalSequence(), new Acked(r, entity, payload, key));
      maxAcked.accumulateAndGet(r.globalSequence(), Math::max);
    } catch (RuntimeException e) {
      fail(who + ": append failed: " + e);
    }
  }

  /** Checks what {@code get} and {@code verifyReceipt} say of {@code a}. */
  private void checkOne(Store s, Acked a, boolean receipt, String who) {
    boolean mayBeGone = a.droppable() && retainBegun.get();
    AppendReceipt r = a.receipt();
    try {
      StoredEvent e = s.get(r.eventId());
      if (!Arrays.equals(a.payload(), e.payload().toByteArray())
          || !e.header().eventHash().equals(r.eventHash())
          || e.header().globalSequence() != r.globalSequence()
          || e.header().streamSequence() != r.streamSequence()
          || !e.header().coordinate().entity().equals(a.entity())) {
        fail(who + ": get(" + r.globalSequence() + ") differs from the model: " + e.header());
      }
    } catch (EventNotFoundException gone) {
      if (!mayBeGone) {
        fail(who + ": get(" + r.globalSequence() + ") of a kept event: " + gone);
      }
      compactedSeen.incrementAndGet();
    } catch (RuntimeException ex) {
      fail(who + ": get(" + r.globalSequence() + ") failed: " + ex);
    }
    if (receipt) {
      try {
        ReceiptVerification v = s.verifyReceipt(r);
        boolean ok =
            v instanceof ReceiptVerification.Valid
                || (mayBeGone
                    && v instanceof ReceiptVerification.CompactedAway away
                    && !away.tombstone()
                    && away.evidence().eventHash().equals(r.eventHash()));
        if (!ok) {
          fail(who + ": verifyReceipt(" + r.globalSequence() + "): " + v);
        }
      } catch (RuntimeException ex) {
        fail(who + ": verifyReceipt(" + r.globalSequence() + ") failed: " + ex);
      }
    }
  }

  /** Checks a page of headers against the model. */
  private void checkHeaders(List<EventHeader> page, String what, String who) {
    long prev = -1;
    for (EventHeader h : page) {
      if (h.globalSequence() <= prev) {
        fail(who + ": " + what + " out of order at " + h.globalSequence());
      }
      prev = h.globalSequence();
      Acked a = model.get(h.globalSequence());
      if (a != null
          && (!a.receipt().eventId().equals(h.eventId())
              || !a.receipt().eventHash().equals(h.eventHash())
              || a.receipt().streamSequence() != h.streamSequence())) {
        fail(who + ": " + what + " header " + h + " differs from receipt " + a.receipt());
      }
    }
  }

  private void read(Store s, SplittableRandom rnd, String who) {
    long max = maxAcked.get();
    if (max < 0) {
      return;
    }
    boolean during = compacting.get();
    int what = rnd.nextInt(10);
    try {
      if (what < 6) {
        Acked a = model.get(rnd.nextLong(max + 1));
        if (a != null) {
          checkOne(s, a, what < 2, who);
        }
      } else if (what < 8) {
        long after = rnd.nextLong(max + 1) - 1;
        checkHeaders(s.queryAfter(Region.all(), after, 200), "queryAfter(" + after + ")", who);
      } else {
        String entity = (rnd.nextBoolean() ? "temp-" : "order-") + rnd.nextInt(16);
        List<EventHeader> st = s.stream(entity);
        checkHeaders(st, "stream(" + entity + ")", who);
        for (EventHeader h : st) {
          if (!h.coordinate().entity().equals(entity)) {
            fail(who + ": stream(" + entity + ") returned " + h);
          }
        }
      }
    } catch (RuntimeException ex) {
      fail(who + ": a read failed: " + ex);
    }
    reads.incrementAndGet();
    if (during) {
      readsDuringCompaction.incrementAndGet();
    }
  }

  @Test
  void readersAndAppendersAgreeWithTheModelWhileCompactionsRun() throws Exception {
    long seed = SimSeed.resolve(DEFAULT_SEED);
    long millis = Long.getLong("batpak.load.millis", 3000);
    System.out.println(
        "[compaction-load] seed "
            + seed
            + ", replay with: mvn -B verify -pl it -Dit.test=CompactionUnderLoadIT -Dbatpak.test.seed="
            + seed);
    Path dir = tmp.resolve("store");
    SplittableRandom setup = new SplittableRandom(seed);
    for (int c = 0; c < 6; c++) {
      try (Store s = Store.open(config(dir))) {
        for (int i = 0; i < 30; i++) {
          append(s, setup, "setup");
        }
      }
    }
    assertEquals(List.of(), failures);
    List<CompactionResult> results = Collections.synchronizedList(new ArrayList<>());
    long started = System.nanoTime();
    try (Store s = Store.open(config(dir))) {
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < APPENDERS; t++) {
        SplittableRandom rnd = new SplittableRandom(seed ^ (0x1000L + t));
        String who = "appender " + t;
        threads.add(
            new Thread(
                () -> {
                  while (!stop.get()) {
                    append(s, rnd, who);
                  }
                },
                who));
      }
      for (int t = 0; t < READERS; t++) {
        SplittableRandom rnd = new SplittableRandom(seed ^ (0x2000L + t));
        String who = "reader " + t;
        threads.add(
            new Thread(
                () -> {
                  while (!stop.get()) {
                    read(s, rnd, who);
                  }
                },
                who));
      }
      Thread compactor =
          new Thread(
              () -> {
                List<CompactionConfig> plan =
                    List.of(
                        CompactionConfig.merge(),
                        CompactionConfig.retain(
                            e -> !e.header().coordinate().entity().startsWith("temp-")),
                        CompactionConfig.merge(),
                        CompactionConfig.retain(
                            e -> !e.header().coordinate().entity().startsWith("temp-")));
                for (CompactionConfig c : plan) {
                  pause(millis / (plan.size() + 1));
                  if (c.strategy() == CompactionConfig.Strategy.RETAIN) {
                    retainBegun.set(true);
                  }
                  compacting.set(true);
                  try {
                    results.add(s.compact(c));
                  } catch (RuntimeException ex) {
                    fail("compact " + c + " threw " + ex);
                  } finally {
                    compacting.set(false);
                  }
                }
              },
              "compactor");
      threads.forEach(Thread::start);
      compactor.start();
      compactor.join();
      pause(millis / 5);
      stop.set(true);
      for (Thread t : threads) {
        t.join();
      }
      long ran = (System.nanoTime() - started) / 1_000_000;
      System.out.println(
          "[compaction-load] "
              + model.size()
              + " acknowledged appends, "
              + reads.get()
              + " reads ("
              + readsDuringCompaction.get()
              + " while a compaction ran, "
              + compactedSeen.get()
              + " found an event compacted away), compactions "
              + results
              + ", in "
              + ran
              + " ms");
      assertEquals(List.of(), failures, "seed " + seed);
      assertEquals(4, results.size(), "seed " + seed + ": " + results);
      for (CompactionResult r : results) {
        assertNotEquals(CompactionResult.Outcome.FAILED, r.outcome(), "seed " + seed + ": " + r);
      }
      assertEquals(CompactionResult.Outcome.PERFORMED, results.get(0).outcome(), "the first merge");
      assertEquals(
          CompactionResult.Outcome.PERFORMED, results.get(1).outcome(), "the first retain");
      assertTrue(readsDuringCompaction.get() > 0, "no read ran while a compaction did");
      Map<Long, Boolean> after = finalCheck(s, "at the end", null);
      try (Store again = reopen(s, dir)) {
        finalCheck(again, "after a reopen", after);
      }
    }
  }

  private Store reopen(Store s, Path dir) {
    s.close();
    return Store.open(config(dir));
  }

  /**
   * Every receipt verifies, the visible events are exactly the acknowledged ones not compacted
   * away, verifyAll finds nothing; returns which events are compacted away (and, with {@code
   * expected}, checks it is the same set).
   */
  private Map<Long, Boolean> finalCheck(Store s, String when, Map<Long, Boolean> expected) {
    Map<Long, Boolean> gone = new TreeMap<>();
    for (Acked a : new TreeMap<>(model).values()) {
      ReceiptVerification v = s.verifyReceipt(a.receipt());
      boolean away = v instanceof ReceiptVerification.CompactedAway;
      gone.put(a.receipt().globalSequence(), away);
      if (away) {
        assertTrue(a.droppable(), when + ": a kept event compacted away: " + a.receipt());
      } else {
        assertTrue(v instanceof ReceiptVerification.Valid, when + ": " + v);
        assertTrue(
            Arrays.equals(a.payload(), s.get(a.receipt().eventId()).payload().toByteArray()),
            when + ": payload of " + a.receipt());
      }
      if (a.key() != null) {
        AppendReceipt again =
            s.append(
                Coordinate.of(a.entity(), "load"),
                KIND,
                Bytes.of(a.payload()),
                AppendOptions.defaults().withIdempotencyKey(a.key()));
        assertEquals(a.receipt(), again, when + ": a keyed retry answers the original receipt");
      }
    }
    if (expected != null) {
      assertEquals(expected, gone, when + ": the same events are compacted away");
    }
    List<Long> visible = new ArrayList<>();
    long after = -1;
    while (true) {
      List<EventHeader> page = s.queryAfter(Region.all(), after, 1000);
      for (EventHeader h : page) {
        visible.add(h.globalSequence());
      }
      if (page.size() < 1000) {
        break;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
    List<Long> want = new ArrayList<>();
    gone.forEach(
        (g, away) -> {
          if (!away) {
            want.add(g);
          }
        });
    assertEquals(want, visible, when + ": the visible events are the acknowledged ones kept");
    StoreVerification all = s.verifyAll(VerificationProgress.none());
    assertEquals(0, all.problemCount(), when + ": " + all.problems());
    assertEquals(model.size(), all.eventsChecked(), when);
    assertEquals(gone.values().stream().filter(b -> b).count(), all.eventsCompacted(), when);
    assertTrue(all.eventsCompacted() > 0, when + ": the retains removed events");
    return gone;
  }

  private static void pause(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
