package io.batpak.engine.internal.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.engine.internal.artifact.AuthorityFileHeaders;
import io.batpak.engine.internal.index.IndexCheckpoint;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Pins the byte layouts of the format (version 1, and the version 2 segment header, seal and
 * authority-file envelope) to the test vectors published in docs/format.md. A change here is a
 * format change: it needs a new format version, never an edit of the vectors.
 */
class FormatVectorsTest {
  private static final HexFormat HEX = HexFormat.of();

  /** The record used by every vector in docs/format.md. */
  static EventRecord vectorRecord() {
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
        new byte[32],
        payload);
  }

  @Test
  void blake3OfTheEmptyInputIsTheStandardVector() {
    assertEquals(
        "af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262",
        HEX.formatHex(new Blake3().hash(new byte[0], 0, 0)));
  }

  @Test
  void contentHashVector() {
    assertEquals(
        "f50d4bce67c7c6b84322ecd66a1c4214c197a741efa314e4f367a06bfb8bd980",
        HEX.formatHex(vectorRecord().contentHash()));
  }

  @Test
  void canonicalHeaderVector() {
    assertEquals(
        "0192d2a4b5c67d8e8f001122334455660192d2a4b5c67d8e8f00112233445566"
            + "010192d2a4b5c6700080000000000000010000000a6f726465723a3130303100"
            + "00000473686f7010010000000000000003000000000000002a0006379da05d42"
            + "40000101000000010000000a6170702e74656e616e740000000461636d65",
        HEX.formatHex(canonicalHeaderOf(vectorRecord())));
  }

  @Test
  void eventHashVector() {
    EventRecord r = vectorRecord();
    assertEquals(
        "5d2e3f9bc05ec48258992cff5a335a41a0e54ec2d0f89cf3bddf4fcaadae1c3b",
        HEX.formatHex(FrameCodec.eventHash(new Blake3(), r.prevHash(), r)));
  }

  @Test
  void segmentHeaderVector() {
    SegmentHeader h = new SegmentHeader(1, 1, 1_750_000_000_000_000L, 0, "json", "none", "blake3");
    assertEquals(
        "8942504b5345470a0001003900000000000000010006379da05b60000000000000000000046a736f6e046e6f6e6506626c616b6533ded91e7f",
        HEX.formatHex(h.encode()));
    assertEquals(h, SegmentHeader.decode(h.encode(), "vector"));
  }

  @Test
  void frameVector() {
    EventRecord r = vectorRecord();
    byte[] hash = FrameCodec.eventHash(new Blake3(), r.prevHash(), r);
    EventRecord chained = EventRecord.sequenced(r, 3, 42, r.prevHash(), hash);
    ByteBuffer b = ByteBuffer.allocate(FrameCodec.frameSize(List.of(chained)));
    FrameCodec.writeFrame(b, 42, 4096, List.of(chained));
    assertEquals(
        "0000010381bae96201000000000000000000002a000000010000000000001000"
            + "000000e70192d2a4b5c67d8e8f001122334455660192d2a4b5c67d8e8f001122"
            + "33445566010192d2a4b5c670008000000000000001000a6f726465723a313030"
            + "31000473686f70100100000000000000030006379da05d42400001010001000a"
            + "6170702e74656e616e740000000461636d650000000000000000000000000000"
            + "000000000000000000000000000000000000f50d4bce67c7c6b84322ecd66a1c"
            + "4214c197a741efa314e4f367a06bfb8bd9805d2e3f9bc05ec48258992cff5a33"
            + "5a41a0e54ec2d0f89cf3bddf4fcaadae1c3b000000157b22736b75223a22412d"
            + "31222c22717479223a327d",
        HEX.formatHex(b.array()));
    List<EventRecord> back =
        FrameCodec.decodeBody(
            b.array(), FrameCodec.PREFIX, b.capacity() - FrameCodec.PREFIX, "vector", 0, null);
    assertEquals(1, back.size());
    assertArrayEquals(hash, back.get(0).eventHash());
    assertArrayEquals(chained.payload(), back.get(0).payload());
  }

  @Test
  void segmentHeaderVersion2Vector() {
    SegmentHeader h = new SegmentHeader(2, 1, 1_750_000_000_000_000L, 0, "json", "none", "blake3");
    assertEquals(
        "8942504b5345470a0002003900000000000000010006379da05b60000000000000000000046a736f6e046e6f6e6506626c616b65337e2a723e",
        HEX.formatHex(h.encode()));
    assertEquals(h, SegmentHeader.decode(h.encode(), "vector"));
  }

  /**
   * The seal of a segment whose one frame is the frame vector's, ending at offset 4096 where the
   * footer starts: base 42, one event at frame offset 4096 - 267, the stream's head its event hash.
   */
  @Test
  void sealVector() throws Exception {
    EventRecord r = vectorRecord();
    byte[] hash = FrameCodec.eventHash(new Blake3(), r.prevHash(), r);
    EventRecord chained = EventRecord.sequenced(r, 3, 42, r.prevHash(), hash);
    ByteBuffer frame = ByteBuffer.allocate(FrameCodec.frameSize(List.of(chained)));
    FrameCodec.writeFrame(frame, 42, 4096, List.of(chained));
    List<Integer> recordOffsets = new java.util.ArrayList<>();
    FrameCodec.decodeBody(
        frame.array(),
        FrameCodec.PREFIX,
        frame.capacity() - FrameCodec.PREFIX,
        "vector",
        0,
        recordOffsets);
    long frameAt = 4096 - frame.capacity();
    SegmentSeal.Builder b = new SegmentSeal.Builder(42);
    b.add(
        r.idHi(),
        r.idLo(),
        r.entity(),
        r.scope(),
        r.kind(),
        3,
        frameAt,
        frame.capacity(),
        recordOffsets.get(0));
    b.head(r.entity(), 3, hash);
    byte[] seal = b.encode(4096);
    assertEquals(
        "000000ce6f04333c02000000000000000000002a000000010000000000001000"
            + "0000000200000001000a6f726465723a31303031000473686f70000000000000"
            + "0000000000035d2e3f9bc05ec48258992cff5a335a41a0e54ec2d0f89cf3bddf"
            + "4fcaadae1c3b0192d2a4b5c67d8e8f0011223344556600000000000000011001"
            + "00000000000000030000000000000ef50000010b000000180000000000000000"
            + "0000000000000000000000000000000000000000000000000000000000000000"
            + "0000000000000000000000000000000000000000000000000000000010008942"
            + "504b454e440a",
        HEX.formatHex(seal));
    SegmentSeal back =
        SegmentSeal.decode(Arrays.copyOf(seal, seal.length - SegmentSeal.TRAILER), 4096, 42);
    assertEquals(1, back.size());
    assertEquals(frameAt, back.frameOffset[0]);
    assertArrayEquals(hash, back.heads().get("order:1001").eventHash());
    assertEquals(
        4096,
        SegmentSeal.footerOffset(
            Arrays.copyOfRange(seal, seal.length - SegmentSeal.TRAILER, seal.length)));
  }

  @Test
  void authorityFileEnvelopeVector() {
    assertEquals(
        "8942504b434b500a00020000000000000000006401020304f0538344",
        HEX.formatHex(AuthorityFileHeaders.of(IndexCheckpoint.KIND, 100, 0x01020304)));
  }

  private static byte[] canonicalHeaderOf(EventRecord r) {
    return FrameCodec.canonicalHeader(r, r.streamSequence(), r.globalSequence());
  }
}
