package io.batpak.engine.internal.read;

import io.batpak.engine.internal.index.Index;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The batch frames whose length and CRC32C a read of this open store already checked, each with its
 * disposition, so a later read of one of their events reads only that event's record (ADR 0029).
 * Valid for one layout of the journal: the index's relocation counter ({@link Index#relocations()})
 * at the time of the check; a compaction moves it, and every frame is checked again after that.
 *
 * <p>Only frames of visible events are remembered: their bytes never change while the store is open
 * (appends only add after them; a cut after a failed write removes only frames of events that were
 * never visible, and a cut after a poisoning ends the store's writes). At most {@link #MAX_FRAMES}
 * are kept; past that, reads check whole frames as before. Thread-safe.
 */
final class CheckedFrames {
  /**
   * The most frames remembered at once: about 60 bytes each, so at most about 15 MiB; a batch frame
   * holds at least two events, most many more.
   */
  static final int MAX_FRAMES = 1 << 18;

  /** The frames checked under one value of the relocation counter. */
  private record Layout(long relocations, ConcurrentHashMap<Long, Integer> frames) {}

  private volatile Layout layout = new Layout(0, new ConcurrentHashMap<>());

  /** The key of the frame at {@code offset} of segment {@code segment}: unique per frame. */
  static long key(int segment, long offset) {
    return offset * (Index.MAX_SEGMENT_ID + 1) + segment;
  }

  /**
   * The disposition of frame {@code key} if it was checked under relocation counter {@code
   * relocations}, else -1.
   */
  int disposition(long relocations, long key) {
    Layout l = layout;
    if (l.relocations() != relocations) {
      return -1;
    }
    Integer d = l.frames().get(key);
    return d == null ? -1 : d;
  }

  /**
   * Remembers that frame {@code key}, of disposition {@code disposition}, passed its checks in a
   * read that began and ended under relocation counter {@code relocations} (even: no compaction
   * switch was under way).
   */
  void remember(long relocations, long key, int disposition) {
    Layout l = layout;
    if (l.relocations() != relocations) {
      if (l.relocations() > relocations) {
        return; // checked in a layout that is gone
      }
      // The first read after a compaction: what was checked before belongs to the old layout.
      l = new Layout(relocations, new ConcurrentHashMap<>());
      layout = l;
    }
    if (l.frames().size() < MAX_FRAMES) {
      l.frames().put(key, disposition);
    }
  }

  /** How many frames are remembered (for tests). */
  int size() {
    return layout.frames().size();
  }
}
