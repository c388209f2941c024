package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The signature on a receipt: which key signed, the Ed25519 signature over the root of the receipt
 * tree of the receipt's group commit, and the inclusion proof that ties this receipt's cover (a
 * leaf) to that root. One signature covers every receipt a group commit handed out; a group of one
 * receipt has a tree of one leaf and no siblings. The cover, the tree and the signed message are
 * specified in {@code docs/format.md} ("Receipt signatures"); offline checks are made by {@code
 * io.batpak.verify.ReceiptVerifier} (artifact {@code batpak-verify}).
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param version the cover version signed (1)
 * @param keyId BLAKE3 of the signing key's 32-byte Ed25519 public key (32 bytes)
 * @param signature the 64-byte Ed25519 signature of the root message
 * @param root the root of the receipt tree (32 bytes), the value signed
 * @param leafIndex this receipt's leaf in the tree, from 0
 * @param leafCount the number of leaves in the tree (at least 1)
 * @param siblings the inclusion proof: the sibling hashes from the leaf up to the root, 32 bytes
 *     each
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record ReceiptSignature(
    int version,
    Bytes keyId,
    Bytes signature,
    Bytes root,
    int leafIndex,
    int leafCount,
    List<Bytes> siblings) {

  /** The only cover version this build signs and checks. */
  public static final int COVER_VERSION = 1;

  /**
   * Checks the shape (not the signature: {@link Store#verifyReceipt} and the offline verifier do).
   *
   * @throws NullPointerException naming a null component
   * @throws ValidationException naming a component of the wrong size or range
   */
  public ReceiptSignature {
    Objects.requireNonNull(keyId, "keyId");
    Objects.requireNonNull(signature, "signature");
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(siblings, "siblings");
    siblings = List.copyOf(siblings);
    if (version < 1 || version > 255) {
      throw new ValidationException("receipt signature version must be 1..255, got " + version);
    }
    if (keyId.size() != 32) {
      throw new ValidationException("receipt keyId must be 32 bytes, got " + keyId.size());
    }
    if (signature.size() != 64) {
      throw new ValidationException("receipt signature must be 64 bytes, got " + signature.size());
    }
    if (root.size() != 32) {
      throw new ValidationException("receipt root must be 32 bytes, got " + root.size());
    }
    if (leafCount < 1 || leafIndex < 0 || leafIndex >= leafCount) {
      throw new ValidationException(
          "receipt leafIndex must be in [0, leafCount) and leafCount at least 1, got leafIndex "
              + leafIndex
              + " of leafCount "
              + leafCount);
    }
    if (siblings.size() > 64) {
      throw new ValidationException(
          "a receipt proof has at most 64 sibling hashes, got " + siblings.size());
    }
    for (int i = 0; i < siblings.size(); i++) {
      if (siblings.get(i).size() != 32) {
        throw new ValidationException(
            "receipt sibling " + i + " must be 32 bytes, got " + siblings.get(i).size());
      }
    }
  }
}
