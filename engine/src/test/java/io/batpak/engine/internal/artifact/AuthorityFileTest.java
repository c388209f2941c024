package io.batpak.engine.internal.artifact;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.UnsupportedFormatException;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The authority-file envelope (docs/format.md "Authority files"), on the real disk through the
 * posix backend: a body larger than the 1 MiB chunk round-trips, a missing file is {@code Missing},
 * every kind of damage is {@code Damaged} (or a CRC failure at the end of the body) with the file
 * and offset, a newer version is refused naming both versions, and a publish replaces a leftover
 * temporary file.
 */
class AuthorityFileTest {
  static final AuthorityFile.Kind KIND =
      new AuthorityFile.Kind(
          "test file", new byte[] {(byte) 0x89, 'B', 'P', 'K', 'T', 'S', 'T', 0x0A}, 3);

  @TempDir Path dir;
  StoreFs fs;
  Path file;

  @BeforeEach
  void openFs() throws IOException {
    fs = StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(FsOptions.defaults());
    file = dir.resolve("test.auth");
  }

  @AfterEach
  void closeFs() throws IOException {
    fs.close();
  }

  /** A body of every kind of value, sized past the chunk, and unaligned to it. */
  private record Body(
      int first,
      long[] longs,
      int[] ints,
      char[] chars,
      String[] strings,
      byte[] bytes,
      long last) {

    static Body random(Random random) {
      long[] longs = new long[200_000];
      int[] ints = new int[150_000];
      char[] chars = new char[300_000];
      String[] strings = new String[500];
      byte[] bytes = new byte[(3 << 20) + 5];
      for (int i = 0; i < longs.length; i++) {
        longs[i] = random.nextLong();
      }
      for (int i = 0; i < ints.length; i++) {
        ints[i] = random.nextInt();
      }
      for (int i = 0; i < chars.length; i++) {
        chars[i] = (char) random.nextInt(0x10000);
      }
      for (int i = 0; i < strings.length; i++) {
        strings[i] = i == 0 ? "" : i == 1 ? "é".repeat(30_000) : "stream-" + i + "-ü".repeat(i % 7);
      }
      random.nextBytes(bytes);
      return new Body(random.nextInt(), longs, ints, chars, strings, bytes, random.nextLong());
    }

    void write(BodyOutput out) throws IOException {
      out.putInt(first);
      out.putLongs(longs, longs.length);
      out.putInts(ints, ints.length);
      out.putChars(chars, chars.length);
      for (String s : strings) {
        out.putString(s);
      }
      out.put(bytes);
      out.putLong(last);
    }

    void check(BodyInput in, String what) throws IOException {
      assertEquals(first, in.getInt(), what);
      long[] l = new long[longs.length];
      in.getLongs(l, l.length);
      assertArrayEquals(longs, l, what);
      int[] n = new int[ints.length];
      in.getInts(n, n.length);
      assertArrayEquals(ints, n, what);
      char[] c = new char[chars.length];
      in.getChars(c, c.length);
      assertArrayEquals(chars, c, what);
      for (String s : strings) {
        assertEquals(s, in.getString(), what);
      }
      assertArrayEquals(bytes, in.getBytes(bytes.length), what);
      assertEquals(last, in.getLong(), what);
    }

    long length() {
      long n = 4 + 8L * longs.length + 4L * ints.length + 2L * chars.length + bytes.length + 8;
      for (String s : strings) {
        n += 2 + s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
      }
      return n;
    }
  }

  private AuthorityFile.Found found(Path f) throws IOException {
    return assertInstanceOf(AuthorityFile.Found.class, AuthorityFile.open(fs, f, KIND));
  }

  private String damaged(Path f) throws IOException {
    return assertInstanceOf(AuthorityFile.Damaged.class, AuthorityFile.open(fs, f, KIND)).reason();
  }

  private void publishSmall(long value) throws IOException {
    AuthorityFile.publish(fs, file, KIND, out -> out.putLong(value).putString("small"));
  }

  /** {@code bytes} with another version field and a header CRC that holds. */
  private static byte[] withVersion(byte[] bytes, int version) {
    byte[] out = bytes.clone();
    ByteBuffer b = ByteBuffer.wrap(out);
    b.putShort(8, (short) version);
    CRC32C crc = new CRC32C();
    crc.update(out, 0, 24);
    b.putInt(24, (int) crc.getValue());
    return out;
  }

  @Test
  void aBodyLargerThanAChunkRoundTrips() throws IOException {
    long seed = new Random().nextLong();
    String what = "seed " + seed;
    Body body = Body.random(new Random(seed));
    AuthorityFile.publish(fs, file, KIND, body::write);
    byte[] bytes = Files.readAllBytes(file);
    assertEquals(AuthorityFile.HEADER + body.length(), bytes.length, what);
    assertTrue(body.length() > 4 << 20, "several chunks: " + body.length());
    ByteBuffer h = ByteBuffer.wrap(bytes);
    assertEquals("8942504b5453540a", HexFormat.of().formatHex(bytes, 0, 8), what);
    assertEquals(3, h.getShort(8), what);
    assertEquals(0, h.getShort(10), what);
    assertEquals(body.length(), h.getLong(12), what);
    CRC32C crc = new CRC32C();
    crc.update(bytes, AuthorityFile.HEADER, bytes.length - AuthorityFile.HEADER);
    assertEquals((int) crc.getValue(), h.getInt(20), what);
    crc.reset();
    crc.update(bytes, 0, 24);
    assertEquals((int) crc.getValue(), h.getInt(24), what);

    AuthorityFile.Found found = found(file);
    assertEquals(3, found.version(), what);
    try (BodyInput in = found.body()) {
      assertEquals(body.length(), in.remaining(), what);
      body.check(in, what);
      assertEquals(0, in.remaining(), what);
      assertNull(in.finish(), what);
    }
    assertFalse(Files.exists(dir.resolve("test.auth.tmp")), "the temporary file is gone");
  }

