package io.batpak.bench;

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
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Subscriptions (issue 13, ADR 0023), in events per second.
 *
 * <ul>
 *   <li>{@link #catchUp}: a catch-up subscription from the start of a 1 M-event store (100-byte
 *       payloads over 100 streams, written as 1 000-event batches), polled with {@code
 *       pollBatch(4096)} until every event was delivered and it went live; beside {@link
 *       #queryAfterPaging}, the same events read with {@code queryAfter} in pages of 4096, in the
 *       same run.
 *   <li>{@link #liveFanOut}: 10 000 events appended in 1 000-event batches ({@code VISIBLE}) while
 *       {@code subscribers} threads each poll a live subscription to everything; one operation ends
 *       when every subscriber has all of them. {@code subscribers = 0} is the appends alone.
 * </ul>
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar SubscriptionBenchmark -f 1 -wi 2 -i 3 -w 2s -r 2s
 * </pre>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SubscriptionBenchmark {
  static final int HISTORY = 1_000_000;
  static final int LIVE = 10_000;
  static final int BATCH = 1_000;
  static final EventKind KIND = EventKind.custom(0x1, 0x003);

  static Coordinate[] coordinates() {
    Coordinate[] cs = new Coordinate[100];
    for (int i = 0; i < cs.length; i++) {
      cs[i] = Coordinate.of(String.format("account-%04d", i), "bench");
    }
    return cs;
  }

  static Bytes payload() {
    byte[] p = new byte[100];
    new SplittableRandom(42).nextBytes(p);
    return Bytes.of(p);
  }

  /** A 1 M-event store, built once per trial. */
  @State(Scope.Benchmark)
  public static class History {
    Path dir;
    Store store;

    /** Writes the store. */
    @Setup(Level.Trial)
    public void fill() throws IOException {
      dir = Files.createTempDirectory("batpak-bench-sub-");
      store = Store.open(StoreConfig.builder(dir).durability(Durability.VISIBLE).build());
      Coordinate[] cs = coordinates();
      Bytes p = payload();
      for (int b = 0; b < HISTORY / BATCH; b++) {
        List<BatchItem> items = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
          items.add(BatchItem.of(cs[(b * BATCH + i) % cs.length], KIND, p));
        }
        store.appendBatch(items);
      }
      store.sync();
    }

    /** Closes and deletes it. */
    @TearDown(Level.Trial)
    public void close() throws IOException {
      store.close();
      BenchDirs.delete(dir);
    }
  }

  /** A catch-up subscription over the whole history, until it is live. */
  @Benchmark
  @OperationsPerInvocation(HISTORY)
  public long catchUp(History h) {
    long n = 0;
    try (Subscription s = h.store.subscribeFrom(Region.all(), -1, SubscriptionOptions.defaults())) {
      while (n < HISTORY) {
        n += s.pollBatch(4096, Duration.ofSeconds(30)).size();
      }
      if (s.poll(Duration.ZERO).isPresent()) { // the history is read: this poll goes live
        throw new IllegalStateException("more than " + HISTORY + " events");
      }
    }
    return n;
  }

  /** The same events through {@code queryAfter}, 4096 at a time. */
  @Benchmark
  @OperationsPerInvocation(HISTORY)
  public long queryAfterPaging(History h) {
    long n = 0;
    long after = -1;
    while (true) {
      List<EventHeader> page = h.store.queryAfter(Region.all(), after, 4096);
      n += page.size();
      if (page.size() < 4096) {
        return n;
      }
      after = page.get(page.size() - 1).globalSequence();
    }
  }

  /** A store with {@code subscribers} consumer threads, each on a live subscription. */
  @State(Scope.Benchmark)
  public static class Live {
    /** Live subscriptions, each polled by its own thread. */
    @Param({"0", "1", "8"})
    public int subscribers;

    Path dir;
    Store store;
    Coordinate[] cs;
    Bytes p;
    final List<Thread> threads = new ArrayList<>();
    final List<Subscription> subs = new ArrayList<>();
    AtomicLong[] counts;
    volatile boolean stop;

    /** Opens the store and starts the consumers. */
    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("batpak-bench-live-");
      store = Store.open(StoreConfig.builder(dir).durability(Durability.VISIBLE).build());
      cs = coordinates();
      p = payload();
      counts = new AtomicLong[subscribers];
      for (int i = 0; i < subscribers; i++) {
        AtomicLong count = new AtomicLong();
        counts[i] = count;
        Subscription s =
            store.subscribe(Region.all(), SubscriptionOptions.defaults().withCapacity(1 << 16));
        subs.add(s);
        Thread t =
            new Thread(
                () -> {
                  while (!stop) {
                    count.addAndGet(s.pollBatch(4096, Duration.ofMillis(100)).size());
                  }
                },
                "subscriber-" + i);
        t.setDaemon(true);
        threads.add(t);
        t.start();
      }
    }

    /** Stops the consumers, closes and deletes the store. */
    @TearDown(Level.Trial)
    public void close() throws Exception {
      stop = true;
      for (Thread t : threads) {
        t.join();
      }
      subs.forEach(Subscription::close);
      store.close();
      BenchDirs.delete(dir);
    }
  }

  /** Appends {@value #LIVE} events and waits until every subscriber has them. */
  @Benchmark
  @OperationsPerInvocation(LIVE)
  public long liveFanOut(Live l) throws InterruptedException {
    long target = l.store.watermarks().visible() + LIVE;
    for (int b = 0; b < LIVE / BATCH; b++) {
      List<BatchItem> items = new ArrayList<>(BATCH);
      for (int i = 0; i < BATCH; i++) {
        items.add(BatchItem.of(l.cs[i % l.cs.length], KIND, l.p));
      }
      l.store.appendBatch(items);
    }
    for (AtomicLong c : l.counts) {
      while (c.get() < target) {
        Thread.onSpinWait();
      }
    }
    return target;
  }
}
