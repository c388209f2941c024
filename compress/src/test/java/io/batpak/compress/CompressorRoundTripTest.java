package io.batpak.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.spi.Compressor;
import io.batpak.spi.CompressorProvider;
import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import java.util.List;
import java.util.Random;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each compressor on its own: the providers are found by name, seeded payloads round-trip, and
 * untrusted input (random bytes, truncated blocks, a block with a wrong recorded length) fails with
 * {@link IllegalArgumentException}, the one failure the engine turns into corruption, never with
 * another exception or a write outside the output.
 */
@BatpakTest
class CompressorRoundTripTest {

  static Compressor compressor(String name) {
    return ProviderLoader.load(
            ProviderKind.COMPRESSOR,
            ServiceLoader.load(
                CompressorProvider.class, CompressorRoundTripTest.class.getClassLoader()))
        .selectByName(name)
        .orThrow()
        .create();
  }

  @Test
  void bothProvidersAreFoundByName() {
    assertEquals(
        List.of("lz4", "zstd"),
        List.copyOf(
            ProviderLoader.load(
                    ProviderKind.COMPRESSOR,
                    ServiceLoader.load(
                        CompressorProvider.class, CompressorRoundTripTest.class.getClassLoader()))
                .names()));
    assertEquals("lz4", compressor("lz4").name());
    assertEquals("zstd", compressor("zstd").name());
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void seededPayloadsRoundTrip(String name, SimStore kit) {
    long seed = kit.seed();
    Compressor c = compressor(name);
    for (byte[] p : Payloads.all(new Random(seed))) {
      byte[] block = c.compress(p);
      byte[] out = new byte[p.length];
      c.decompress(block, 0, block.length, out);
      assertArrayEquals(p, out, name + ", seed " + seed + ", " + p.length + " bytes");
      // At an offset inside a larger array, as the engine reads it from a frame.
      byte[] framed = new byte[block.length + 11];
      System.arraycopy(block, 0, framed, 7, block.length);
      byte[] again = new byte[p.length];
      c.decompress(framed, 7, block.length, again);
      assertArrayEquals(p, again, name + ", seed " + seed + ", at an offset");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void untrustedBlocksFailWithIllegalArgument(String name, SimStore kit) {
    long seed = kit.seed();
    Random random = new Random(seed);
    Compressor c = compressor(name);
    byte[] payload = Payloads.text(random, 5000);
    byte[] block = c.compress(payload);
    String where = name + ", seed " + seed;
    assertThrows(
        IllegalArgumentException.class,
        () -> c.decompress(block, 0, block.length, new byte[payload.length - 1]),
        where + ": output one byte short");
    assertThrows(
        IllegalArgumentException.class,
        () -> c.decompress(block, 0, block.length, new byte[payload.length + 1]),
        where + ": output one byte long");
    assertThrows(
        IllegalArgumentException.class,
        () -> c.decompress(block, 0, block.length / 2, new byte[payload.length]),
        where + ": truncated block");
    for (int i = 0; i < 200; i++) {
      byte[] junk = Payloads.random(random, 1 + random.nextInt(300));
      byte[] out = new byte[random.nextInt(2000)];
      try {
        c.decompress(junk, 0, junk.length, out);
      } catch (IllegalArgumentException expected) {
        // the only failure allowed; random bytes may also happen to decompress
      }
    }
  }

  /** Small JSON-like samples, {@code n} of them. */
  private static List<byte[]> samples(Random random, int n) {
    List<byte[]> out = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Payloads.text(random, 100 + random.nextInt(400)));
    }
    return out;
  }

  @Test
  void zstdTrainsADictionaryThatRoundTripsAndRefusesAnotherDictionarysBlocks(SimStore kit) {
    long seed = kit.seed();
    String where = "seed " + seed;
    Random random = new Random(seed);
    Compressor plain = compressor("zstd");
    byte[] first = plain.trainDictionary(samples(random, 400), 4096);
    byte[] second = plain.trainDictionary(samples(random, 400), 2048);
    assertTrue(first.length <= 4096 && second.length <= 2048, where);
    Compressor withFirst = plain.withDictionary(first);
    Compressor withSecond = plain.withDictionary(second);
    assertEquals("zstd", withFirst.name(), where);
    long plainBytes = 0;
    long dictionaryBytes = 0;
    for (byte[] p : samples(random, 200)) {
      byte[] block = withFirst.compress(p);
      byte[] out = new byte[p.length];
      withFirst.decompress(block, 0, block.length, out);
      assertArrayEquals(p, out, where);
      plainBytes += plain.compress(p).length;
      dictionaryBytes += block.length;
      // zstd records the dictionary's id in the frame: another dictionary, or none, refuses it.
      assertThrows(
          IllegalArgumentException.class,
          () -> withSecond.decompress(block, 0, block.length, new byte[p.length]),
          where + ": read with another dictionary");
      assertThrows(
          IllegalArgumentException.class,
          () -> plain.decompress(block, 0, block.length, new byte[p.length]),
          where + ": read without the dictionary");
    }
    assertTrue(dictionaryBytes < plainBytes, where + ": " + dictionaryBytes + " vs " + plainBytes);
  }

  @Test
  void aDictionaryIsRefusedWhereItCannotBe() {
    Compressor zstd = compressor("zstd");
    assertThrows(IllegalArgumentException.class, () -> zstd.withDictionary(new byte[100]));
    assertThrows(
        IllegalArgumentException.class,
        () -> zstd.trainDictionary(List.of(new byte[] {1, 2, 3}), 4096),
        "one three-byte sample");
    Compressor lz4 = compressor("lz4");
    UnsupportedOperationException e =
        assertThrows(UnsupportedOperationException.class, () -> lz4.withDictionary(new byte[8]));
    assertEquals("compressor 'lz4' has no dictionaries; only zstd uses them", e.getMessage());
    assertThrows(
        UnsupportedOperationException.class, () -> lz4.trainDictionary(List.of(new byte[8]), 1024));
    assertThrows(NullPointerException.class, () -> lz4.trainDictionary(null, 1024));
    assertThrows(NullPointerException.class, () -> zstd.withDictionary(null));
  }
}
