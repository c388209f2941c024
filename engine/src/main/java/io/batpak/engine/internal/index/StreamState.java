package io.batpak.engine.internal.index;

import io.batpak.engine.internal.format.FrameCodec;
import java.util.Arrays;

/**
 * One stream: the global rows of its visible events in stream order, and the committer's view of
 * its head.
 *
 * <p>Readers use {@link #rows()} and {@link #count()}; only the committer (one thread at a time,
 * ordered by the commit lock) writes.
 */
public final class StreamState {
  private final String entity;
  private final int id;
  private volatile int[] rows = new int[4];
  private volatile int count;

  // Committer-only state: the head as of the last published event.
  private long nextSequence;
  private byte[] headHash = FrameCodec.ZERO_HASH;

  StreamState(String entity, int id) {
    this.entity = entity;
    this.id = id;
  }

  /** The stream's dense id in the index. */
  public int id() {
    return id;
  }

  /** The stream's name. */
  public String entity() {
    return entity;
  }

  /** The rows array; only the first {@link #count()} entries, read after it, are valid. */
  public int[] rows() {
    return rows;
  }

  /** The number of published rows. Read before {@link #rows()}. */
  public int count() {
    return count;
  }

  /** Committer: the sequence the next event gets. */
  public long nextSequence() {
    return nextSequence;
  }

  /** Committer: the hash of the newest event (zeros when empty). */
  public byte[] headHash() {
    return headHash;
  }

  /** Gives back unused row slots beyond an eighth (after a load, before anyone reads). */
  void trim() {
    int n = count;
    int keep = Math.max(4, n + (n >>> 3));
    if (rows.length > keep + (keep >>> 3)) {
      rows = Arrays.copyOf(rows, keep);
    }
  }

  /** The state a fence goes back to when it is cancelled. */
  record Savepoint(int count, long nextSequence, byte[] headHash) {}

  /** The stream's state now, before its first row of a fence. */
  Savepoint savepoint() {
    return new Savepoint(count, nextSequence, headHash);
  }

  /**
   * Goes back to {@code p}: the rows added since are dropped (they were never published, so no
   * reader saw them).
   */
  void revert(Savepoint p) {
    count = p.count();
    nextSequence = p.nextSequence();
    headHash = p.headHash();
  }

  /** Sets the head after rows were added without their hashes (loading a sealed segment). */
  void restoreHead(byte[] eventHash) {
    headHash = eventHash;
  }

  /** Installs restored rows: the stream's first {@code n} events, all published. */
  void restore(int[] restoredRows, int n, byte[] eventHash) {
    rows = restoredRows;
    count = n;
    nextSequence = n;
    headHash = eventHash;
  }

  void append(int row, long sequence, byte[] eventHash) {
    int[] r = rows;
    int n = count;
    if (n == r.length) {
      r = Arrays.copyOf(r, n * 2);
      rows = r;
    }
    r[n] = row;
    count = n + 1;
    nextSequence = sequence + 1;
    headHash = eventHash;
  }
}
