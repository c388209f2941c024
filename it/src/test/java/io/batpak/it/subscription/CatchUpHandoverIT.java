package io.batpak.it.subscription;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.Subscription;
import io.batpak.SubscriptionOptions;
import io.batpak.SubscriptionOverflowException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The catch-up handover under load (issue 13's proof, ADR 0023): 8 appender threads commit 10^6
 * events in seeded random batches (VISIBLE durability, so the run takes seconds), while subscribers
 * start catch-up subscriptions at random positions and random moments, each consumed on its own
 * thread. Each subscriber checks every event as it comes: for the whole journal the global
 * sequences must run densely from its start (no gap, no duplicate, in order); for one stream its
 * stream sequences must run densely and its global sequences rise. A subscriber that overflows
 * (DISCONNECT) resumes with {@code subscribeFrom} after the last event it got, which crosses the
 * handover again; the checks run across that too. At the end each has seen exactly what {@code
 * queryAfter} lists after its start.
 *
 * <p>{@code -Dbatpak.test.seed=N} replays a seed; {@code -Dbatpak.handover.events=N} sets the size.
 */
class CatchUpHandoverIT {
  static final EventKind KIND = EventKind.custom(4, 1);
  static final int WRITERS = 8;
  static final Duration LONG = Duration.ofSeconds(60);
  static final SubscriptionOptions OPTIONS = SubscriptionOptions.defaults().withCapacity(1 << 14);

  @TempDir Path dir;

  /** One subscriber's checks, run on its own thread. */
  static final class Checker implements Runnable {
    final Store store;
    final Region region;
    final long start;
    final long total;
    final boolean wholeJournal;
    final AtomicReference<Throwable> failed;
    final AtomicBoolean writersDone;
    final SubscriptionOptions options;
    final String entity;
    long count;
    long resumes;
    long lastGlobal;
    long lastStreamSequence = -1;

    Checker(
        Store store,
        Region region,
        long start,
        long total,
        boolean wholeJournal,
        AtomicReference<Throwable> failed,
        AtomicBoolean writersDone,
        SubscriptionOptions options,
        String entity) {
      this.store = store;
      this.region = region;
      this.start = start;
      this.total = total;
      this.wholeJournal = wholeJournal;
      this.failed = failed;
      this.writersDone = writersDone;
      this.options = options;
      this.entity = entity;
      this.lastGlobal = start;
    }

    @Override
    public void run() {
      try {
        Subscription s = store.subscribeFrom(region, start, options);
        while (!finished()) {
          List<EventHeader> batch;
          try {
            batch = s.pollBatch(4096, wholeJournal ? LONG : Duration.ofMillis(200));
          } catch (SubscriptionOverflowException e) {
            assertEquals(lastGlobal, e.lastDelivered(), "the overflow names the last delivered");
            resumes++;
            s = store.subscribeFrom(region, e.lastDelivered(), options);
            continue;
          }
          assertTrue(
              !batch.isEmpty() || !wholeJournal,
              region + " after " + start + ": nothing within " + LONG);
          for (EventHeader h : batch) {
            check(h);
          }
          if (options.capacity() < 1000) {
            Thread.yield(); // slow: falls behind a burst of batches
          }
        }
        assertEquals(Optional.empty(), s.poll(Duration.ofMillis(10)), "nothing past the end");
        s.close();
      } catch (Throwable t) {
        failed.compareAndSet(null, t);
      }
    }

    /**
     * The whole journal ends at the last event; a stream once the writers are done and its latest
     * event was delivered (or lies before the start).
     */
    boolean finished() {
      if (wholeJournal) {
        return lastGlobal >= total - 1;
      }
      return writersDone.get()
          && lastGlobal >= store.latest(entity).map(EventHeader::globalSequence).orElse(-1L);
    }

    void check(EventHeader h) {
      long g = h.globalSequence();
      if (wholeJournal) {
        if (g != lastGlobal + 1) {
          throw new AssertionError(
              "after "
                  + start
                  + ": expected global sequence "
                  + (lastGlobal + 1)
                  + ", got "
                  + g
                  + (g <= lastGlobal ? " (a duplicate or out of order)" : " (a gap)"));
        }
      } else {
        if (g <= lastGlobal) {
          throw new AssertionError(region + ": global sequence " + g + " after " + lastGlobal);
        }
        if (lastStreamSequence >= 0 && h.streamSequence() != lastStreamSequence + 1) {
          throw new AssertionError(
              region + ": stream sequence " + h.streamSequence() + " after " + lastStreamSequence);
        }
        lastStreamSequence = h.streamSequence();
      }
      lastGlobal = g;
      count++;
    }
  }

  @Test
  void eightAppendersAMillionEventsAndCatchUpsAtRandomPositionsSeeNoGapAndNoDuplicate()
      throws Exception {
    long seed = Long.getLong("batpak.test.seed", new SplittableRandom().nextLong());
    int events = Integer.getInteger("batpak.handover.events", 1_000_000);
    System.out.println(
        "CatchUpHandoverIT seed "
            + seed
            + " events "
            + events
            + " (replay: -Dbatpak.test.seed="
            + seed
            + ")");
    SplittableRandom rnd = new SplittableRandom(seed);
    StoreConfig cfg = StoreConfig.builder(dir).durability(Durability.VISIBLE).build();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    AtomicLong appended = new AtomicLong();
    AtomicBoolean writersDone = new AtomicBoolean();
    try (Store store = Store.open(cfg)) {
      List<Thread> writers = new ArrayList<>();
      for (int w = 0; w < WRITERS; w++) {
        Coordinate c = Coordinate.of("w:" + w, "load");
        SplittableRandom wr = rnd.split();
        int share = events / WRITERS + (w < events % WRITERS ? 1 : 0);
        writers.add(
            new Thread(
                () -> {
                  try {
                    int done = 0;
                    while (done < share) {
                      int n = Math.min(share - done, 1 + wr.nextInt(200));
                      List<BatchItem> items = new ArrayList<>(n);
                      for (int i = 0; i < n; i++) {
                        items.add(BatchItem.of(c, KIND, Bytes.utf8("e" + (done + i))));
                      }
                      store.appendBatch(items);
                      done += n;
                      appended.addAndGet(n);
                    }
                  } catch (Throwable t) {
                    failed.compareAndSet(null, t);
                  }
                },
                "appender-" + w));
      }
      writers.forEach(Thread::start);
      List<Checker> checkers = new ArrayList<>();
      List<Thread> consumers = new ArrayList<>();
      for (int k = 0; k < 6; k++) {
        // Start at a random moment of the run, from a random position already visible.
        long when = rnd.nextLong(events);
        while (appended.get() < when && failed.get() == null) {
          Thread.sleep(1);
        }
        long visible = store.watermarks().visible();
        long start = rnd.nextLong(visible + 1) - 1;
        boolean whole = k % 3 != 2;
        String entity = "w:" + rnd.nextInt(WRITERS);
        Region region = whole ? Region.all() : Region.entity(entity);
        Checker ch =
            new Checker(
                store,
                region,
                start,
                events,
                whole,
                failed,
                writersDone,
                // the last whole-journal subscriber has a small queue: it overflows and resumes
                k == 4 ? SubscriptionOptions.defaults().withCapacity(64) : OPTIONS,
                entity);
        checkers.add(ch);
        Thread t = new Thread(ch, "subscriber-" + k);
        consumers.add(t);
        t.start();
      }
      for (Thread t : writers) {
        t.join();
      }
      writersDone.set(true);
      for (Thread t : consumers) {
        t.join(LONG.toMillis() * 5);
        assertTrue(!t.isAlive(), t.getName() + " finished");
      }
      if (failed.get() != null) {
        throw new AssertionError("seed " + seed + ": " + failed.get(), failed.get());
      }
      assertEquals(events, store.stats().eventCount());
      for (Checker ch : checkers) {
        long expected = count(store, ch.region, ch.start);
        assertEquals(
            expected,
            ch.count,
            "seed "
                + seed
                + ": "
                + ch.region
                + " after "
                + ch.start
                + " (resumed "
                + ch.resumes
                + "x)");
        System.out.println(
            ch.region
                + " after "
                + ch.start
                + ": "
                + ch.count
                + " events, resumed "
                + ch.resumes
                + "x");
      }
    }
  }

  static long count(Store store, Region region, long after) {
    long n = 0;
    while (true) {
      List<EventHeader> page = store.queryAfter(region, after, 10_000);
      n += page.size();
      if (page.size() < 10_000) {
        return n;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
  }
}
