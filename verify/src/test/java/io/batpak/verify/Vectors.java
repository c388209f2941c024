package io.batpak.verify;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.ReceiptSignature;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The test vectors of docs/format.md ("Test vectors", "Receipt signatures"), typed in by hand. */
final class Vectors {
  private Vectors() {}

  static final Bytes PAYLOAD = Bytes.utf8("{\"sku\":\"A-1\",\"qty\":2}");
  static final Bytes CONTENT_HASH =
      Bytes.fromHex("f50d4bce67c7c6b84322ecd66a1c4214c197a741efa314e4f367a06bfb8bd980");
  static final Bytes EVENT_HASH =
      Bytes.fromHex("5d2e3f9bc05ec48258992cff5a335a41a0e54ec2d0f89cf3bddf4fcaadae1c3b");
  static final String CANONICAL_HEADER =
      "0192d2a4b5c67d8e8f001122334455660192d2a4b5c67d8e8f00112233445566010192d2a4b5c6700080000000000000010000000a6f726465723a313030310000000473686f7010010000000000000003000000000000002a0006379da05d4240000101000000010000000a6170702e74656e616e740000000461636d65";
  static final String COVER =
      "8942504b5243560a010192d2a4b5c67d8e8f00112233445566000000000000002a00000000000000030000000a6f726465723a313030310000000473686f7010010000000000000000000000000000000000000000000000000000000000000000f50d4bce67c7c6b84322ecd66a1c4214c197a741efa314e4f367a06bfb8bd9805d2e3f9bc05ec48258992cff5a335a41a0e54ec2d0f89cf3bddf4fcaadae1c3b000000010000000a6170702e74656e616e740000000461636d65";
  static final String LEAF = "37e7cb3a001323871cbf0859607dbfcbf9a1e403376f9dad7bcf04f084d0ca22";
  static final Bytes PUBLIC_KEY =
      Bytes.fromHex("03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8");
  static final Bytes KEY_ID =
      Bytes.fromHex("98ba85304ac639f0f55daab01ad6d592be44a125d9b3b65e1efca5b96960baec");
  static final Bytes ROOT =
      Bytes.fromHex("0a70d7aae85c59ee9926322d32db6292c5547358857de51a3302850fc780eba9");
  static final Bytes SIB0 =
      Bytes.fromHex("7b7015bb92cf0b318037702a6cdd81dee41224f734684c2c122cd6359cb1ee63");
  static final Bytes SIB1 =
      Bytes.fromHex("0013f4c84c09ed4f906f561e31fb6cb5336107f6813206a1f8860ab1ad35f2b8");
  static final String MESSAGE =
      "8942504b5252540a01000000030a70d7aae85c59ee9926322d32db6292c5547358857de51a3302850fc780eba9";
  static final Bytes SIGNATURE =
      Bytes.fromHex(
          "8777e013e87d13b5b0247ad77fd5ad0587cfac22b12a14e03327a6cdaf7f056dc5eab3ddb33fa7a5bf75391106ab8c79ed3676e029561884af047778f7334a08");

  static EventHeader header() {
    return new EventHeader(
        EventId.of(0x0192d2a4b5c67d8eL, 0x8f00112233445566L),
        Coordinate.of("order:1001", "shop"),
        EventKind.fromRaw(0x1001),
        3,
        42,
        1_750_000_000_123_456L,
        CorrelationId.of(0x0192d2a4b5c67d8eL, 0x8f00112233445566L),
        Optional.of(CausationId.of(0x0192d2a4b5c67000L, 0x8000000000000001L)),
        1,
        0x01,
        Map.of(ExtensionKey.of("app.tenant"), Bytes.utf8("acme")),
        PAYLOAD.size(),
        CONTENT_HASH,
        Bytes.of(new byte[32]),
        EVENT_HASH);
  }

  /** The vector event's receipt, leaf 0 of the three-leaf vector tree. */
  static AppendReceipt signedReceipt() {
    return header()
        .toReceipt()
        .withSignature(new ReceiptSignature(1, KEY_ID, SIGNATURE, ROOT, 0, 3, List.of(SIB0, SIB1)));
  }
}
