package io.batpak.engine.internal.verify;

import io.batpak.engine.internal.format.Decompressors;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Recomputes the hashes of a window's records on several threads: the caller's and {@code helpers}
 * more, each taking slices of {@link #SLICE} records until none is left (hashing is most of a
 * verification's CPU, and each record's two hashes depend on its own bytes alone, so the shares are
 * independent). The results land in a status array the caller then reads in journal order. One per
 * verification; {@link #close} stops the helpers.
 */
final class HashWorkers implements AutoCloseable {
  /** Below this many records a window is hashed on the caller's thread alone. */
  static final int MIN_PARALLEL = 512;

  /** Records a thread takes at a time. */
  static final int SLICE = 128;

  private final int helpers;
  private final EventHasher[] hashers;
  private final RecordLayout[] layouts;

  /** Started at the first window worth sharing, so a small store's verification starts none. */
  private ExecutorService pool;

  /** Workers for {@code helpers} threads besides the caller's (0: the caller alone). */
  HashWorkers(int helpers, Decompressors decompressors) {
    this.helpers = helpers;
    this.hashers = new EventHasher[helpers + 1];
    this.layouts = new RecordLayout[helpers + 1];
    for (int i = 0; i <= helpers; i++) {
      hashers[i] = new EventHasher(decompressors);
      layouts[i] = new RecordLayout();
    }
  }

  /**
   * Names the segment whose records the next {@link #hash} calls check, for errors (a helper sees
   * it: the hand-off of its work comes after).
   */
  void segment(String file) {
    for (EventHasher h : hashers) {
      h.segment(file);
    }
  }

  /**
   * Sets {@code status[i]} to {@link EventHasher#check}'s result for the {@code n} records of
   * {@code pending}.
   */
  void hash(byte[] buf, Pending pending, int n) {
    if (helpers == 0 || n < MIN_PARALLEL) {
      range(0, buf, pending, 0, n);
      return;
    }
    if (pool == null) {
      pool =
          Executors.newFixedThreadPool(
              helpers,
              r -> {
                Thread t = new Thread(r, "batpak-verify-hash");
                t.setDaemon(true);
                return t;
              });
    }
    // Slices are taken from a shared counter, so a thread the machine descheduled holds up no one:
    // the others take its share.
    AtomicInteger next = new AtomicInteger();
    List<Future<?>> running = new ArrayList<>(hashers.length - 1);
    for (int p = 1; p < hashers.length; p++) {
      int part = p;
      running.add(pool.submit(() -> slices(part, buf, pending, n, next)));
    }
    slices(0, buf, pending, n, next);
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) {
          throw r;
        }
        if (cause instanceof Error err) {
          throw err;
        }
        throw new IllegalStateException(cause);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while hashing", e);
      }
    }
  }

  private void slices(int part, byte[] buf, Pending pending, int n, AtomicInteger next) {
    for (int from = next.getAndAdd(SLICE); from < n; from = next.getAndAdd(SLICE)) {
      range(part, buf, pending, from, Math.min(n, from + SLICE));
    }
  }

  private void range(int part, byte[] buf, Pending pending, int from, int to) {
    EventHasher h = hashers[part];
    RecordLayout r = layouts[part];
    for (int i = from; i < to; i++) {
      r.parse(buf, pending.at[i], buf.length); // parsed once already: well formed
      pending.status[i] =
          (byte)
              h.check(
                  buf,
                  r,
                  pending.globalSequence[i],
                  pending.disposition[i] != 0,
                  pending.framePosition[i]);
    }
  }

  @Override
  public void close() {
    if (pool != null) {
      pool.shutdownNow();
    }
  }

  /**
   * The records of the window waiting to be checked, in journal order, as parallel arrays (reused:
   * nothing per event).
   */
  static final class Pending {
    int count;
    int[] at = new int[1024];
    int[] row = new int[1024];
    long[] globalSequence = new long[1024];
    long[] framePosition = new long[1024];
    int[] frameLength = new int[1024];
    int[] recordOffset = new int[1024];
    byte[] disposition = new byte[1024];
    byte[] status = new byte[1024];

    void add(int recordAt, int r, long global, long framePos, int frameLen, int offset, int disp) {
      if (count == at.length) {
        int n = count * 2;
        at = java.util.Arrays.copyOf(at, n);
        row = java.util.Arrays.copyOf(row, n);
        globalSequence = java.util.Arrays.copyOf(globalSequence, n);
        framePosition = java.util.Arrays.copyOf(framePosition, n);
        frameLength = java.util.Arrays.copyOf(frameLength, n);
        recordOffset = java.util.Arrays.copyOf(recordOffset, n);
        disposition = java.util.Arrays.copyOf(disposition, n);
        status = java.util.Arrays.copyOf(status, n);
      }
      at[count] = recordAt;
      row[count] = r;
      globalSequence[count] = global;
      framePosition[count] = framePos;
      frameLength[count] = frameLen;
      recordOffset[count] = offset;
      disposition[count] = (byte) disp;
      count++;
    }
  }
}
