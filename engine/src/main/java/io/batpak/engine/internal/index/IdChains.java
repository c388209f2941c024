package io.batpak.engine.internal.index;

import io.batpak.engine.internal.artifact.BodyInput;
import io.batpak.engine.internal.artifact.BodyOutput;
import java.io.IOException;

/**
 * An open-addressing map from a 128-bit id to the first and last row of a chain of rows (the chain
 * itself is an int column of the index: each row names the next). Used twice by the {@link Index}:
 * causation (cause id to the rows it caused) and correlation (correlation id to its members). No
 * object per entry: five parallel arrays, replaced as a whole when they grow.
 *
 * <h2>Concurrency</h2>
 *
 * One writer (the index's) and any number of readers, under the index's publication discipline: the
 * writer fills an entry before it publishes the row that created it, and publishes a grown table
 * through a volatile field, so a reader that read {@link Index#visible()} first sees every entry
 * created by a row below it. An entry created by a row a reader cannot see yet may be seen
 * half-written; {@link #first} ignores it by its {@code createdBy} row. Slots are never freed, so
 * linear probing finds every entry created before the probe's table was published.
 */
final class IdChains {

  /** The arrays; {@code first[i] == 0} marks an empty slot (rows are stored plus one). */
  static final class Table {
    final long[] hi;
    final long[] lo;
    final int[] first;
    final int[] last;
    final int[] createdBy;

    Table(int slots) {
      hi = new long[slots];
      lo = new long[slots];
      first = new int[slots];
      last = new int[slots];
      createdBy = new int[slots];
    }

    int slots() {
      return first.length;
    }
  }

  private volatile Table table = new Table(64);
  private int entries;

  /** Writer: the slot of {@code (hi, lo)}, or -1. */
  int slot(long hi, long lo) {
    Table t = table;
    int mask = t.slots() - 1;
    for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      if (t.first[i] == 0) {
        return -1;
      }
      if (t.hi[i] == hi && t.lo[i] == lo) {
        return i;
      }
    }
  }

  /** Writer: the last row of the chain in {@code slot}. */
  int last(int slot) {
    return table.last[slot];
  }

  /** Writer: sets the last row of the chain in {@code slot}. */
  void last(int slot, int row) {
    table.last[slot] = row;
  }

  /**
   * Writer: adds an entry for {@code (hi, lo)}, which must be absent, whose chain starts and ends
   * at {@code first}, created by row {@code createdBy} (the row whose addition made it).
   *
   * @return its slot
   */
  int insert(long hi, long lo, int first, int createdBy) {
    Table t = table;
    if ((entries + 1) * 4L > t.slots() * 3L) {
      Table bigger = new Table(t.slots() * 2);
      for (int i = 0; i < t.slots(); i++) {
        if (t.first[i] != 0) {
          place(bigger, t.hi[i], t.lo[i], t.first[i] - 1, t.last[i], t.createdBy[i]);
        }
      }
      int slot = place(bigger, hi, lo, first, first, createdBy);
      table = bigger;
      entries++;
      return slot;
    }
    entries++;
    return place(t, hi, lo, first, first, createdBy);
  }

  private static int place(Table t, long hi, long lo, int first, int last, int createdBy) {
    int mask = t.slots() - 1;
    int i = hash(hi, lo) & mask;
    while (t.first[i] != 0) {
      i = (i + 1) & mask;
    }
    t.hi[i] = hi;
    t.lo[i] = lo;
    t.last[i] = last;
    t.createdBy[i] = createdBy;
    t.first[i] = first + 1;
    return i;
  }

  /**
   * Reader: the first row of the chain of {@code (hi, lo)}, if its entry was created by a row below
   * {@code visible}; else -1 (no such entry, or one a reader at {@code visible} cannot trust yet).
   */
  int first(long hi, long lo, int visible) {
    Table t = table;
    int mask = t.slots() - 1;
    for (int i = hash(hi, lo) & mask; ; i = (i + 1) & mask) {
      int f = t.first[i];
      if (f == 0) {
        return -1;
      }
      if (t.hi[i] == hi && t.lo[i] == lo) {
        return t.createdBy[i] < visible ? f - 1 : -1;
      }
    }
  }

  /** The number of entries. Writer only. */
  int entries() {
    return entries;
  }

  private static int hash(long hi, long lo) {
    long h = lo * 0xC2B2AE3D27D4EB4FL ^ hi;
    h ^= h >>> 31;
    h *= 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    return (int) h;
  }

  /** Writes the table as it is (docs/format.md "Index checkpoint", version 2). Writer only. */
  void write(BodyOutput out) throws IOException {
    Table t = table;
    int n = t.slots();
    out.putInt(n).putInt(entries);
    out.putLongs(t.hi, n).putLongs(t.lo, n);
    out.putInts(t.first, n).putInts(t.last, n).putInts(t.createdBy, n);
  }

  /**
   * Reads a table written by {@link #write} for an index of {@code rows} rows.
   *
   * @throws IndexImage.Inconsistent if it is not what a writer writes
   */
  static IdChains read(BodyInput in, int rows, String what)
      throws IOException, IndexImage.Inconsistent {
    int n = in.getInt();
    int count = in.getInt();
    if (n < 64
        || Integer.bitCount(n) != 1
        || n > in.remaining() / 28
        || count < 0
        || count > rows
        || count * 4L > n * 3L) {
      throw new IndexImage.Inconsistent(
          "a " + what + " table of " + n + " slots holding " + count + " entries");
    }
    Table t = new Table(n);
    in.getLongs(t.hi, n);
    in.getLongs(t.lo, n);
    in.getInts(t.first, n);
    in.getInts(t.last, n);
    in.getInts(t.createdBy, n);
    int used = 0;
    for (int i = 0; i < n; i++) {
      if (t.first[i] == 0) {
        continue;
      }
      used++;
      int first = t.first[i] - 1;
      if (first < 0
          || first >= rows
          || t.last[i] < first
          || t.last[i] >= rows
          || t.createdBy[i] < first
          || t.createdBy[i] >= rows) {
        throw new IndexImage.Inconsistent(
            "a "
                + what
                + " entry with rows "
                + first
                + ".."
                + t.last[i]
                + " (created by "
                + t.createdBy[i]
                + ") in an index of "
                + rows);
      }
    }
    if (used != count) {
      throw new IndexImage.Inconsistent(
          "a " + what + " table holding " + used + " entries, not " + count);
    }
    IdChains c = new IdChains();
    c.table = t;
    c.entries = count;
    return c;
  }
}
