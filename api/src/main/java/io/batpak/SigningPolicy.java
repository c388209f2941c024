package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Whether a store signs the receipts it hands out, and which receipts {@link Store#verifyReceipt}
 * accepts ({@link StoreConfig.Builder#signingPolicy}). Keys are configured with {@link
 * StoreConfig.Builder#signingKey} (the newest signs, all verify) and {@link
 * StoreConfig.Builder#verifyingKey} (verify only, for rotated-out keys). See {@code
 * docs/receipts.md}.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public enum SigningPolicy {
  /**
   * Nothing is signed, even with signing keys configured (they then only verify). Open requires
   * nothing. {@code append} returns unsigned receipts. {@code verifyReceipt} accepts an unsigned
   * receipt; a signed one must carry a valid signature of a configured key, as under every policy.
   */
  OFF,
  /**
   * The default. With a signing key configured every receipt is signed, without one none is. Open
   * requires nothing. {@code verifyReceipt} accepts unsigned receipts (receipts of a store that had
   * no key, or {@link EventHeader#toReceipt()}) and checks signed ones.
   */
  OPTIONAL,
  /**
   * Every receipt is signed. Open requires at least one signing key ({@link ValidationException}
   * naming {@code signingPolicy} otherwise). An append whose receipts cannot be signed fails with
   * {@link ReceiptSigningException}. {@code verifyReceipt} rejects an unsigned receipt ({@link
   * ReceiptVerification.Reason#MISSING_SIGNATURE}).
   */
  REQUIRED
}
