package io.batpak.engine.internal.sign;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.engine.internal.format.Blake3;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The receipt tree: every leaf's proof leads to the root for every size up to 70 (and a few larger
 * ones), the root equals RFC 9162's recursive definition, and any change to a proof, its leaf, its
 * index or its count leads elsewhere or is refused.
 */
class ReceiptTreeTest {
  private final Blake3 blake3 = new Blake3();

  private List<byte[]> leaves(int n, Random random) {
    List<byte[]> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      byte[] b = new byte[1 + random.nextInt(40)];
      random.nextBytes(b);
      out.add(ReceiptTree.leaf(blake3, b));
    }
    return out;
  }

  /** RFC 9162 §2.1.1, written from the definition. */
  private byte[] mth(List<byte[]> leaves) {
    if (leaves.size() == 1) {
      return leaves.get(0);
    }
    int k = 1;
    while (k * 2 < leaves.size()) {
      k *= 2;
    }
    return ReceiptTree.node(
        blake3, mth(leaves.subList(0, k)), mth(leaves.subList(k, leaves.size())));
  }

  @Test
  void everyProofOfEverySizeLeadsToTheRecursiveRoot() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int n : sizes()) {
      List<byte[]> leaves = leaves(n, random);
      ReceiptTree.Built t = ReceiptTree.build(blake3, leaves);
      assertArrayEquals(mth(leaves), t.root(), "seed " + seed + ", n " + n);
      for (int i = 0; i < n; i++) {
        List<byte[]> proof = t.proofs().get(i);
        assertArrayEquals(
            t.root(),
            ReceiptTree.rootFrom(blake3, leaves.get(i), i, n, proof),
            "seed " + seed + ", leaf " + i + " of " + n);
      }
    }
  }

  @Test
  void aChangedSiblingIndexCountOrLeafNeverLeadsToTheRoot() {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    for (int n : sizes()) {
      List<byte[]> leaves = leaves(n, random);
      ReceiptTree.Built t = ReceiptTree.build(blake3, leaves);
      for (int i = 0; i < n; i++) {
        String where = "seed " + seed + ", leaf " + i + " of " + n;
        List<byte[]> proof = t.proofs().get(i);
        for (int s = 0; s < proof.size(); s++) {
          List<byte[]> bad = new ArrayList<>(proof);
          byte[] sib = Arrays.copyOf(proof.get(s), 32);
          sib[random.nextInt(32)] ^= (byte) (1 << random.nextInt(8));
          bad.set(s, sib);
          assertFalse(
              ReceiptTree.same(t.root(), ReceiptTree.rootFrom(blake3, leaves.get(i), i, n, bad)),
              where + ", sibling " + s);
        }
        byte[] leaf = Arrays.copyOf(leaves.get(i), 32);
        leaf[0] ^= 1;
        assertFalse(
            ReceiptTree.same(t.root(), ReceiptTree.rootFrom(blake3, leaf, i, n, proof)), where);
        for (int j = 0; j < n; j++) {
          if (j != i) {
            assertFalse(
                ReceiptTree.same(
                    t.root(), ReceiptTree.rootFrom(blake3, leaves.get(i), j, n, proof)),
                where + " claimed at index " + j);
          }
        }
        // A proof does not bind the tree size by itself (RFC 9162): the signed message does.
        for (int m = 1; m <= n + 2; m++) {
          byte[] other = ReceiptTree.rootFrom(blake3, leaves.get(i), i, m, proof);
          if (m != n && other != null) {
            assertFalse(
                Arrays.equals(
                    ReceiptTree.message(1, n, t.root()), ReceiptTree.message(1, m, other)),
                where + " claimed in a tree of " + m);
          }
        }
        if (!proof.isEmpty()) {
          assertNull(
              ReceiptTree.rootFrom(blake3, leaves.get(i), i, n, proof.subList(1, proof.size())),
              where + ": a proof one sibling short is refused");
          List<byte[]> longer = new ArrayList<>(proof);
          longer.add(new byte[32]);
          assertNull(
              ReceiptTree.rootFrom(blake3, leaves.get(i), i, n, longer),
              where + ": a proof one sibling long is refused");
        }
      }
    }
  }

  @Test
  void outOfRangeIndexesAndEmptyTreesAreRefused() {
    byte[] leaf = ReceiptTree.leaf(blake3, new byte[] {1});
    assertNull(ReceiptTree.rootFrom(blake3, leaf, 1, 1, List.of()));
    assertNull(ReceiptTree.rootFrom(blake3, leaf, -1, 1, List.of()));
    assertArrayEquals(leaf, ReceiptTree.rootFrom(blake3, leaf, 0, 1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> ReceiptTree.build(blake3, List.of()));
  }

  @Test
  void theLeafAndNodeAreDomainSeparated() {
    byte[] a = ReceiptTree.leaf(blake3, new byte[] {1});
    byte[] b = ReceiptTree.leaf(blake3, new byte[] {2});
    byte[] concat = new byte[64];
    System.arraycopy(a, 0, concat, 0, 32);
    System.arraycopy(b, 0, concat, 32, 32);
    // A leaf whose data is two hashes is not the node over them (0x00 vs 0x01 prefix).
    assertFalse(Arrays.equals(ReceiptTree.node(blake3, a, b), ReceiptTree.leaf(blake3, concat)));
    assertEquals(45, ReceiptTree.message(1, 3, a).length);
  }

  private static int[] sizes() {
    int[] out = new int[75];
    for (int i = 0; i < 70; i++) {
      out[i] = i + 1;
    }
    out[70] = 127;
    out[71] = 128;
    out[72] = 129;
    out[73] = 255;
    out[74] = 257;
    return out;
  }
}
