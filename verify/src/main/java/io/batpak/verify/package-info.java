/**
 * Offline receipt verification: {@link io.batpak.verify.ReceiptVerifier} checks a receipt against
 * the event's header and payload with a set of public keys and returns a {@link
 * io.batpak.verify.Verdict}; {@link io.batpak.verify.ReceiptJson} reads and writes the receipt JSON
 * form of {@code docs/receipts.md}.
 */
@NullMarked
package io.batpak.verify;

import org.jspecify.annotations.NullMarked;
