package io.batpak.engine.internal.verify;

import java.util.Arrays;

/**
 * The end of each stream's chain so far, by the index's dense stream id: its stream sequence and
 * event hash (41 bytes a stream, in three primitive arrays; nothing per event). A head is unknown
 * when the event at it could not be read as the index's event (its frame damaged or another event
 * in its place): the next link of that stream cannot be checked.
 */
final class ChainHeads {
  private long[] sequence = new long[64];
  private byte[] hash = new byte[64 * 32];
  private boolean[] unknown = new boolean[64];
  private int streams;

  ChainHeads() {
    Arrays.fill(sequence, -1);
  }

  /** How many streams have a head. */
  int streams() {
    return streams;
  }

  /** The stream sequence the next event of {@code stream} must have (0 for a new stream). */
  long nextSequence(int stream) {
    return stream < sequence.length ? sequence[stream] + 1 : 0;
  }

  /** Whether {@code stream} has a head whose event hash is not known. */
  boolean unknown(int stream) {
    return stream < sequence.length && unknown[stream];
  }

  /**
   * Whether the 32 bytes at {@code at} of {@code buf} equal the head's event hash (32 zero bytes
   * for a stream without one). Meaningless when the head is {@link #unknown}.
   */
  boolean linksTo(int stream, byte[] buf, int at) {
    if (stream >= sequence.length || sequence[stream] < 0) {
      for (int i = 0; i < 32; i++) {
        if (buf[at + i] != 0) {
          return false;
        }
      }
      return true;
    }
    return Arrays.equals(hash, stream * 32, stream * 32 + 32, buf, at, at + 32);
  }

  /** The head's event hash (zeros for none), as a new array, for a problem's detail. */
  byte[] hash(int stream) {
    return stream >= sequence.length || sequence[stream] < 0
        ? new byte[32]
        : Arrays.copyOfRange(hash, stream * 32, stream * 32 + 32);
  }

  /**
   * Moves {@code stream}'s head to the event at {@code streamSequence} with the hash at {@code at}.
   */
  void advance(int stream, long streamSequence, byte[] buf, int at) {
    ensure(stream);
    System.arraycopy(buf, at, hash, stream * 32, 32);
    unknown[stream] = false;
    sequence[stream] = streamSequence;
  }

  /** Moves {@code stream}'s head to an event at {@code streamSequence} whose hash is not known. */
  void advanceUnknown(int stream, long streamSequence) {
    ensure(stream);
    unknown[stream] = true;
    sequence[stream] = streamSequence;
  }

  private void ensure(int stream) {
    if (stream >= sequence.length) {
      int n = Math.max(stream + 1, sequence.length * 2);
      int old = sequence.length;
      sequence = Arrays.copyOf(sequence, n);
      Arrays.fill(sequence, old, n, -1);
      hash = Arrays.copyOf(hash, n * 32);
      unknown = Arrays.copyOf(unknown, n);
    }
    if (sequence[stream] < 0) {
      streams++;
    }
  }
}
