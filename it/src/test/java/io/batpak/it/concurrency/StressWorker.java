package io.batpak.it.concurrency;

import static io.batpak.it.concurrency.StressRun.KIND;
import static io.batpak.it.concurrency.StressRun.SHARED;
import static io.batpak.it.concurrency.StressRun.rethrowable;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.EventHeader;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import io.batpak.Region;
import io.batpak.StoreClosedException;
import io.batpak.Watermarks;
import io.batpak.it.concurrency.StressRun.Call;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One worker thread of a {@link StressRun}: its calls (appends, retries of acknowledged keys,
 * pipelined submits, batches, syncs and reads), drawn from its own generator, each recorded as a
 * {@link StressRun.Call} with its outcome, and the checks that need the moment of the call (an
 * acknowledged or visible DURABLE event is covered by a completed sync).
 */
final class StressWorker {
  private final StressRun stress;

  final int thread;
  final SplittableRandom rnd;
  final String own;
  long ownNext;
  boolean ownKnown = true;
  final List<Call> keyed = new ArrayList<>();
  final List<AppendReceipt> acked = new ArrayList<>();
  int index;

  StressWorker(StressRun stress, int thread, SplittableRandom rnd) {
    this.stress = stress;
    this.thread = thread;
    this.rnd = rnd;
    this.own = "own-" + thread;
  }

  void run() {
    for (int i = 0; i < stress.opsPerThread; i++) {
      if (stress.closeByWorker && thread == stress.closerThread && i == stress.closerAt) {
        stress.closeStore();
      }
      int pick = stress.pipeliner && thread == 0 ? 40 : rnd.nextInt(100);
      try {
        if (pick < 30) {
          append();
        } else if (pick < 48) {
          submitChain();
        } else if (pick < 62) {
          batch();
        } else if (pick < 69) {
          stress.store.sync();
        } else {
          read();
        }
      } catch (StoreClosedException e) {
        return; // closed: every later call fails the same way
      } catch (RuntimeException | Error e) {
        // Recorded on the call where it matters (an untyped one is a violation, reported by
        // checkTypedOutcomes); syncs and reads may fail after a fault.
      }
    }
    if (stress.durability == Durability.VISIBLE && !stress.closed.get()) {
      idleThenAppend();
    }
  }

  /**
   * VISIBLE mode's tail, an application going idle: sync, stay idle for two sync intervals (the
   * committer thread has nothing to do and waits), sync again, then one lone blocking append. Its
   * event must still become durable on the interval ({@code visible-cadence}).
   */
  void idleThenAppend() {
    try {
      stress.store.sync();
      Thread.sleep(2 * stress.store.config().visibleSyncInterval().toMillis());
      stress.store.sync();
      append();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException | Error e) {
      // closed or poisoned by the fault: nothing to check
    }
  }

  Call newCall(String kind) {
    Call c = new Call(thread, index++, kind);
    stress.calls.add(c);
    return c;
  }

  byte[] payload(Call c, int item) {
    String s =
        "r"
            + stress.seed
            + "-t"
            + thread
            + "-c"
            + c.index
            + "-i"
            + item
            + "-"
            + "x".repeat(rnd.nextInt(300));
    return s.getBytes(StandardCharsets.UTF_8);
  }

  String entity() {
    return rnd.nextInt(3) == 0 ? own : SHARED[rnd.nextInt(SHARED.length)];
  }

  AppendOptions options(Call c, String entity) {
    AppendOptions o = AppendOptions.defaults();
    if (entity.equals(own) && ownKnown && rnd.nextBoolean()) {
      o =
          o.withExpectedVersion(
              ownNext == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(ownNext - 1));
    } else if (!entity.equals(own) && rnd.nextInt(5) == 0) {
      o = o.withExpectedVersion(ExpectedVersion.exactly(rnd.nextInt(4)));
    }
    int k = rnd.nextInt(10);
    if (k < 3) {
      IdempotencyKey key = IdempotencyKey.of(stress.seed, ((long) thread << 32) | c.index);
      c.keys.add(key);
    }
    if (!c.keys.isEmpty()) {
      o = o.withIdempotencyKey(c.keys.get(c.keys.size() - 1));
    }
    return o;
  }

  void append() {
    if (!keyed.isEmpty() && rnd.nextInt(8) == 0) {
      retry();
      return;
    }
    Call c = newCall("append");
    String entity = entity();
    byte[] p = payload(c, 0);
    c.entities.add(entity);
    c.payloads.add(p);
    AppendOptions o = options(c, entity);
    try {
      AppendReceipt r = stress.store.append(Coordinate.of(entity, "s"), KIND, Bytes.of(p), o);
      acknowledged(c, List.of(r));
    } catch (RuntimeException | Error e) {
      failed(c, e);
      throw rethrowable(e);
    }
  }

