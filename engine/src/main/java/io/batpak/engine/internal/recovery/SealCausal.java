package io.batpak.engine.internal.recovery;

import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.port.FileHandle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The causation and correlation ids of a sealed segment's events: from its seal when the footer
 * lists them (version 1), else (a version 0 footer, ADR 0017) read from the frames the seal names,
 * a MiB at a time in one sequential pass, each frame's CRC checked. A frame that fails its CRC is
 * not believed: its events get no links (they are not listed as anyone's consequence or in any
 * correlation), and the open report says which frame; a read of such an event fails with the
 * frame's file and offset, as it did before.
 */
final class SealCausal {
  private static final int WINDOW = 1 << 20;

  /** Per event from the first asked for: the correlation and causation ids. */
  final long[] correlationHi;

  final long[] correlationLo;
  final boolean[] hasCausation;
  final long[] causationHi;
  final long[] causationLo;

  private SealCausal(int n) {
    correlationHi = new long[n];
    correlationLo = new long[n];
    hasCausation = new boolean[n];
    causationHi = new long[n];
    causationLo = new long[n];
  }

  /** The ids of the seal's events {@code first} and on, as its footer lists them. */
  static SealCausal listed(SegmentSeal seal, int first) {
    int n = seal.size() - first;
    SealCausal out = new SealCausal(n);
    System.arraycopy(seal.correlationHi, first, out.correlationHi, 0, n);
    System.arraycopy(seal.correlationLo, first, out.correlationLo, 0, n);
    System.arraycopy(seal.hasCausation, first, out.hasCausation, 0, n);
    System.arraycopy(seal.causationHi, first, out.causationHi, 0, n);
    System.arraycopy(seal.causationLo, first, out.causationLo, 0, n);
    return out;
  }

  /**
   * Reads the ids of the seal's events {@code first} and on.
   *
   * @param notes where a frame that fails its CRC is reported
   */
  static SealCausal read(
      FileHandle handle, String file, SegmentSeal seal, int first, List<String> notes)
      throws IOException {
    int n = seal.size() - first;
    SealCausal out = new SealCausal(n);
    byte[] window = new byte[0];
    long windowAt = 0;
    long badFrame = -1;
    boolean frameOk = false;
    long frameAt = -1;
    for (int j = 0; j < n; j++) {
      int i = first + j;
      long offset = seal.frameOffset[i];
      int length = seal.frameLength[i];
      if (offset < windowAt || offset + length > windowAt + window.length) {
        int size = (int) Math.min(Math.max(WINDOW, length), seal.framesEnd - offset);
        window = new byte[Math.max(size, length)];
        handle.read(ByteBuffer.wrap(window, 0, window.length), offset);
        windowAt = offset;
      }
      int at = (int) (offset - windowAt);
      if (offset != frameAt) {
        frameAt = offset;
        frameOk =
            FrameCodec.readInt(window, at) == length - FrameCodec.PREFIX
                && FrameCodec.crcMatches(window, at, length - FrameCodec.PREFIX);
        if (!frameOk && badFrame != offset) {
          badFrame = offset;
          notes.add(
              file
                  + ": the frame at offset "
                  + offset
                  + " fails its CRC32C; its events were loaded from the seal without causation"
                  + " and correlation links (a read of them reports the damage)");
        }
      }
      if (!frameOk) {
        out.correlationHi[j] = seal.idHi[i];
        out.correlationLo[j] = seal.idLo[i];
        continue;
      }
      // The record: u32 length, id (16), correlation (16), causation flag (1), causation (16).
      int r = at + FrameCodec.PREFIX + seal.recordOffset[i] + 4 + 16;
      if (seal.recordOffset[i] < FrameCodec.BODY_HEADER
          || r + 33 > at + length
          || FrameCodec.readLong(window, r - 16) != seal.idHi[i]
          || FrameCodec.readLong(window, r - 8) != seal.idLo[i]) {
        notes.add(
            file
                + ": the frame at offset "
                + offset
                + " does not hold event "
                + (seal.baseGlobal + i)
                + " where its seal says (record offset "
                + seal.recordOffset[i]
                + "); the event was loaded without causation and correlation links");
        out.correlationHi[j] = seal.idHi[i];
        out.correlationLo[j] = seal.idLo[i];
        continue;
      }
      out.correlationHi[j] = FrameCodec.readLong(window, r);
      out.correlationLo[j] = FrameCodec.readLong(window, r + 8);
      out.hasCausation[j] = window[r + 16] != 0;
      out.causationHi[j] = FrameCodec.readLong(window, r + 17);
      out.causationLo[j] = FrameCodec.readLong(window, r + 25);
    }
    return out;
  }
}
