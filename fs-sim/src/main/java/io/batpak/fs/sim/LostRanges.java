package io.batpak.fs.sim;

import java.util.Arrays;

/**
 * An immutable set of byte ranges of one file, held as sorted, disjoint, non-adjacent half-open
 * intervals {@code [start, end)}: the bytes whose write-back failed under {@link
 * FaultAction.FailedSyncKeepsPages}. They stay readable (the page cache keeps them) but no later
 * sync writes them, until a write covers them again.
 */
final class LostRanges {
  static final LostRanges NONE = new LostRanges(new long[0]);

  /** Pairs: {@code bounds[2i]} is a start, {@code bounds[2i + 1]} the matching end. */
  private final long[] bounds;

  private LostRanges(long[] bounds) {
    this.bounds = bounds;
  }

  boolean isEmpty() {
    return bounds.length == 0;
  }

  int count() {
    return bounds.length / 2;
  }

  long start(int i) {
    return bounds[2 * i];
  }

  long end(int i) {
    return bounds[2 * i + 1];
  }

  /** The byte ranges where {@code a} and {@code b} differ, comparing up to the larger size. */
  static LostRanges diff(Content a, Content b) {
    long common = Math.min(a.size(), b.size());
    long larger = Math.max(a.size(), b.size());
    Builder out = new Builder();
    int pages = Content.pagesFor(common);
    byte[] x = new byte[Content.PAGE];
    byte[] y = new byte[Content.PAGE];
    for (int i = 0; i < pages; i++) {
      if (Content.samePage(a, b, i)) {
        continue;
      }
      long base = (long) i * Content.PAGE;
      int n = (int) Math.min(Content.PAGE, common - base);
      a.read(base, x, 0, n);
      b.read(base, y, 0, n);
      for (int k = 0; k < n; k++) {
        if (x[k] != y[k]) {
          out.add(base + k, base + k + 1);
        }
      }
    }
    out.add(common, larger);
    return out.build();
  }

  /** This set plus {@code other}. */
  LostRanges union(LostRanges other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    Builder out = new Builder();
    int i = 0;
    int j = 0;
    while (i < count() || j < other.count()) {
      boolean mine = j >= other.count() || (i < count() && start(i) <= other.start(j));
      if (mine) {
        out.add(start(i), end(i));
        i++;
      } else {
        out.add(other.start(j), other.end(j));
        j++;
      }
    }
    return out.build();
  }

  /** This set without {@code [from, to)}. */
  LostRanges minus(long from, long to) {
    if (isEmpty() || from >= to) {
      return this;
    }
    Builder out = new Builder();
    for (int i = 0; i < count(); i++) {
      long s = start(i);
      long e = end(i);
      if (e <= from || s >= to) {
        out.add(s, e);
        continue;
      }
      if (s < from) {
        out.add(s, from);
      }
      if (e > to) {
        out.add(to, e);
      }
    }
    return out.build();
  }

  /** This set cut at {@code size}: nothing at or past it. */
  LostRanges clip(long size) {
    return minus(size, Long.MAX_VALUE);
  }

  /**
   * {@code vol} with every lost byte replaced by what the device holds there: the byte of {@code
   * dur}, or zero past its size. This is what a successful sync writes.
   */
  Content writeBack(Content vol, Content dur) {
    Content out = vol;
    for (int i = 0; i < count(); i++) {
      long s = start(i);
      long e = Math.min(end(i), vol.size());
      byte[] buf = new byte[(int) Math.min(Content.PAGE, Math.max(0, e - s))];
      for (long p = s; p < e; p += buf.length) {
        int n = (int) Math.min(buf.length, e - p);
        Arrays.fill(buf, 0, n, (byte) 0);
        long fromDur = Math.max(0, Math.min(n, dur.size() - p));
        if (fromDur > 0) {
          dur.read(p, buf, 0, (int) fromDur);
        }
        out = out.write(p, buf, 0, n);
      }
    }
    return out;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LostRanges r && Arrays.equals(bounds, r.bounds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bounds);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < count(); i++) {
      sb.append(i == 0 ? "" : ", ").append(start(i)).append("..").append(end(i));
    }
    return sb.append(']').toString();
  }

  /** Collects ranges added in ascending order of start, merging overlapping and adjacent ones. */
  private static final class Builder {
    private long[] b = new long[8];
    private int n;

    void add(long s, long e) {
      if (s >= e) {
        return;
      }
      if (n > 0 && s <= b[n - 1]) {
        b[n - 1] = Math.max(b[n - 1], e);
        return;
      }
      if (n + 2 > b.length) {
        b = Arrays.copyOf(b, b.length * 2);
      }
      b[n++] = s;
      b[n++] = e;
    }

    LostRanges build() {
      return n == 0 ? NONE : new LostRanges(Arrays.copyOf(b, n));
    }
  }
}
