package io.batpak.it.docs.samples;

// sample:signing
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.SigningPolicy;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;
import java.security.SecureRandom;

class SigningSample {
  static void run(Path dir) throws Exception {
    SecureRandom random = new SecureRandom();
    byte[] oldSeed = new byte[32]; // 32-byte Ed25519 private seeds (RFC 8032); keep yours safe
    byte[] newSeed = new byte[32];
    random.nextBytes(oldSeed);
    random.nextBytes(newSeed);
    StoreConfig config =
        StoreConfig.builder(dir)
            .signingKey(Bytes.of(oldSeed)) // oldest first: every key added verifies
            .signingKey(Bytes.of(newSeed)) // the last one added signs
            // .verifyingKey(retiredPublicKey) for a key rotated out: it verifies only
            .signingPolicy(SigningPolicy.OPTIONAL)
            .build();
    try (Store store = Store.open(config)) {
      AppendReceipt receipt =
          store.append(Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), Bytes.utf8("{}"));
      assert receipt.isSigned();
      assert store.verifyReceipt(receipt).isValid();
    }
  }
}
// end-sample:signing
