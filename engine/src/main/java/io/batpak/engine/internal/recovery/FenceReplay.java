package io.batpak.engine.internal.recovery;

import io.batpak.CorruptStoreException;
import io.batpak.engine.internal.fence.CancelledRanges;
import io.batpak.engine.internal.format.FenceFrame;
import io.batpak.engine.internal.index.Index;

/**
 * Replays the journal's fence frames into the index while it loads (ADR 0015), in journal order
 * beside the event frames: a begin frame opens a fence in the index, so the events that follow are
 * the fence's; its commit frame keeps them, its cancel frame cancels them. A fence still open at
 * the end of the journal was left open by a crash: {@link #finish} cancels it.
 *
 * <p>A commit or cancel frame whose begin lies before where loading started (an index checkpoint
 * covered the fence) changes nothing, once the index agrees with it: a committed range holds no
 * cancelled row, a cancelled one is cancelled already. Anything else that does not fit is a {@link
 * CorruptStoreException} naming the file and the offset of the frame.
 */
final class FenceReplay {
  private final Index index;
  private long framesSeen;

  /** Replays into {@code index}. */
  FenceReplay(Index index) {
    this.index = index;
  }

  /** How many fence frames were replayed. */
  long framesSeen() {
    return framesSeen;
  }

  /** Applies the fence frame {@code frame}, read at {@code offset} of {@code file}. */
  void apply(FenceFrame.Decoded frame, String file, long offset) {
    framesSeen++;
    int open = index.fenceFrom();
    long size = index.size();
    if (frame.type() == FenceFrame.TYPE_BEGIN) {
      if (open >= 0) {
        throw corrupt(file, offset, frame, "no fence open", "the fence begun at " + open + " open");
      }
      if (frame.first() != size) {
        throw corrupt(file, offset, frame, "first global sequence " + size, "" + frame.first());
      }
      index.beginFence();
      return;
    }
    if (open >= 0) {
      if (frame.first() != open || frame.end() != size) {
        throw corrupt(
            file,
            offset,
            frame,
            "the open fence's range [" + open + ", " + size + ")",
            "[" + frame.first() + ", " + frame.end() + ")");
      }
      if (frame.type() == FenceFrame.TYPE_COMMIT) {
        index.commitFence();
      } else {
        index.cancelFence();
      }
      return;
    }
    // No fence open here: its begin lay before where loading started (the index checkpoint).
    if (frame.end() > size) {
      throw corrupt(
          file,
          offset,
          frame,
          "a range of loaded events (the index holds " + size + ")",
          "[" + frame.first() + ", " + frame.end() + ")");
    }
    CancelledRanges cancelled = index.cancelled();
    for (long g = frame.first(); g < frame.end(); g++) {
      boolean isCancelled = cancelled.contains(g);
      if (isCancelled != (frame.type() == FenceFrame.TYPE_CANCEL)) {
        throw corrupt(
            file,
            offset,
            frame,
            "event " + g + (isCancelled ? " not cancelled" : " cancelled"),
            "the index loaded it " + (isCancelled ? "cancelled" : "visible"));
      }
    }
  }

  /**
   * At the end of the journal: cancels a fence still open (a crash left it so; its events are never
   * visible).
   *
   * @return the cancelled fence's {@code {first, end}}, or null if none was open
   */
  long[] finish() {
    if (index.fenceFrom() < 0) {
      return null;
    }
    int[] r = index.cancelFence();
    return new long[] {r[0], r[1]};
  }

  private static CorruptStoreException corrupt(
      String file, long offset, FenceFrame.Decoded frame, String expected, String actual) {
    return new CorruptStoreException(file, offset, frame.toString(), expected, actual);
  }
}
