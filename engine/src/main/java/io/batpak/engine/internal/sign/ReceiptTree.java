package io.batpak.engine.internal.sign;

import io.batpak.engine.internal.format.Blake3;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The receipt tree of one group commit ({@code docs/format.md}, "Receipt signatures"): the Merkle
 * tree of RFC 9162 §2.1 over the leaves {@code BLAKE3(0x00 ‖ cover)}, interior nodes {@code
 * BLAKE3(0x01 ‖ left ‖ right)}, split at the largest power of two below the leaf count. The signed
 * message binds the root to the leaf count and the cover version. Stateless; callers pass their own
 * {@link Blake3} (not thread-safe).
 */
public final class ReceiptTree {
  /** {@code \x89BPKRRT\n}: opens every signed root message. */
  public static final byte[] ROOT_MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'R', 'R', 'T', '\n'};

  private ReceiptTree() {}

  /** The leaf hash of {@code cover}. */
  public static byte[] leaf(Blake3 blake3, byte[] cover) {
    return blake3.update((byte) 0).update(cover, 0, cover.length).finish();
  }

  /** The interior node over {@code left} and {@code right}. */
  static byte[] node(Blake3 blake3, byte[] left, byte[] right) {
    return blake3.update((byte) 1).update(left, 0, 32).update(right, 0, 32).finish();
  }

  /** The message an Ed25519 key signs for a tree of {@code leafCount} leaves with {@code root}. */
  public static byte[] message(int version, int leafCount, byte[] root) {
    return ByteBuffer.allocate(8 + 1 + 4 + 32)
        .put(ROOT_MAGIC)
        .put((byte) version)
        .putInt(leafCount)
        .put(root)
        .array();
  }

  /** A built tree: its root, and each leaf's inclusion proof (siblings from the leaf up). */
  public record Built(byte[] root, List<List<byte[]>> proofs) {}

  /** Builds the tree over {@code leaves} (at least one), in O(n log n). */
  public static Built build(Blake3 blake3, List<byte[]> leaves) {
    if (leaves.isEmpty()) {
      throw new IllegalArgumentException("a receipt tree has at least one leaf");
    }
    List<List<byte[]>> proofs = new ArrayList<>(leaves.size());
    for (int i = 0; i < leaves.size(); i++) {
      proofs.add(new ArrayList<>());
    }
    byte[] root = subtree(blake3, leaves, proofs, 0, leaves.size());
    return new Built(root, proofs);
  }

  private static byte[] subtree(
      Blake3 blake3, List<byte[]> leaves, List<List<byte[]>> proofs, int from, int to) {
    int n = to - from;
    if (n == 1) {
      return leaves.get(from);
    }
    int k = Integer.highestOneBit(n - 1);
    byte[] left = subtree(blake3, leaves, proofs, from, from + k);
    byte[] right = subtree(blake3, leaves, proofs, from + k, to);
    for (int i = from; i < from + k; i++) {
      proofs.get(i).add(right);
    }
    for (int i = from + k; i < to; i++) {
      proofs.get(i).add(left);
    }
    return node(blake3, left, right);
  }

  /**
   * The root that {@code proof} leads to from {@code leaf} at {@code index} of {@code count} (RFC
   * 9162 §2.1.3.2), or null when the proof's length does not fit the index and count.
   */
  public static byte[] rootFrom(
      Blake3 blake3, byte[] leaf, long index, long count, List<byte[]> proof) {
    if (index < 0 || index >= count) {
      return null;
    }
    long fn = index;
    long sn = count - 1;
    byte[] r = leaf;
    for (byte[] p : proof) {
      if (sn == 0) {
        return null;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = node(blake3, p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = node(blake3, r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : null;
  }

  /** Whether {@code a} and {@code b} are equal, in time independent of where they differ. */
  static boolean same(byte[] a, byte[] b) {
    return a != null && b != null && java.security.MessageDigest.isEqual(a, b);
  }

  static byte[] copy(byte[] b) {
    return Arrays.copyOf(b, b.length);
  }
}
