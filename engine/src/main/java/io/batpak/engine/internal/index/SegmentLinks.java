package io.batpak.engine.internal.index;

import io.batpak.engine.internal.format.SegmentSeal;
import java.util.Arrays;

/**
 * The causation and correlation ids of a contiguous run of rows, the active segment's, kept so that
 * its seal can list them (footer version 1, ADR 0017) and a later open need not read the segment's
 * frames for them. The index's own columns chain rows by these ids but cannot give a row's ids
 * back. An event whose correlation is its own id and that names no cause costs one byte; a link
 * costs 16 more bytes per id. Rows arrive through {@link Index#add} (the committer and the recovery
 * scan), never from a seal or a checkpoint, so a run that does not start at the active segment's
 * first row makes its seal a version 0 one (the frames are read on open, as before). Confined to
 * the thread that adds rows.
 */
public final class SegmentLinks {
  private int base;
  private int count;
  private byte[] flags = new byte[256];
  private long[] ids = new long[64];
  private int idCount;

  /**
   * Records the links of {@code row}. A row before the run belongs to a segment already sealed and
   * is ignored; a row inside it replaces it and every later one (rows given back and added again);
   * a row past its end starts a new run.
   */
  void record(
      int row,
      boolean ownCorrelation,
      long correlationHi,
      long correlationLo,
      boolean hasCausation,
      long causationHi,
      long causationLo) {
    if (row < base) {
      return;
    }
    if (row < base + count) {
      count = row - base;
      idCount = idsBefore(count);
    } else if (row > base + count) {
      base = row;
      count = 0;
      idCount = 0;
    }
    if (count == flags.length) {
      flags = Arrays.copyOf(flags, count * 2);
    }
    if (idCount + 4 > ids.length) {
      ids = Arrays.copyOf(ids, ids.length * 2);
    }
    int f = 0;
    if (!ownCorrelation) {
      f |= 1;
      ids[idCount++] = correlationHi;
      ids[idCount++] = correlationLo;
    }
    if (hasCausation) {
      f |= 2;
      ids[idCount++] = causationHi;
      ids[idCount++] = causationLo;
    }
    flags[count++] = (byte) f;
  }

  /** Forgets the rows before {@code row} (a segment ended there, or an open found it active). */
  public void keepFrom(int row) {
    if (row <= base) {
      return;
    }
    if (row >= base + count) {
      base = row;
      count = 0;
      idCount = 0;
      return;
    }
    int drop = row - base;
    int idsDropped = idsBefore(drop);
    System.arraycopy(flags, drop, flags, 0, count - drop);
    System.arraycopy(ids, idsDropped, ids, 0, idCount - idsDropped);
    base = row;
    count -= drop;
    idCount -= idsDropped;
  }

  /** The longs the first {@code n} rows of the run hold. */
  private int idsBefore(int n) {
    int longs = 0;
    for (int i = 0; i < n; i++) {
      longs += Integer.bitCount(flags[i]) * 2;
    }
    return longs;
  }

  /**
   * Gives {@code seal} the links of rows {@code [from, to)}, in order, if this holds that run from
   * its start (else nothing, and the seal lists no links).
   *
   * @return whether it did
   */
  public boolean addTo(SegmentSeal.Builder seal, int from, int to) {
    if (from != base || to > base + count) {
      return false;
    }
    int at = 0;
    for (int i = 0; i < to - from; i++) {
      int f = flags[i];
      boolean own = (f & 1) == 0;
      long corrHi = own ? 0 : ids[at++];
      long corrLo = own ? 0 : ids[at++];
      boolean cause = (f & 2) != 0;
      long causeHi = cause ? ids[at++] : 0;
      long causeLo = cause ? ids[at++] : 0;
      seal.links(own, corrHi, corrLo, cause, causeHi, causeLo);
    }
    return true;
  }
}
