package io.batpak.engine.internal.verify;

import io.batpak.CorruptStoreException;
import io.batpak.engine.internal.format.Blake3Chunk;
import io.batpak.engine.internal.format.CompressedPayload;
import io.batpak.engine.internal.format.Decompressors;
import io.batpak.engine.internal.format.FrameCodec;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * Recomputes the two hashes of a stored record in place: the content hash (BLAKE3 of the payload)
 * and the event hash (BLAKE3 of {@code HASH_VERSION ‖ prevHash ‖ canonical header ‖ contentHash},
 * {@code docs/format.md} "Event hash"), building the canonical header from the record's bytes into
 * a reused buffer: no allocation per event. {@link FrameCodec#eventHash} is the definition; this is
 * the same function over the stored bytes (a test holds them equal). Inputs of one BLAKE3 chunk or
 * less are hashed by {@link Blake3Chunk}, longer ones by Bouncy Castle. One per thread.
 */
final class EventHasher {
  /** {@link #check}'s bit: the payload does not hash to the stored content hash. */
  static final int CONTENT_BAD = 1;

  /** {@link #check}'s bit: the recomputed event hash differs from the stored one. */
  static final int EVENT_BAD = 2;

  private final Decompressors decompressors;
  private final Blake3Digest digest = new Blake3Digest(256);
  private final byte[] out = new byte[32];
  private final int[] words = new int[16];
  private byte[] scratch = new byte[1024];

  /** The segment being checked, for errors; set before its records are handed over. */
  private volatile String file = "(no segment yet)";

  private String damage = "";

  /** A hasher that decompresses compressed payloads with {@code decompressors}. */
  EventHasher(Decompressors decompressors) {
    this.decompressors = decompressors;
  }

  /**
   * Checks the record {@code r} lays out in {@code buf}, placed at {@code globalSequence}.
   *
   * @param payloadRemoved whether compaction removed the payload (then the content hash cannot be
   *     recomputed and is taken as stored)
   * @param framePosition the offset of the record's frame in its segment, for errors
   * @return 0, or {@link #CONTENT_BAD} and/or {@link #EVENT_BAD}
   * @throws io.batpak.ProviderException if a compressed payload names a compressor that is not on
   *     the class path (the message names the segment and the frame)
   */
  int check(
      byte[] buf, RecordLayout r, long globalSequence, boolean payloadRemoved, long framePosition) {
    int status = 0;
    if (!payloadRemoved && r.compressed) {
      byte[] p = uncompressed(buf, r, framePosition);
      if (p == null || !Arrays.equals(hash(p), 0, 32, buf, r.hashesAt + 32, r.hashesAt + 64)) {
        status |= CONTENT_BAD;
      }
    } else if (!payloadRemoved) {
      boolean same;
      if (r.payloadLength <= Blake3Chunk.MAX) {
        same =
            Blake3Chunk.hashEquals(
                buf, r.payloadAt, r.payloadLength, words, null, buf, r.hashesAt + 32);
      } else {
        digest.update(buf, r.payloadAt, r.payloadLength);
        digest.doFinal(out, 0);
        same = Arrays.equals(out, 0, 32, buf, r.hashesAt + 32, r.hashesAt + 64);
      }
      if (!same) {
        status |= CONTENT_BAD;
      }
    }
    int n = canonical(buf, r, globalSequence);
    boolean same;
    if (n <= Blake3Chunk.MAX) {
      same = Blake3Chunk.hashEquals(scratch, 0, n, words, null, buf, r.hashesAt + 64);
    } else {
      digest.update(scratch, 0, n);
      digest.doFinal(out, 0);
      same = Arrays.equals(out, 0, 32, buf, r.hashesAt + 64, r.hashesAt + 96);
    }
    if (!same) {
      status |= EVENT_BAD;
    }
    return status;
  }

  /**
   * The payload's BLAKE3, as a new array (for a problem's detail); a compressed payload's after
   * decompression, or null when it does not decompress.
   */
  byte[] contentHash(byte[] buf, RecordLayout r, long framePosition) {
    if (r.compressed) {
      byte[] p = uncompressed(buf, r, framePosition);
      return p == null ? null : hash(p).clone();
    }
    digest.update(buf, r.payloadAt, r.payloadLength);
    digest.doFinal(out, 0);
    return out.clone();
  }

  /** Names the segment whose records follow, for errors. */
  void segment(String file) {
    this.file = file;
  }

  /** The compressed payload of {@code r} decompressed, or null when it is damaged. */
  private byte[] uncompressed(byte[] buf, RecordLayout r, long framePosition) {
    try {
      return CompressedPayload.decompress(
          buf, r.payloadAt, r.payloadLength, decompressors, () -> file, framePosition);
    } catch (CorruptStoreException e) {
      damage = e.getMessage();
      return null;
    }
  }

  /** Why the last compressed payload that did not decompress did not, for a problem's detail. */
  String damage() {
    return damage;
  }

  private byte[] hash(byte[] p) {
    digest.update(p, 0, p.length);
    digest.doFinal(out, 0);
    return out;
  }

  /** The recomputed event hash, as a new array (for a problem's detail). */
  byte[] eventHashOf(byte[] buf, RecordLayout r, long globalSequence) {
    int n = canonical(buf, r, globalSequence);
    digest.update(scratch, 0, n);
    digest.doFinal(out, 0);
    return out.clone();
  }

  /**
   * Writes the event hash's input ({@code HASH_VERSION ‖ prevHash ‖ canonical header ‖
   * contentHash}) into {@link #scratch}; returns its length.
   */
  private int canonical(byte[] buf, RecordLayout r, long globalSequence) {
    int need = 1 + 32 + 49 + 4 + r.entityLength + 4 + r.scopeLength + 29 + 4 + 32;
    need += 2 * (r.hashesAt - r.extensionsAt); // extension lengths widen from 2 to 4 bytes
    if (scratch.length < need) {
      scratch = new byte[Math.max(need, scratch.length * 2)];
    }
    byte[] s = scratch;
    int n = 0;
    s[n++] = FrameCodec.HASH_VERSION;
    System.arraycopy(buf, r.hashesAt, s, n, 32); // previous hash
    n += 32;
    System.arraycopy(buf, r.at + 4, s, n, 49); // id, correlation, causation flag and id
    n += 49;
    n = putInt(s, n, r.entityLength);
    System.arraycopy(buf, r.entityAt, s, n, r.entityLength);
    n += r.entityLength;
    n = putInt(s, n, r.scopeLength);
    System.arraycopy(buf, r.scopeAt, s, n, r.scopeLength);
    n += r.scopeLength;
    System.arraycopy(buf, r.kindAt, s, n, 10); // kind, stream sequence
    n += 10;
    n = putLong(s, n, globalSequence);
    System.arraycopy(buf, r.kindAt + 10, s, n, 11); // timestamp, payload version, flags
    n += 11;
    int extensions = RecordLayout.u16(buf, r.extensionsAt);
    n = putInt(s, n, extensions);
    int p = r.extensionsAt + 2;
    for (int i = 0; i < extensions; i++) {
      int k = RecordLayout.u16(buf, p);
      n = putInt(s, n, k);
      System.arraycopy(buf, p + 2, s, n, k);
      n += k;
      p += 2 + k;
      int v = FrameCodec.readInt(buf, p);
      System.arraycopy(buf, p, s, n, 4 + v);
      n += 4 + v;
      p += 4 + v;
    }
    System.arraycopy(buf, r.hashesAt + 32, s, n, 32); // content hash
    n += 32;
    return n;
  }

  private static int putInt(byte[] s, int n, int v) {
    s[n] = (byte) (v >>> 24);
    s[n + 1] = (byte) (v >>> 16);
    s[n + 2] = (byte) (v >>> 8);
    s[n + 3] = (byte) v;
    return n + 4;
  }

  private static int putLong(byte[] s, int n, long v) {
    putInt(s, n, (int) (v >>> 32));
    return putInt(s, n + 4, (int) v);
  }
}
