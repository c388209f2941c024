package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.ReceiptSignature;
import io.batpak.ReceiptVerification;
import io.batpak.ReceiptVerification.Reason;
import io.batpak.SigningPolicy;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.engine.internal.format.Blake3;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signed receipts through the store: what each policy signs and accepts, key rotation (old receipts
 * verify after a new key is added, and after the old key becomes verify-only), a removed key, one
 * signature per group commit with an inclusion proof per receipt, and each tampered signature field
 * named by its reason.
 */
class SigningTest {
  static final Coordinate C = Coordinate.of("order:1", "shop");

  @TempDir Path dir;

  static Bytes seed(int n) {
    byte[] s = new byte[32];
    new Random(n).nextBytes(s);
    return Bytes.ofOwned(s);
  }

  static Bytes publicKey(Bytes seed) {
    return Bytes.ofOwned(
        new Ed25519PrivateKeyParameters(seed.toByteArray(), 0).generatePublicKey().getEncoded());
  }

  static Bytes keyId(Bytes seed) {
    byte[] pub = publicKey(seed).toByteArray();
    return Bytes.ofOwned(new Blake3().hash(pub, 0, pub.length));
  }

  private StoreConfig.Builder config() {
    return StoreConfig.builder(dir);
  }

  private static AppendReceipt append(Store s, String text) {
    return s.append(
        C,
        KIND,
        Bytes.utf8(text),
        AppendOptions.defaults().withExtension(ExtensionKey.of("app.tenant"), Bytes.utf8("acme")));
  }