  /** Appends an acknowledged keyed call again with the same key and content. */
  void retry() {
    Call original = keyed.get(rnd.nextInt(keyed.size()));
    Call c = newCall("retry");
    c.retryOf = true;
    c.entities.addAll(original.entities);
    c.payloads.addAll(original.payloads);
    c.keys.addAll(original.keys);
    c.retried = original.receipts.toArray(new AppendReceipt[0]);
    try {
      AppendReceipt r =
          stress.store.append(
              Coordinate.of(c.entities.get(0), "s"),
              KIND,
              Bytes.of(c.payloads.get(0)),
              AppendOptions.defaults().withIdempotencyKey(c.keys.get(0)));
      c.receipts = List.of(r);
    } catch (RuntimeException | Error e) {
      failed(c, e);
      throw rethrowable(e);
    }
  }

  void submitChain() {
    int n = stress.pipeliner && thread == 0 ? 10 + rnd.nextInt(30) : 1 + rnd.nextInt(5);
    List<Call> chain = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Call c = newCall("submit");
      String entity = entity();
      byte[] p = payload(c, 0);
      c.entities.add(entity);
      c.payloads.add(p);
      AppendOptions o = options(c, entity);
      try {
        c.future = stress.store.submit(Coordinate.of(entity, "s"), KIND, Bytes.of(p), o);
        chain.add(c);
      } catch (RuntimeException | Error e) {
        failed(c, e);
        if (e instanceof StoreClosedException) {
          break;
        }
      }
    }
    for (Call c : chain) {
      try {
        long left = Math.max(0, stress.deadlineNanos - System.nanoTime());
        AppendReceipt r = c.future.get(left, TimeUnit.NANOSECONDS);
        acknowledged(c, List.of(r));
      } catch (ExecutionException e) {
        failed(c, e.getCause());
      } catch (TimeoutException e) {
        c.failure = e; // reported, with the other futures that did not complete, after the run
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  void batch() {
    Call c = newCall("batch");
    int n = 2 + rnd.nextInt(3);
    boolean keyedBatch = rnd.nextInt(3) == 0;
    List<BatchItem> items = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String entity = i == 0 && rnd.nextBoolean() ? own : SHARED[rnd.nextInt(SHARED.length)];
      byte[] p = payload(c, i);
      c.entities.add(entity);
      c.payloads.add(p);
      BatchItem item = BatchItem.of(Coordinate.of(entity, "s"), KIND, Bytes.of(p));
      if (keyedBatch) {
        IdempotencyKey key =
            IdempotencyKey.of(
                stress.seed, ((long) thread << 32) | (c.index + 1_000_000L * (i + 1)));
        c.keys.add(key);
        item = item.withOptions(AppendOptions.defaults().withIdempotencyKey(key));
      }
      items.add(item);
    }
    try {
      acknowledged(c, stress.store.appendBatch(items));
    } catch (RuntimeException | Error e) {
      failed(c, e);
      throw rethrowable(e);
    }
  }

  void read() {
    int pick = rnd.nextInt(4);
    List<EventHeader> seen = new ArrayList<>();
    Watermarks before = stress.store.watermarks();
    stress.maxDurable.accumulateAndGet(before.durable(), Math::max);
    if (pick == 0) {
      seen.addAll(stress.store.stream(entity()));
    } else if (pick == 1) {
      long after = rnd.nextInt(Math.max(1, (int) before.visible() + 1)) - 1;
      seen.addAll(stress.store.queryAfter(Region.all(), after, 1 + rnd.nextInt(20)));
    } else if (pick == 2 && !acked.isEmpty()) {
      AppendReceipt r = acked.get(rnd.nextInt(acked.size()));
      seen.add(stress.store.get(r.eventId()).header());
    } else {
      stress.store.latest(entity()).ifPresent(seen::add);
    }
    for (EventHeader h : seen) {
      if (stress.durability == Durability.DURABLE) {
        stress.checkCovered(
            "durable-visibility", h.globalSequence(), h.eventId(), "was visible to a reader");
      }
    }
  }

  void acknowledged(Call c, List<AppendReceipt> receipts) {
    c.receipts = receipts;
    for (AppendReceipt r : receipts) {
      if (stress.durability == Durability.DURABLE) {
        stress.checkCovered("durable-ack", r.globalSequence(), r.eventId(), "was acknowledged");
      }
    }
    acked.addAll(receipts);
    if (!c.keys.isEmpty()) {
      keyed.add(c);
    }
    for (int i = 0; i < c.entities.size(); i++) {
      if (c.entities.get(i).equals(own)) {
        ownNext = receipts.get(i).streamSequence() + 1;
      }
    }
  }

  void failed(Call c, Throwable e) {
    c.failure = e;
    if (e instanceof OutcomeUnknownException && c.entities.contains(own)) {
      ownKnown = false;
    }
  }
}
