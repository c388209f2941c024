package io.batpak.engine.internal.sign;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ReceiptSignature;
import io.batpak.ReceiptVerification;
import io.batpak.SigningPolicy;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * The signature part of {@code Store.verifyReceipt}, run once the receipt matched its stored event:
 * under {@link SigningPolicy#REQUIRED} an unsigned receipt is {@code MISSING_SIGNATURE}; a signed
 * receipt (under any policy) must name a configured key ({@code UNKNOWN_KEY}), its proof must lead
 * from the stored event's cover to the receipt's root ({@code BAD_PROOF}), and the signature of
 * that root must verify ({@code BAD_SIGNATURE}). Thread-safe (per-call state only).
 */
public final class SignatureChecks {
  private final KeyRing keys;

  /** Checks against {@code keys}. */
  public SignatureChecks(KeyRing keys) {
    this.keys = keys;
  }

  /**
   * Why {@code receipt}'s signature fails for the stored event {@code r}, or null when it holds.
   */
  public ReceiptVerification.Invalid check(AppendReceipt receipt, EventRecord r) {
    if (receipt.signature().isEmpty()) {
      if (keys.policy() == SigningPolicy.REQUIRED) {
        return invalid(
            ReceiptVerification.Reason.MISSING_SIGNATURE,
            "the store's signingPolicy is REQUIRED and the receipt of "
                + receipt.eventId()
                + " is unsigned");
      }
      return null;
    }
    ReceiptSignature s = receipt.signature().get();
    if (s.version() != ReceiptCover.VERSION) {
      return invalid(
          ReceiptVerification.Reason.BAD_PROOF,
          "the receipt names cover version "
              + s.version()
              + "; this build knows version "
              + ReceiptCover.VERSION);
    }
    Ed25519PublicKeyParameters key = keys.verifying(s.keyId());
    if (key == null) {
      return invalid(
          ReceiptVerification.Reason.UNKNOWN_KEY,
          "the receipt was signed by key id "
              + s.keyId().toHex()
              + ", which is neither a signingKey nor a verifyingKey of this store");
    }
    Blake3 blake3 = new Blake3();
    byte[] leaf = ReceiptTree.leaf(blake3, ReceiptCover.of(r));
    List<byte[]> proof = new ArrayList<>(s.siblings().size());
    for (Bytes b : s.siblings()) {
      proof.add(b.toByteArray());
    }
    byte[] root = ReceiptTree.rootFrom(blake3, leaf, s.leafIndex(), s.leafCount(), proof);
    byte[] claimed = s.root().toByteArray();
    if (!ReceiptTree.same(root, claimed)) {
      return invalid(
          ReceiptVerification.Reason.BAD_PROOF,
          root == null
              ? "the proof has "
                  + proof.size()
                  + " siblings, which leaf "
                  + s.leafIndex()
                  + " of "
                  + s.leafCount()
                  + " does not allow"
              : "the proof from the stored event's cover (leaf "
                  + s.leafIndex()
                  + " of "
                  + s.leafCount()
                  + ") leads to root "
                  + Bytes.ofOwned(root).toHex()
                  + ", the receipt says "
                  + s.root().toHex());
    }
    byte[] message = ReceiptTree.message(s.version(), s.leafCount(), claimed);
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, key);
    verifier.update(message, 0, message.length);
    if (!verifier.verifySignature(s.signature().toByteArray())) {
      return invalid(
          ReceiptVerification.Reason.BAD_SIGNATURE,
          "the Ed25519 signature of root "
              + s.root().toHex()
              + " does not verify under key id "
              + s.keyId().toHex());
    }
    return null;
  }

  private static ReceiptVerification.Invalid invalid(
      ReceiptVerification.Reason reason, String detail) {
    return new ReceiptVerification.Invalid(reason, detail);
  }
}
