package io.batpak.engine.internal.sign;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.junit.jupiter.api.Test;

/**
 * The receipt-signature vectors of docs/format.md ("Receipt signatures" test vectors): the cover of
 * the format's vector event, its leaf, a three-leaf tree with a proof, the key id and the signature
 * of a fixed seed. The offline verifier (module {@code verify}) checks the same vectors.
 */
class SigningVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  /** docs/format.md's vector event, with its real event hash. */
  static EventRecord vectorEvent() {
    byte[] payload = "{\"sku\":\"A-1\",\"qty\":2}".getBytes(StandardCharsets.UTF_8);
    byte[] content = new Blake3().hash(payload, 0, payload.length);
    return new EventRecord(
        0x0192d2a4b5c67d8eL,
        0x8f00112233445566L,
        0x0192d2a4b5c67d8eL,
        0x8f00112233445566L,
        true,
        0x0192d2a4b5c67000L,
        0x8000000000000001L,
        "order:1001",
        "shop",
        0x1001,
        3,
        42,
        1_750_000_000_123_456L,
        1,
        0x01,
        new String[] {"app.tenant"},
        new byte[][] {"acme".getBytes(StandardCharsets.US_ASCII)},
        new byte[32],
        content,
        HEX.parseHex("5d2e3f9bc05ec48258992cff5a335a41a0e54ec2d0f89cf3bddf4fcaadae1c3b"),
        payload);
  }

  /** The seed of the vectors' key: bytes 0x00 … 0x1f. */
  static byte[] seed() {
    byte[] s = new byte[32];
    for (int i = 0; i < 32; i++) {
      s[i] = (byte) i;
    }
    return s;
  }

  @Test
  void coverAndLeaf() {
    byte[] cover = ReceiptCover.of(vectorEvent());
    assertEquals(
        "8942504b5243560a010192d2a4b5c67d8e8f00112233445566000000000000002a00000000000000030000000a6f726465723a313030310000000473686f7010010000000000000000000000000000000000000000000000000000000000000000f50d4bce67c7c6b84322ecd66a1c4214c197a741efa314e4f367a06bfb8bd9805d2e3f9bc05ec48258992cff5a335a41a0e54ec2d0f89cf3bddf4fcaadae1c3b000000010000000a6170702e74656e616e740000000461636d65",
        HEX.formatHex(cover));
    assertEquals(
        "37e7cb3a001323871cbf0859607dbfcbf9a1e403376f9dad7bcf04f084d0ca22",
        HEX.formatHex(ReceiptTree.leaf(new Blake3(), cover)));
  }

  @Test
  void keyIdRootMessageAndSignatureOfAThreeLeafTree() {
    Blake3 b = new Blake3();
    Ed25519PrivateKeyParameters key = new Ed25519PrivateKeyParameters(seed(), 0);
    byte[] pub = key.generatePublicKey().getEncoded();
    assertEquals(
        "03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8", HEX.formatHex(pub));
    assertEquals(
        "98ba85304ac639f0f55daab01ad6d592be44a125d9b3b65e1efca5b96960baec",
        HEX.formatHex(KeyRing.keyId(b, pub)));
    byte[] l0 = ReceiptTree.leaf(b, ReceiptCover.of(vectorEvent()));
    byte[] l1 = ReceiptTree.leaf(b, new byte[] {1});
    byte[] l2 = ReceiptTree.leaf(b, new byte[] {2});
    ReceiptTree.Built t = ReceiptTree.build(b, List.of(l0, l1, l2));
    assertEquals(
        "0a70d7aae85c59ee9926322d32db6292c5547358857de51a3302850fc780eba9",
        HEX.formatHex(t.root()));
    List<byte[]> proof = t.proofs().get(0);
    assertEquals(2, proof.size());
    assertEquals(
        "7b7015bb92cf0b318037702a6cdd81dee41224f734684c2c122cd6359cb1ee63",
        HEX.formatHex(proof.get(0)));
    assertEquals(
        "0013f4c84c09ed4f906f561e31fb6cb5336107f6813206a1f8860ab1ad35f2b8",
        HEX.formatHex(proof.get(1)));
    byte[] message = ReceiptTree.message(1, 3, t.root());
    assertEquals(
        "8942504b5252540a01000000030a70d7aae85c59ee9926322d32db6292c5547358857de51a3302850fc780eba9",
        HEX.formatHex(message));
    Ed25519Signer s = new Ed25519Signer();
    s.init(true, key);
    s.update(message, 0, message.length);
    byte[] sig = s.generateSignature();
    assertEquals(
        "8777e013e87d13b5b0247ad77fd5ad0587cfac22b12a14e03327a6cdaf7f056dc5eab3ddb33fa7a5bf75391106ab8c79ed3676e029561884af047778f7334a08",
        HEX.formatHex(sig));
    Ed25519Signer v = new Ed25519Signer();
    v.init(false, key.generatePublicKey());
    v.update(message, 0, message.length);
    assertTrue(v.verifySignature(sig));
  }
}
