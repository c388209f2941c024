/**
 * Offline verification of batpak receipts ({@link io.batpak.verify.ReceiptVerifier}): a receipt,
 * the event's header and payload bytes and a set of Ed25519 public keys are enough, no store and no
 * engine. The receipt JSON form ({@link io.batpak.verify.ReceiptJson}) is specified in {@code
 * docs/receipts.md}; the bytes hashed and signed in {@code docs/format.md}.
 */
module io.batpak.verify {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires org.bouncycastle.provider;

  exports io.batpak.verify;
}