  @Test
  void aMissingFileIsMissing() throws IOException {
    assertInstanceOf(AuthorityFile.Missing.class, AuthorityFile.open(fs, file, KIND));
  }

  @Test
  void everyDamageIsReportedWithTheFileAndTheOffset() throws IOException {
    publishSmall(42);
    byte[] good = Files.readAllBytes(file);

    Files.write(file, Arrays.copyOf(good, 27));
    String shortFile = damaged(file);
    assertTrue(shortFile.contains(file.toString()), shortFile);
    assertTrue(shortFile.contains("27 bytes, shorter than the 28-byte header"), shortFile);

    byte[] magic = good.clone();
    magic[3] ^= 0x01;
    Files.write(file, magic);
    String m = damaged(file);
    assertTrue(m.contains(file + " at offset 0: magic 8942504a"), m);
    assertTrue(m.contains("expected 8942504b5453540a"), m);

    for (int at = 8; at < 28; at++) {
      byte[] header = good.clone();
      header[at] ^= 0x40;
      Files.write(file, header);
      String h = damaged(file);
      assertTrue(h.contains(file + " at offset 24: the header's CRC32C"), "byte " + at + ": " + h);
    }

    byte[] longer = Arrays.copyOf(good, good.length + 1);
    Files.write(file, longer);
    String length = damaged(file);
    assertTrue(length.contains(file + " at offset 12: a body length of 15 bytes"), length);
    assertTrue(length.contains("but 16 follow the header"), length);

    for (int at = AuthorityFile.HEADER; at < good.length; at++) {
      byte[] body = good.clone();
      body[at] ^= 0x02;
      Files.write(file, body);
      try (BodyInput in = found(file).body()) {
        in.getLong();
        in.getBytes(7);
        String crc = in.finish();
        assertEquals(
            file + " at offset 28: the body's CRC32C does not match", crc, "body byte " + at);
      }
    }
  }

  @Test
  void readingPastTheBodyOrLeavingPartOfItIsReported() throws IOException {
    publishSmall(7);
    try (BodyInput in = found(file).body()) {
      assertEquals(7, in.getLong());
      String left = in.finish();
      assertTrue(left.contains(file + ": 7 bytes follow the body's data"), left);
      in.getBytes(6);
      BodyInput.Truncated t = assertThrows(BodyInput.Truncated.class, in::getLong);
      assertTrue(t.getMessage().contains(file.toString()), t.getMessage());
      assertTrue(
          t.getMessage().contains("the body ends before the data it announces"), t.getMessage());
    }
  }

  @Test
  void aNewerVersionIsRefusedNamingBothAndAnOlderOneIsRead() throws IOException {
    publishSmall(9);
    byte[] good = Files.readAllBytes(file);
    Files.write(file, withVersion(good, 4));
    UnsupportedFormatException e =
        assertThrows(UnsupportedFormatException.class, () -> AuthorityFile.open(fs, file, KIND));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("a test file of format version 4"), e.getMessage());
    assertTrue(e.getMessage().contains("versions up to 3"), e.getMessage());

    Files.write(file, withVersion(good, 2));
    AuthorityFile.Found older = found(file);
    assertEquals(2, older.version());
    try (BodyInput in = older.body()) {
      assertEquals(9, in.getLong());
      assertEquals("small", in.getString());
      assertNull(in.finish());
    }
  }

  @Test
  void aPublishReplacesALeftoverTemporaryFileAndTheOldTarget() throws IOException {
    publishSmall(1);
    Path temp = dir.resolve("test.auth" + AuthorityFile.TEMP_SUFFIX);
    Files.write(temp, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
    publishSmall(2);
    assertFalse(Files.exists(temp), "the leftover is gone");
    try (BodyInput in = found(file).body()) {
      assertEquals(2, in.getLong());
      assertEquals("small", in.getString());
      assertNull(in.finish());
    }
  }

  @Test
  void aFailedPublishNamesTheStepAndKeepsTheOldFile() throws IOException {
    publishSmall(1);
    byte[] before = Files.readAllBytes(file);
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AuthorityFile.publish(
                    fs,
                    file,
                    KIND,
                    out -> {
                      out.putLongs(new long[1 << 18], 1 << 18);
                      throw new IOException("the body failed");
                    }));
    assertTrue(e.getMessage().contains("writing " + file + ".tmp failed"), e.getMessage());
    assertTrue(e.getMessage().contains("the body failed"), e.getMessage());
    assertArrayEquals(before, Files.readAllBytes(file));
    assertFalse(Files.exists(dir.resolve("test.auth.tmp")));
  }
}
