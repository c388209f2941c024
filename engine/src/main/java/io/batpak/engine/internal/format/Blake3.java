package io.batpak.engine.internal.format;

import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * BLAKE3-256 through Bouncy Castle. An instance reuses one digest and is not thread-safe; the
 * committer keeps one, readers make their own.
 */
public final class Blake3 {
  /** Output size in bytes. */
  public static final int SIZE = 32;

  private final Blake3Digest digest = new Blake3Digest(SIZE * 8);

  /** Adds bytes to the running hash. */
  public Blake3 update(byte[] bytes, int offset, int length) {
    digest.update(bytes, offset, length);
    return this;
  }

  /** Adds one byte to the running hash. */
  public Blake3 update(byte b) {
    digest.update(b);
    return this;
  }

  /** Finishes the hash into a new 32-byte array and resets for the next one. */
  public byte[] finish() {
    byte[] out = new byte[SIZE];
    digest.doFinal(out, 0);
    return out;
  }

  /** The hash of {@code bytes[offset, offset+length)}. */
  public byte[] hash(byte[] bytes, int offset, int length) {
    digest.reset();
    digest.update(bytes, offset, length);
    return finish();
  }
}