  @Test
  void theNewestKeySignsAndEveryReceiptVerifies() {
    try (Store s = Store.open(config().signingKey(seed(1)).signingKey(seed(2)).build())) {
      AppendReceipt r = append(s, "a");
      ReceiptSignature sig = r.signature().orElseThrow();
      assertEquals(keyId(seed(2)), sig.keyId(), "the last key added signs");
      assertEquals(ReceiptSignature.COVER_VERSION, sig.version());
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(r));
      assertEquals(r.unsigned(), s.get(r.eventId()).header().toReceipt());
    }
  }

  @Test
  void concurrentAppendsShareOneSignaturePerGroupEachWithItsOwnProof() throws Exception {
    try (Store s = Store.open(config().signingKey(seed(1)).build())) {
      List<CompletableFuture<AppendReceipt>> futures = new ArrayList<>();
      for (int i = 0; i < 400; i++) {
        futures.add(
            s.submit(
                Coordinate.of("e" + (i % 7), "s"),
                KIND,
                Bytes.utf8("x" + i),
                AppendOptions.defaults()));
      }
      Set<Bytes> roots = new HashSet<>();
      int shared = 0;
      for (CompletableFuture<AppendReceipt> f : futures) {
        AppendReceipt r = f.get();
        ReceiptSignature sig = r.signature().orElseThrow();
        roots.add(sig.root());
        shared = Math.max(shared, sig.leafCount());
        assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(r), r.toString());
      }
      assertTrue(shared > 1, "submitted appends were grouped: largest tree " + shared);
      assertTrue(roots.size() < futures.size(), roots.size() + " roots for 400 receipts");
      List<AppendReceipt> batch =
          s.appendBatch(
              List.of(
                  io.batpak.BatchItem.of(C, KIND, Bytes.utf8("b1")),
                  io.batpak.BatchItem.of(C, KIND, Bytes.utf8("b2")),
                  io.batpak.BatchItem.of(C, KIND, Bytes.utf8("b3"))));
      for (AppendReceipt r : batch) {
        assertEquals(3, r.signature().orElseThrow().leafCount());
        assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(r));
      }
    }
  }

  @Test
  void rotationKeepsOldReceiptsValidAndARemovedKeyIsUnknown() {
    AppendReceipt old;
    try (Store s = Store.open(config().signingKey(seed(1)).build())) {
      old = append(s, "old");
    }
    AppendReceipt newer;
    try (Store s = Store.open(config().signingKey(seed(1)).signingKey(seed(2)).build())) {
      newer = append(s, "new");
      assertEquals(keyId(seed(2)), newer.signature().orElseThrow().keyId());
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(old), "after a new key");
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(newer));
    }
    try (Store s =
        Store.open(config().signingKey(seed(2)).verifyingKey(publicKey(seed(1))).build())) {
      assertInstanceOf(
          ReceiptVerification.Valid.class, s.verifyReceipt(old), "old key kept as verify-only");
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(newer));
    }
    try (Store s = Store.open(config().signingKey(seed(2)).build())) {
      ReceiptVerification v = s.verifyReceipt(old);
      assertEquals(Reason.UNKNOWN_KEY, ((ReceiptVerification.Invalid) v).reason(), v.toString());
      assertTrue(((ReceiptVerification.Invalid) v).detail().contains(keyId(seed(1)).toHex()));
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(newer));
    }
  }

  @Test
  void policyMatrix() {
    // OPTIONAL without a key: unsigned receipts, accepted.
    AppendReceipt unsigned;
    try (Store s = Store.open(config().build())) {
      assertEquals(SigningPolicy.OPTIONAL, config().build().signingPolicy(), "the default");
      unsigned = append(s, "u");
      assertFalse(unsigned.isSigned());
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(unsigned));
    }
    // OFF with a key: nothing signed; unsigned accepted; signed receipts still checked.
    AppendReceipt signed;
    try (Store s = Store.open(config().signingKey(seed(1)).build())) {
      signed = append(s, "s");
      assertTrue(signed.isSigned());
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(unsigned));
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(signed.unsigned()));
    }
    try (Store s =
        Store.open(config().signingKey(seed(1)).signingPolicy(SigningPolicy.OFF).build())) {
      assertFalse(append(s, "off").isSigned(), "OFF never signs");
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(unsigned));
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(signed));
      assertEquals(Reason.BAD_SIGNATURE, reason(s.verifyReceipt(tamperSignature(signed))));
    }
    try (Store s = Store.open(config().signingPolicy(SigningPolicy.OFF).build())) {
      assertEquals(
          Reason.UNKNOWN_KEY, reason(s.verifyReceipt(signed)), "OFF without keys knows no key");
    }
    // REQUIRED: signs, refuses unsigned receipts, and needs a key to open.
    try (Store s =
        Store.open(config().signingKey(seed(1)).signingPolicy(SigningPolicy.REQUIRED).build())) {
      AppendReceipt r = append(s, "req");
      assertTrue(r.isSigned());
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(r));
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(signed));
      assertEquals(Reason.MISSING_SIGNATURE, reason(s.verifyReceipt(unsigned)));
      assertEquals(Reason.MISSING_SIGNATURE, reason(s.verifyReceipt(r.unsigned())));
    }
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> config().signingPolicy(SigningPolicy.REQUIRED).build());
    assertTrue(e.getMessage().contains("signingPolicy"), e.getMessage());
    ValidationException bad =
        assertThrows(
            ValidationException.class, () -> config().signingKey(Bytes.of(new byte[31])).build());
    assertTrue(bad.getMessage().contains("signingKey 0"), bad.getMessage());
    assertTrue(
        assertThrows(
                ValidationException.class,
                () -> config().verifyingKey(Bytes.of(new byte[33])).build())
            .getMessage()
            .contains("verifyingKey 0"));
  }

  @Test
  void keysAreNeverPrinted() {
    Bytes seed = seed(9);
    StoreConfig c = config().signingKey(seed).verifyingKey(publicKey(seed(3))).build();
    assertFalse(c.toString().contains(seed.toHex()), c.toString());
    try (Store s = Store.open(c)) {
      assertFalse(s.openReport().toString().contains(seed.toHex()));
    }
  }

  @Test
  void eachTamperedSignatureFieldHasItsReason() {
    try (Store s = Store.open(config().signingKey(seed(1)).build())) {
      List<AppendReceipt> batch =
          s.appendBatch(
              List.of(
                  io.batpak.BatchItem.of(C, KIND, Bytes.utf8("1")),
                  io.batpak.BatchItem.of(C, KIND, Bytes.utf8("2")),
                  io.batpak.BatchItem.of(C, KIND, Bytes.utf8("3"))));
      AppendReceipt r = batch.get(1);
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(r));
      assertEquals(Reason.BAD_SIGNATURE, reason(s.verifyReceipt(tamperSignature(r))));
      assertEquals(
          Reason.UNKNOWN_KEY,
          reason(
              s.verifyReceipt(
                  with(
                      r,
                      x ->
                          sig(
                              x,
                              flip(x.keyId()),
                              x.signature(),
                              x.root(),
                              x.leafIndex(),
                              x.leafCount(),
                              x.siblings())))));
      assertEquals(
          Reason.BAD_PROOF,
          reason(
              s.verifyReceipt(
                  with(
                      r,
                      x ->
                          sig(
                              x,
                              x.keyId(),
                              x.signature(),
                              flip(x.root()),
                              x.leafIndex(),
                              x.leafCount(),
                              x.siblings())))));
      assertEquals(
          Reason.BAD_PROOF,
          reason(
              s.verifyReceipt(
                  with(
                      r,
                      x ->
                          sig(
                              x,
                              x.keyId(),
                              x.signature(),
                              x.root(),
                              0,
                              x.leafCount(),
                              x.siblings())))));
      List<Bytes> sibs = new ArrayList<>(r.signature().get().siblings());
      sibs.set(0, flip(sibs.get(0)));
      assertEquals(
          Reason.BAD_PROOF,
          reason(
              s.verifyReceipt(
                  with(
                      r,
                      x ->
                          sig(
                              x,
                              x.keyId(),
                              x.signature(),
                              x.root(),
                              x.leafIndex(),
                              x.leafCount(),
                              sibs)))));
      assertEquals(
          Reason.BAD_PROOF,
          reason(
              s.verifyReceipt(
                  with(
                      r,
                      x ->
                          sig(
                              x,
                              x.keyId(),
                              x.signature(),
                              x.root(),
                              x.leafIndex(),
                              x.leafCount(),
                              sibs.subList(0, 1))))));
      // A receipt of another event carrying this one's signature: its cover is another leaf.
      AppendReceipt other = batch.get(2).withSignature(r.signature().get());
      assertEquals(Reason.BAD_PROOF, reason(s.verifyReceipt(other)));
      // The tree size is bound by the signed message.
      AppendReceipt bigger =
          with(r, x -> sig(x, x.keyId(), x.signature(), x.root(), x.leafIndex(), 4, x.siblings()));
      assertEquals(Reason.BAD_SIGNATURE, reason(s.verifyReceipt(bigger)));
    }
  }

  @Test
  void anIdempotentRetryIsAnsweredWithASignedReceipt() {
    try (Store s = Store.open(config().signingKey(seed(1)).build())) {
      AppendOptions o = AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(5, 6));
      AppendReceipt first = s.append(C, KIND, Bytes.utf8("once"), o);
      AppendReceipt retry = s.append(C, KIND, Bytes.utf8("once"), o);
      assertEquals(first.unsigned(), retry.unsigned());
      assertTrue(retry.isSigned());
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(retry));
    }
  }

  @Test
  void aVisibleModeStoreSignsAfterTheGroupIsVisible() throws Exception {
    try (Store s =
        Store.open(config().durability(io.batpak.Durability.VISIBLE).signingKey(seed(1)).build())) {
      List<CompletableFuture<AppendReceipt>> futures = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        futures.add(s.submit(C, KIND, Bytes.utf8("v" + i), AppendOptions.defaults()));
      }
      futures.add(CompletableFuture.completedFuture(append(s, "blocking")));
      for (CompletableFuture<AppendReceipt> f : futures) {
        AppendReceipt r = f.get();
        assertTrue(r.isSigned());
        assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(r));
      }
    }
  }

  @Test
  void aDeterministicStoreSignsOnTheCommittingThread() {
    try (Store s = Store.open(config().deterministic(true).signingKey(seed(1)).build())) {
      AppendReceipt r = append(s, "d");
      assertTrue(r.isSigned());
      assertInstanceOf(ReceiptVerification.Valid.class, s.verifyReceipt(r));
    }
  }

  static Reason reason(ReceiptVerification v) {
    return assertInstanceOf(ReceiptVerification.Invalid.class, v, v.toString()).reason();
  }

  static Bytes flip(Bytes b) {
    byte[] x = b.toByteArray();
    x[3] ^= 0x10;
    return Bytes.ofOwned(x);
  }

  static AppendReceipt tamperSignature(AppendReceipt r) {
    return with(
        r,
        x ->
            sig(
                x,
                x.keyId(),
                flip(x.signature()),
                x.root(),
                x.leafIndex(),
                x.leafCount(),
                x.siblings()));
  }

  static AppendReceipt with(AppendReceipt r, UnaryOperator<ReceiptSignature> change) {
    return r.withSignature(change.apply(r.signature().orElseThrow()));
  }

  static ReceiptSignature sig(
      ReceiptSignature x,
      Bytes keyId,
      Bytes signature,
      Bytes root,
      int leafIndex,
      int leafCount,
      List<Bytes> siblings) {
    return new ReceiptSignature(
        x.version(), keyId, signature, root, leafIndex, leafCount, siblings);
  }
}
