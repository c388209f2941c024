package io.batpak.it.docs.samples;

// sample:verifier
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.verify.ReceiptVerifier;
import io.batpak.verify.Verdict;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;

class ReceiptVerifierSample {
  static void run(Path dir) throws Exception {
    Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(new SecureRandom());
    Bytes publicKey = Bytes.of(key.generatePublicKey().getEncoded()); // what the verifier is given
    AppendReceipt receipt;
    StoredEvent event;
    try (Store store =
        Store.open(StoreConfig.builder(dir).signingKey(Bytes.of(key.getEncoded())).build())) {
      receipt =
          store.append(Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), Bytes.utf8("{}"));
      event = store.get(receipt.eventId()); // or the event embedded by `batpak export-receipt`
    }
    // No store from here on: the receipt, the event's header and payload, and public keys.
    ReceiptVerifier verifier = ReceiptVerifier.of(List.of(publicKey)); // or builder().key(..)
    Verdict v = verifier.verify(receipt, event.header(), event.payload());
    assert v instanceof Verdict.SignedValid
        : v; // else UnsignedAccepted, or Invalid(reason, detail)
  }
}
// end-sample:verifier
