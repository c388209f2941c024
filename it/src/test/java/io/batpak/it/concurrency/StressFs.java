package io.batpak.it.concurrency;

import io.batpak.fs.spi.ForwardingFileHandle;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The stress test's backend: {@code fs-sim} (which injects the simulator's own faults) decorated
 * with three things the simulator does not do.
 *
 * <ul>
 *   <li><b>Jitter</b>: before a segment write, sync or read it may yield or park a few
 *       microseconds, drawn from a generator seeded by the run's seed and the call's number, so
 *       threads interleave differently at the points where the committer does I/O.
 *   <li><b>Unchecked failures</b>: the {@code k}-th segment write or sync (counted together) throws
 *       a {@link RuntimeException} or an {@link OutOfMemoryError} instead of reaching the
 *       simulator, as a buggy backend or a full heap would.
 *   <li><b>A record of every completed segment sync</b>: the size of the file when the sync
 *       started, kept as the largest such size per file once the sync returned normally. A frame
 *       that ends within it was covered by a completed fsync; one that does not was not (a failed
 *       sync, which on the simulator may also drop the file's dirty pages, records nothing).
 * </ul>
 *
 * <p>Thread-safe: the counters are atomic and the record is a concurrent map.
 */
final class StressFs extends ForwardingStoreFs {

  /** What the {@code k}-th segment write or sync throws, if anything. */
  enum Unchecked {
    NONE,
    RUNTIME_EXCEPTION,
    OUT_OF_MEMORY
  }

  private final long seed;
  private final double jitter;
  private final Unchecked unchecked;
  private final long uncheckedAt;
  private final AtomicLong calls = new AtomicLong();
  private final AtomicLong segmentWritesAndSyncs = new AtomicLong();
  private final Map<String, Long> synced = new ConcurrentHashMap<>();
  private final AtomicBoolean closing = new AtomicBoolean();
  final List<String> failedSyncs = new CopyOnWriteArrayList<>();
  final List<String> failedSyncsWhileClosing = new CopyOnWriteArrayList<>();
  final AtomicBoolean uncheckedThrown = new AtomicBoolean();

  StressFs(StoreFs delegate, long seed, double jitter, Unchecked unchecked, long uncheckedAt) {
    super(delegate);
    this.seed = seed;
    this.jitter = jitter;
    this.unchecked = unchecked;
    this.uncheckedAt = uncheckedAt;
  }

  /**
   * Marks the start of the store's {@code close()}: sync failures from now on, on any thread but
   * the test's workers (the closing thread, the committer thread), are close's final fsync.
   */
  void closing() {
    closing.set(true);
  }

  /** The largest size of {@code path} covered by a completed sync, or 0. */
  long syncedSize(String path) {
    return synced.getOrDefault(path, 0L);
  }

  private void jitter() {
    if (jitter <= 0) {
      return;
    }
    SplittableRandom r =
        new SplittableRandom(seed ^ (calls.incrementAndGet() * 0x9E3779B97F4A7C15L));
    double x = r.nextDouble();
    if (x < jitter / 2) {
      Thread.yield();
    } else if (x < jitter) {
      LockSupport.parkNanos(1_000L + r.nextInt(100_000));
    }
  }

  private void maybeThrowUnchecked(String what) {
    if (unchecked == Unchecked.NONE || segmentWritesAndSyncs.incrementAndGet() != uncheckedAt) {
      return;
    }
    uncheckedThrown.set(true);
    if (unchecked == Unchecked.OUT_OF_MEMORY) {
      throw new OutOfMemoryError("injected by the stress test on " + what);
    }
    throw new IllegalStateException("injected by the stress test: backend bug on " + what);
  }

  @Override
  protected FileHandle onHandle(FileHandle handle) {
    String path = handle.path().toString();
    if (!path.endsWith(".seg")) {
      return handle;
    }
    return new ForwardingFileHandle(handle) {
      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        jitter();
        maybeThrowUnchecked("write of " + path + " at " + position);
        super.write(src, position);
      }

      @Override
      public void sync(SyncMode mode) throws IOException {
        jitter();
        maybeThrowUnchecked("sync of " + path);
        long size = super.size();
        try {
          super.sync(mode);
        } catch (IOException | RuntimeException | Error e) {
          String thread = Thread.currentThread().getName();
          String what = path + " (" + size + " bytes) on thread '" + thread + "': " + e;
          failedSyncs.add(what);
          if (closing.get() && !thread.startsWith("stress-worker")) {
            failedSyncsWhileClosing.add(what);
          }
          throw e;
        }
        synced.merge(path, size, Math::max);
        jitter();
      }

      @Override
      public void read(ByteBuffer dst, long position) throws IOException {
        jitter();
        super.read(dst, position);
      }
    };
  }
}
