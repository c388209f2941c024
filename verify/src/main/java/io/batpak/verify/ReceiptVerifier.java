package io.batpak.verify;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.ReceiptSignature;
import io.batpak.ValidationException;
import java.security.MessageDigest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

/**
 * Checks a receipt against the event it names with no store: the event's header and payload bytes
 * and a set of Ed25519 public keys are all it needs. It recomputes the content hash from the
 * payload and the event hash from the header ({@code docs/format.md}, "Hash chain"), then, for a
 * signed receipt, the receipt cover, the inclusion proof up to the receipt's root, and the
 * signature of that root ("Receipt signatures"). It does not check the event's place in its
 * stream's chain (that needs the predecessor; {@code Store.verifyReceipt} and {@code
 * Store.verifyAll} do it): the previous hash is taken from the receipt, and covered by the event
 * hash and the signature.
 *
 * <p>Immutable and thread-safe.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class ReceiptVerifier {
  private final Map<Bytes, Ed25519PublicKeyParameters> keys;
  private final boolean requireSignature;

  private ReceiptVerifier(Builder b) {
    this.keys = Map.copyOf(b.keys);
    this.requireSignature = b.requireSignature;
  }

  /** A verifier that knows {@code publicKeys} and accepts unsigned receipts. */
  public static ReceiptVerifier of(Iterable<Bytes> publicKeys) {
    Builder b = builder();
    for (Bytes k : Objects.requireNonNull(publicKeys, "publicKeys")) {
      b.key(k);
    }
    return b.build();
  }

  /** A builder with no keys that accepts unsigned receipts. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * The key id of an Ed25519 public key: {@code BLAKE3(publicKey)}, as receipts name it.
   *
   * @throws ValidationException if {@code publicKey} is not 32 bytes
   */
  public static Bytes keyId(Bytes publicKey) {
    checkKey(publicKey);
    return Bytes.ofOwned(Hashes.blake3(publicKey.toByteArray()));
  }

  /**
   * The verdict on {@code receipt} for the event with {@code header} and {@code payload}.
   *
   * @throws NullPointerException naming a null argument
   */
  public Verdict verify(AppendReceipt receipt, EventHeader header, Bytes payload) {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(payload, "payload");
    Verdict.Invalid mismatch = mismatch(receipt, header, payload);
    if (mismatch != null) {
      return mismatch;
    }
    byte[] content = Hashes.blake3(payload.toByteArray());
    if (!Bytes.of(content).equals(receipt.contentHash())) {
      return invalid(
          Verdict.Reason.CONTENT_HASH_MISMATCH,
          "BLAKE3 of the "
              + payload.size()
              + " payload bytes is "
              + Bytes.of(content).toHex()
              + ", the receipt says "
              + receipt.contentHash().toHex());
    }
    byte[] prev = receipt.prevHash().toByteArray();
    byte[] event = Hashes.eventHash(header, prev, content);
    if (!Bytes.of(event).equals(receipt.eventHash())) {
      return invalid(
          Verdict.Reason.EVENT_HASH_MISMATCH,
          "the event hash recomputed from the header is "
              + Bytes.of(event).toHex()
              + ", the receipt says "
              + receipt.eventHash().toHex());
    }
    if (receipt.signature().isEmpty()) {
      return requireSignature
          ? invalid(
              Verdict.Reason.MISSING_SIGNATURE,
              "the receipt of "
                  + receipt.eventId()
                  + " is unsigned and this verifier requires"
                  + " signatures")
          : new Verdict.UnsignedAccepted();
    }
    ReceiptSignature s = receipt.signature().get();
    if (s.version() != Hashes.COVER_VERSION) {
      return invalid(
          Verdict.Reason.UNSUPPORTED_VERSION,
          "the receipt names cover version "
              + s.version()
              + "; this verifier knows version "
              + Hashes.COVER_VERSION);
    }
    Ed25519PublicKeyParameters key = keys.get(s.keyId());
    if (key == null) {
      return invalid(
          Verdict.Reason.UNKNOWN_KEY,
          "the receipt was signed by key id "
              + s.keyId().toHex()
              + ", which is not among the "
              + keys.size()
              + " keys this verifier was given");
    }
    byte[] leaf = Hashes.leaf(Hashes.cover(header, prev, content, event));
    byte[] root = Hashes.rootFrom(leaf, s.leafIndex(), s.leafCount(), s.siblings());
    byte[] claimed = s.root().toByteArray();
    if (root == null || !MessageDigest.isEqual(root, claimed)) {
      return invalid(
          Verdict.Reason.BAD_PROOF,
          root == null
              ? "the proof has "
                  + s.siblings().size()
                  + " siblings, which leaf "
                  + s.leafIndex()
                  + " of "
                  + s.leafCount()
                  + " does not allow"
              : "the proof from the event's cover (leaf "
                  + s.leafIndex()
                  + " of "
                  + s.leafCount()
                  + ") leads to root "
                  + Bytes.of(root).toHex()
                  + ", the receipt says "
                  + s.root().toHex());
    }
    byte[] message = Hashes.message(s.version(), s.leafCount(), claimed);
    Ed25519Signer verifier = new Ed25519Signer();
    verifier.init(false, key);
    verifier.update(message, 0, message.length);
    if (!verifier.verifySignature(s.signature().toByteArray())) {
      return invalid(
          Verdict.Reason.BAD_SIGNATURE,
          "the Ed25519 signature of root "
              + s.root().toHex()
              + " does not verify under key id "
              + s.keyId().toHex());
    }
    return new Verdict.SignedValid(s.keyId());
  }

  private static Verdict.Invalid mismatch(AppendReceipt r, EventHeader h, Bytes payload) {
    String field = null;
    String expected = null;
    String actual = null;
    if (!r.eventId().equals(h.eventId())) {
      field = "eventId";
      expected = r.eventId().toString();
      actual = h.eventId().toString();
    } else if (r.globalSequence() != h.globalSequence()) {
      field = "globalSequence";
      expected = Long.toString(r.globalSequence());
      actual = Long.toString(h.globalSequence());
    } else if (r.streamSequence() != h.streamSequence()) {
      field = "streamSequence";
      expected = Long.toString(r.streamSequence());
      actual = Long.toString(h.streamSequence());
    } else if (!r.prevHash().equals(h.prevHash())) {
      field = "prevHash";
      expected = r.prevHash().toHex();
      actual = h.prevHash().toHex();
    } else if (!r.contentHash().equals(h.contentHash())) {
      field = "contentHash";
      expected = r.contentHash().toHex();
      actual = h.contentHash().toHex();
    } else if (!r.eventHash().equals(h.eventHash())) {
      field = "eventHash";
      expected = r.eventHash().toHex();
      actual = h.eventHash().toHex();
    } else if (h.payloadSize() != payload.size()) {
      return invalid(
          Verdict.Reason.EVENT_MISMATCH,
          "the header's payloadSize is "
              + h.payloadSize()
              + ", the payload has "
              + payload.size()
              + " bytes");
    }
    return field == null
        ? null
        : invalid(
            Verdict.Reason.EVENT_MISMATCH,
            field + ": the receipt says " + expected + ", the event header " + actual);
  }

  private static Verdict.Invalid invalid(Verdict.Reason reason, String detail) {
    return new Verdict.Invalid(reason, detail);
  }

  private static void checkKey(Bytes publicKey) {
    Objects.requireNonNull(publicKey, "publicKey");
    if (publicKey.size() != 32) {
      throw new ValidationException(
          "an Ed25519 public key is 32 bytes, got " + publicKey.size() + " bytes");
    }
  }

  /**
   * Collects the keys of a {@link ReceiptVerifier}. Not thread-safe.
   *
   * @since 0.2
   */
  public static final class Builder {
    private final Map<Bytes, Ed25519PublicKeyParameters> keys = new LinkedHashMap<>();
    private boolean requireSignature;

    private Builder() {}

    /**
     * Adds an Ed25519 public key (32 bytes) whose signatures the verifier accepts.
     *
     * @throws NullPointerException if {@code publicKey} is null
     * @throws ValidationException if it is not 32 bytes or not a valid Ed25519 point encoding
     */
    public Builder key(Bytes publicKey) {
      checkKey(publicKey);
      Ed25519PublicKeyParameters p;
      try {
        p = new Ed25519PublicKeyParameters(publicKey.toByteArray(), 0);
      } catch (IllegalArgumentException e) {
        throw new ValidationException(
            "not an Ed25519 public key: " + publicKey.toHex() + " (" + e.getMessage() + ")", e);
      }
      keys.put(keyId(publicKey), p);
      return this;
    }

    /**
     * Whether an unsigned receipt is {@link Verdict.Reason#MISSING_SIGNATURE} (true) or {@link
     * Verdict.UnsignedAccepted} (false, the default).
     */
    public Builder requireSignature(boolean require) {
      this.requireSignature = require;
      return this;
    }

    /** The verifier. */
    public ReceiptVerifier build() {
      return new ReceiptVerifier(this);
    }
  }
}
