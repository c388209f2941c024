package io.batpak.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.ReceiptSignature;
import io.batpak.ValidationException;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.EdECPoint;
import java.security.spec.EdECPublicKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The offline verifier on docs/format.md's vectors, written independently of the engine: the
 * canonical header, hashes, cover, leaf and signed message agree byte for byte; the vector receipt
 * is signed-valid; each tampered field gets its own reason.
 */
class ReceiptVerifierTest {
  private static final HexFormat HEX = HexFormat.of();
  private final ReceiptVerifier verifier = ReceiptVerifier.of(List.of(Vectors.PUBLIC_KEY));

  @Test
  void theEncodingsAgreeWithTheFormatVectors() {
    EventHeader h = Vectors.header();
    assertEquals(Vectors.CANONICAL_HEADER, HEX.formatHex(Hashes.canonicalHeader(h)));
    assertEquals(Vectors.CONTENT_HASH, Bytes.of(Hashes.blake3(Vectors.PAYLOAD.toByteArray())));
    assertEquals(
        Vectors.EVENT_HASH,
        Bytes.of(Hashes.eventHash(h, new byte[32], Vectors.CONTENT_HASH.toByteArray())));
    byte[] cover =
        Hashes.cover(
            h, new byte[32], Vectors.CONTENT_HASH.toByteArray(), Vectors.EVENT_HASH.toByteArray());
    assertEquals(Vectors.COVER, HEX.formatHex(cover));
    assertEquals(Vectors.LEAF, HEX.formatHex(Hashes.leaf(cover)));
    assertEquals(Vectors.KEY_ID, ReceiptVerifier.keyId(Vectors.PUBLIC_KEY));
    assertEquals(Vectors.MESSAGE, HEX.formatHex(Hashes.message(1, 3, Vectors.ROOT.toByteArray())));
    assertEquals(
        Vectors.ROOT,
        Bytes.of(Hashes.rootFrom(Hashes.leaf(cover), 0, 3, List.of(Vectors.SIB0, Vectors.SIB1))));
  }

  @Test
  void theVectorSignatureVerifiesWithTheJdkProviderToo() throws Exception {
    // A second Ed25519 implementation (JDK 17's SunEC) agrees with Bouncy Castle's signature.
    byte[] pk = Vectors.PUBLIC_KEY.toByteArray();
    boolean xOdd = (pk[31] & 0x80) != 0;
    byte[] le = pk.clone();
    le[31] &= 0x7F;
    byte[] be = new byte[32];
    for (int i = 0; i < 32; i++) {
      be[i] = le[31 - i];
    }
    PublicKey key =
        KeyFactory.getInstance("Ed25519")
            .generatePublic(
                new EdECPublicKeySpec(
                    NamedParameterSpec.ED25519, new EdECPoint(xOdd, new BigInteger(1, be))));
    Signature s = Signature.getInstance("Ed25519");
    s.initVerify(key);
    s.update(HEX.parseHex(Vectors.MESSAGE));
    assertTrue(s.verify(Vectors.SIGNATURE.toByteArray()));
  }

  @Test
  void theVectorReceiptIsSignedValid() {
    Verdict v = verifier.verify(Vectors.signedReceipt(), Vectors.header(), Vectors.PAYLOAD);
    assertEquals(new Verdict.SignedValid(Vectors.KEY_ID), v);
  }

  @Test
  void unsignedIsAcceptedUnlessSignaturesAreRequired() {
    AppendReceipt unsigned = Vectors.header().toReceipt();
    assertInstanceOf(
        Verdict.UnsignedAccepted.class,
        verifier.verify(unsigned, Vectors.header(), Vectors.PAYLOAD));
    ReceiptVerifier strict =
        ReceiptVerifier.builder().key(Vectors.PUBLIC_KEY).requireSignature(true).build();
    assertEquals(
        Verdict.Reason.MISSING_SIGNATURE,
        reason(strict.verify(unsigned, Vectors.header(), Vectors.PAYLOAD)));
    assertEquals(
        Verdict.Reason.UNKNOWN_KEY,
        reason(
            ReceiptVerifier.of(List.of())
                .verify(Vectors.signedReceipt(), Vectors.header(), Vectors.PAYLOAD)));
  }

