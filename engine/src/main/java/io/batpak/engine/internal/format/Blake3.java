package io.batpak.engine.internal.format;

import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * BLAKE3-256 through Bouncy Castle, the hash of every payload and event on the commit path. (The
 * one-chunk {@link Blake3Chunk} is not used here: in isolation it is about 1.2 times slower than a
 * reused {@code Blake3Digest}, {@code HashBenchmark} in {@code bench}.) An instance reuses one
 * digest and is not thread-safe; the committer keeps one, readers make their own.
 */
public final class Blake3 {
  /** Output size in bytes. */
  public static final int SIZE = 32;

  private Blake3Digest digest = new Blake3Digest(SIZE * 8);
  private boolean running; // input was added since the last finish

  /** Adds bytes to the running hash. */
  public Blake3 update(byte[] bytes, int offset, int length) {
    digest.update(bytes, offset, length);
    running = true;
    return this;
  }

  /** Adds one byte to the running hash. */
  public Blake3 update(byte b) {
    digest.update(b);
    running = true;
    return this;
  }

  /** Finishes the hash into a new 32-byte array and resets for the next one. */
  public byte[] finish() {
    byte[] out = new byte[SIZE];
    digest.doFinal(out, 0);
    running = false;
    return out;
  }

  /** The hash of {@code bytes[offset, offset+length)} on its own; a running hash is discarded. */
  public byte[] hash(byte[] bytes, int offset, int length) {
    if (running) {
      // Bouncy Castle 1.87's Blake3Digest.reset() leaves state behind after more than one chunk
      // of input (a Blake3Test case fails with it): an abandoned input gets a fresh digest.
      digest = new Blake3Digest(SIZE * 8);
    }
    return update(bytes, offset, length).finish();
  }
}
