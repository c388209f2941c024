package io.batpak.verify;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What {@link ReceiptVerifier} found: the receipt is signed and valid (by which key), or unsigned
 * and accepted (its hashes match the event; nothing vouches for it but the hashes), or invalid,
 * with the precise reason.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public sealed interface Verdict {

  /** Whether the receipt is accepted ({@link SignedValid} or {@link UnsignedAccepted}). */
  boolean isValid();

  /**
   * The receipt matches the event and its signature verifies under the key with {@code keyId}.
   *
   * @param keyId BLAKE3 of the signing public key
   */
  record SignedValid(Bytes keyId) implements Verdict {
    /** Checks for null. */
    public SignedValid {
      Objects.requireNonNull(keyId, "keyId");
    }

    @Override
    public boolean isValid() {
      return true;
    }
  }

  /**
   * The receipt is unsigned, matches the event (content and event hash recomputed), and the
   * verifier accepts unsigned receipts ({@link ReceiptVerifier.Builder#requireSignature}).
   */
  record UnsignedAccepted() implements Verdict {
    @Override
    public boolean isValid() {
      return true;
    }
  }

  /**
   * The receipt is not valid.
   *
   * @param reason which check failed
   * @param detail the field, the expected and the actual value
   */
  record Invalid(Reason reason, String detail) implements Verdict {
    /** Checks for null. */
    public Invalid {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }

    @Override
    public boolean isValid() {
      return false;
    }
  }

  /** Why a receipt is invalid. */
  enum Reason {
    /**
     * The receipt and the event header disagree on a field both carry (event id, a sequence, a
     * hash), or the payload's size is not the header's: they do not describe the same event.
     */
    EVENT_MISMATCH,
    /** BLAKE3 of the payload bytes is not the receipt's content hash. */
    CONTENT_HASH_MISMATCH,
    /** The event hash recomputed from the header and hashes is not the receipt's event hash. */
    EVENT_HASH_MISMATCH,
    /** The receipt is unsigned and the verifier requires signatures. */
    MISSING_SIGNATURE,
    /** The receipt names a cover version this verifier does not know. */
    UNSUPPORTED_VERSION,
    /** The receipt's key id is not the id of any key the verifier was given. */
    UNKNOWN_KEY,
    /** The inclusion proof does not lead from the event's cover to the receipt's root. */
    BAD_PROOF,
    /** The Ed25519 signature of the root does not verify under the named key. */
    BAD_SIGNATURE
  }
}