  @Test
  void eachTamperedFieldHasItsReason() {
    AppendReceipt r = Vectors.signedReceipt();
    EventHeader h = Vectors.header();
    Bytes p = Vectors.PAYLOAD;
    assertEquals(Verdict.Reason.CONTENT_HASH_MISMATCH, reason(verifier.verify(r, h, flip(p))));
    assertEquals(
        Verdict.Reason.EVENT_MISMATCH,
        reason(verifier.verify(r, h, Bytes.utf8("{\"sku\":\"A-1\",\"qty\":22}"))));
    EventHeader otherScope =
        new EventHeader(
            h.eventId(),
            io.batpak.Coordinate.of("order:1001", "shoq"),
            h.kind(),
            h.streamSequence(),
            h.globalSequence(),
            h.timestampMicros(),
            h.correlationId(),
            h.causation(),
            h.payloadVersion(),
            h.flags(),
            h.extensions(),
            h.payloadSize(),
            h.contentHash(),
            h.prevHash(),
            h.eventHash());
    assertEquals(Verdict.Reason.EVENT_HASH_MISMATCH, reason(verifier.verify(r, otherScope, p)));
    assertEquals(Verdict.Reason.EVENT_MISMATCH, reason(verifier.verify(withSequence(r), h, p)));
    assertEquals(
        Verdict.Reason.BAD_SIGNATURE,
        reason(
            verifier.verify(
                sig(
                    r,
                    x ->
                        with(
                            x,
                            flip(x.signature()),
                            x.root(),
                            x.siblings(),
                            x.leafIndex(),
                            x.leafCount(),
                            x.keyId())),
                h,
                p)));
    assertEquals(
        Verdict.Reason.BAD_PROOF,
        reason(
            verifier.verify(
                sig(
                    r,
                    x ->
                        with(
                            x,
                            x.signature(),
                            flip(x.root()),
                            x.siblings(),
                            x.leafIndex(),
                            x.leafCount(),
                            x.keyId())),
                h,
                p)));
    List<Bytes> sibs = new ArrayList<>(r.signature().get().siblings());
    sibs.set(1, flip(sibs.get(1)));
    assertEquals(
        Verdict.Reason.BAD_PROOF,
        reason(
            verifier.verify(
                sig(
                    r,
                    x ->
                        with(
                            x,
                            x.signature(),
                            x.root(),
                            sibs,
                            x.leafIndex(),
                            x.leafCount(),
                            x.keyId())),
                h,
                p)));
    assertEquals(
        Verdict.Reason.BAD_PROOF,
        reason(
            verifier.verify(
                sig(
                    r,
                    x ->
                        with(
                            x, x.signature(), x.root(), x.siblings(), 1, x.leafCount(), x.keyId())),
                h,
                p)));
    assertEquals(
        Verdict.Reason.BAD_SIGNATURE,
        reason(
            verifier.verify(
                sig(
                    r,
                    x ->
                        with(
                            x, x.signature(), x.root(), x.siblings(), x.leafIndex(), 4, x.keyId())),
                h,
                p)));
    assertEquals(
        Verdict.Reason.UNKNOWN_KEY,
        reason(
            verifier.verify(
                sig(
                    r,
                    x ->
                        with(
                            x,
                            x.signature(),
                            x.root(),
                            x.siblings(),
                            x.leafIndex(),
                            x.leafCount(),
                            flip(x.keyId()))),
                h,
                p)));
    assertEquals(
        Verdict.Reason.UNSUPPORTED_VERSION,
        reason(
            verifier.verify(
                sig(
                    r,
                    x ->
                        new ReceiptSignature(
                            2,
                            x.keyId(),
                            x.signature(),
                            x.root(),
                            x.leafIndex(),
                            x.leafCount(),
                            x.siblings())),
                h,
                p)));
  }

  @Test
  void badKeysAreTypedErrors() {
    assertThrows(ValidationException.class, () -> ReceiptVerifier.keyId(Bytes.of(new byte[31])));
    assertThrows(NullPointerException.class, () -> ReceiptVerifier.builder().key(null));
  }

  private static AppendReceipt withSequence(AppendReceipt r) {
    return new AppendReceipt(
        r.eventId(),
        r.globalSequence() + 1,
        r.streamSequence(),
        r.contentHash(),
        r.eventHash(),
        r.prevHash(),
        r.signature());
  }

  static Verdict.Reason reason(Verdict v) {
    return assertInstanceOf(Verdict.Invalid.class, v, String.valueOf(v)).reason();
  }

  static Bytes flip(Bytes b) {
    byte[] x = b.toByteArray();
    x[x.length / 2] ^= 0x04;
    return Bytes.ofOwned(x);
  }

  static AppendReceipt sig(AppendReceipt r, UnaryOperator<ReceiptSignature> change) {
    return r.withSignature(change.apply(r.signature().orElseThrow()));
  }

  static ReceiptSignature with(
      ReceiptSignature x,
      Bytes signature,
      Bytes root,
      List<Bytes> siblings,
      int leafIndex,
      int leafCount,
      Bytes keyId) {
    return new ReceiptSignature(
        x.version(), keyId, signature, root, leafIndex, leafCount, siblings);
  }
}
