package io.batpak.it.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.EventHeader;
import io.batpak.Store;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import io.batpak.engine.FrameLocation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The golden compressed stores ({@code it/src/test/resources/golden/compressed-v2/<compressor>},
 * written once by {@link GoldenCompressed#main} and frozen: their SHA-256 is pinned here, so a
 * regenerated file fails) open in every build, without and with a compression setting: every event
 * reads back the payload {@link GoldenCompressed#payload} gives, with the event hashes of an
 * uncompressed store written now with the same appends; {@code verifyAll} holds; the segment header
 * names the compressor and the payloads over the threshold are stored compressed (payload length
 * field's top bit, method byte), those under it as they are.
 */
class GoldenCompressedStoreTest {
  /** SHA-256 of each golden segment. Never change them; a format change gets a new directory. */
  private static final Map<String, String> FROZEN =
      Map.of(
          "lz4", "928ff1682f11d8db6ccef1da307b160fb7e5252907f07cff1546c6920b4656fb",
          "zstd", "dddc0c763b9151efcb0ba62a3aca80df7bbce6f529126adc8b35741754eba674");

  @TempDir Path tmp;

  private Path copy(String compressor) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(compressor));
    String name = GoldenCompressed.DIR + "/" + compressor + "/0000000001.seg";
    try (InputStream in = GoldenCompressedStoreTest.class.getResourceAsStream("/" + name)) {
      byte[] bytes = in.readAllBytes();
      assertEquals(
          FROZEN.get(compressor),
          sha256(bytes),
          name + " is frozen: restore it (git checkout), never regenerate it");
      Files.write(dir.resolve("0000000001.seg"), bytes);
    }
    return dir;
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void theGoldenStoreReadsAsWritten(String compressor) throws IOException {
    Path dir = copy(compressor);
    List<AppendReceipt> plain;
    try (Store s = Store.open(GoldenCompressed.config(tmp.resolve("plain"), "none").build())) {
      plain = GoldenCompressed.append(s);
    }
    for (String setting : List.of("none", compressor)) {
      try (Store s = Store.open(GoldenCompressed.config(dir, setting).readOnly(true).build())) {
        assertEquals(GoldenCompressed.EVENTS, s.stats().eventCount());
        int compressed = 0;
        for (int i = 0; i < GoldenCompressed.EVENTS; i++) {
          StoredEvent e = s.get(plain.get(i).eventId());
          EventHeader h = e.header();
          String where = compressor + ", event " + i + ", setting " + setting;
          assertArrayEquals(GoldenCompressed.payload(i), e.payload().toByteArray(), where);
          assertEquals(plain.get(i).eventHash(), h.eventHash(), where);
          assertEquals(plain.get(i).contentHash(), h.contentHash(), where);
          assertEquals(plain.get(i).globalSequence(), h.globalSequence(), where);
          assertTrue(s.verifyReceipt(plain.get(i)).isValid(), where);
          compressed += storedCompressed(s, dir, plain.get(i), compressor, i) ? 1 : 0;
        }
        assertEquals(25, compressed, compressor + ": payloads stored compressed");
        StoreVerification v = s.verifyAll(VerificationProgress.none());
        assertTrue(v.intact(), compressor + ": " + v.problems());
      }
    }
    byte[] head = Files.readAllBytes(dir.resolve("0000000001.seg"));
    int at = 36 + 1 + (head[36] & 0xFF);
    assertEquals(compressor, new String(head, at + 1, head[at] & 0xFF, StandardCharsets.US_ASCII));
  }

  /** Whether event {@code i}'s payload is stored compressed, checking its stored form. */
  private static boolean storedCompressed(
      Store s, Path dir, AppendReceipt r, String compressor, int i) throws IOException {
    FrameLocation at = FrameLocation.of(s, r.eventId());
    byte[] file = Files.readAllBytes(dir.resolve(String.format("%010d.seg", at.segmentId())));
    ByteBuffer frame = ByteBuffer.wrap(file, (int) at.offset(), at.length()).slice();
    int p = 8 + 24 + 4 + 16 + 16 + 1 + 16;
    p += 2 + (frame.getShort(p) & 0xFFFF);
    p += 2 + (frame.getShort(p) & 0xFFFF);
    p += 2 + 8 + 8 + 2 + 1 + 2 + 96; // no extensions
    int field = frame.getInt(p);
    if (field >= 0) {
      assertEquals(GoldenCompressed.payload(i).length, field, "event " + i);
      return false;
    }
    assertEquals(at.length() - p - 4, field & 0x7FFFFFFF, "event " + i);
    assertEquals(compressor.equals("lz4") ? 1 : 2, frame.get(p + 4), "event " + i);
    assertEquals(GoldenCompressed.payload(i).length, frame.getInt(p + 5), "event " + i);
    return true;
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
