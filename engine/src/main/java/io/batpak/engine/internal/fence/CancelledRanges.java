package io.batpak.engine.internal.fence;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The cancelled ranges of a store: the global sequences written under visibility fences that were
 * cancelled (explicitly, by a close, or by a crash with the fence open). Such an event is never
 * visible and its stream continues as if it had never been appended; its global sequence is never
 * reused. Compaction may drop these events (ADR 0015).
 *
 * <p>Immutable and thread-safe: a new value is made for every change. Ranges are half-open {@code
 * [start, end)}, sorted, non-empty and never touching (adjacent ones are merged).
 */
public final class CancelledRanges {
  /** No cancelled event. */
  public static final CancelledRanges NONE = new CancelledRanges(new long[0], new long[0]);

  private final long[] starts;
  private final long[] ends;

  private CancelledRanges(long[] starts, long[] ends) {
    this.starts = starts;
    this.ends = ends;
  }

  /**
   * One cancelled range {@code [start, end)}.
   *
   * @param start the first cancelled global sequence
   * @param end one past the last
   */
  public record Range(long start, long end) {
    /** Checks {@code 0 <= start < end}. */
    public Range {
      if (start < 0 || end <= start) {
        throw new IllegalArgumentException("a cancelled range [" + start + ", " + end + ")");
      }
    }

    /** The number of global sequences in it. */
    public long length() {
      return end - start;
    }
  }

  /** The ranges {@code ranges}, sorted and merged; they must not overlap. */
  public static CancelledRanges of(List<Range> ranges) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
    CancelledRanges r = NONE;
    for (Range x : sorted) {
      r = r.plus(x.start(), x.end());
    }
    return r;
  }

  /**
   * These ranges and {@code [start, end)}, which must lie after every range held (it may touch the
   * last one, and then extends it). An empty range changes nothing.
   *
   * @throws IllegalArgumentException if it overlaps or precedes a held range
   */
  public CancelledRanges plus(long start, long end) {
    if (end <= start) {
      return this;
    }
    int n = starts.length;
    if (n > 0 && start < ends[n - 1]) {
      throw new IllegalArgumentException(
          "cancelled range ["
              + start
              + ", "
              + end
              + ") overlaps or precedes ["
              + starts[n - 1]
              + ", "
              + ends[n - 1]
              + ")");
    }
    if (n > 0 && start == ends[n - 1]) {
      long[] e = ends.clone();
      e[n - 1] = end;
      return new CancelledRanges(starts, e);
    }
    long[] s = Arrays.copyOf(starts, n + 1);
    long[] e = Arrays.copyOf(ends, n + 1);
    s[n] = start;
    e[n] = end;
    return new CancelledRanges(s, e);
  }

  /** Whether global sequence {@code global} is cancelled. O(log ranges). */
  public boolean contains(long global) {
    int lo = 0;
    int hi = starts.length - 1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (global < starts[mid]) {
        hi = mid - 1;
      } else if (global >= ends[mid]) {
        lo = mid + 1;
      } else {
        return true;
      }
    }
    return false;
  }

  /** The ranges, sorted. */
  public List<Range> ranges() {
    List<Range> out = new ArrayList<>(starts.length);
    for (int i = 0; i < starts.length; i++) {
      out.add(new Range(starts[i], ends[i]));
    }
    return List.copyOf(out);
  }

  /** The ranges that lie wholly below {@code global}, a range crossing it cut at it. */
  public CancelledRanges below(long global) {
    CancelledRanges r = NONE;
    for (int i = 0; i < starts.length && starts[i] < global; i++) {
      r = r.plus(starts[i], Math.min(ends[i], global));
    }
    return r;
  }

  /** How many global sequences are cancelled. */
  public long count() {
    long n = 0;
    for (int i = 0; i < starts.length; i++) {
      n += ends[i] - starts[i];
    }
    return n;
  }

  /** Whether no global sequence is cancelled. */
  public boolean isEmpty() {
    return starts.length == 0;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CancelledRanges c
        && Arrays.equals(starts, c.starts)
        && Arrays.equals(ends, c.ends);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(starts) * 31 + Arrays.hashCode(ends);
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("[");
    for (int i = 0; i < starts.length; i++) {
      b.append(i == 0 ? "" : ", ").append('[').append(starts[i]).append(", ").append(ends[i]);
      b.append(')');
    }
    return b.append(']').toString();
  }
}
