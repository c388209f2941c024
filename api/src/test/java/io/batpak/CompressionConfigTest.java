package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The compression block of {@link StoreConfig} (issue 14): defaults, copies and validation. */
class CompressionConfigTest {
  private static final Path DIR = Path.of("/stores/orders");

  @Test
  void defaultsToNoCompressionAndAThresholdOf256Bytes() {
    StoreConfig c = StoreConfig.builder(DIR).build();
    assertEquals("none", c.compression());
    assertEquals(256, c.compressionThreshold());
  }

  @Test
  void theSettingsSurviveToBuilder() {
    StoreConfig c = StoreConfig.builder(DIR).compression("zstd").compressionThreshold(1).build();
    StoreConfig copy = c.toBuilder().build();
    assertEquals("zstd", copy.compression());
    assertEquals(1, copy.compressionThreshold());
  }

  @Test
  void aBadNameOrThresholdIsRefusedNamingTheValue() {
    ValidationException badName =
        assertThrows(
            ValidationException.class, () -> StoreConfig.builder(DIR).compression("Zstd!").build());
    assertEquals(
        "invalid store configuration for /stores/orders:\n"
            + "  compression: 'none' or a compressor name (1-32 lowercase ASCII letters, digits or"
            + " '-', starting with a letter, such as lz4 or zstd), got 'Zstd!'",
        badName.getMessage());
    ValidationException none =
        assertThrows(
            ValidationException.class, () -> StoreConfig.builder(DIR).compression(null).build());
    assertEquals(
        "invalid store configuration for /stores/orders:\n"
            + "  compression: 'none' or a compressor name (1-32 lowercase ASCII letters, digits or"
            + " '-', starting with a letter, such as lz4 or zstd), got null",
        none.getMessage());
    for (int bad : new int[] {0, -1, StoreConfig.MAX_PAYLOAD_BYTES_LIMIT + 1}) {
      ValidationException e =
          assertThrows(
              ValidationException.class,
              () -> StoreConfig.builder(DIR).compressionThreshold(bad).build());
      assertEquals(
          "invalid store configuration for /stores/orders:\n  compressionThreshold: must be between"
              + " 1 and "
              + StoreConfig.MAX_PAYLOAD_BYTES_LIMIT
              + ", got "
              + bad,
          e.getMessage());
    }
  }

  @Test
  void aDictionaryIsOffByDefaultSurvivesToBuilderAndIsCheckedAgainstItsCompressor() {
    assertEquals(0, StoreConfig.builder(DIR).build().compressionDictionaryBytes());
    StoreConfig c =
        StoreConfig.builder(DIR).compression("zstd").compressionDictionaryBytes(16384).build();
    assertEquals(16384, c.toBuilder().build().compressionDictionaryBytes());
    for (int bad : new int[] {-1, 1, 1023, (1 << 20) + 1}) {
      ValidationException e =
          assertThrows(
              ValidationException.class,
              () ->
                  StoreConfig.builder(DIR)
                      .compression("zstd")
                      .compressionDictionaryBytes(bad)
                      .build());
      assertEquals(
          "invalid store configuration for /stores/orders:\n  compressionDictionaryBytes: must be"
              + " 0 (no dictionary) or between 1024 and 1048576, got "
              + bad,
          e.getMessage());
    }
    ValidationException lz4 =
        assertThrows(
            ValidationException.class,
            () ->
                StoreConfig.builder(DIR)
                    .compression("lz4")
                    .compressionDictionaryBytes(4096)
                    .build());
    assertEquals(
        "invalid store configuration for /stores/orders:\n  compressionDictionaryBytes: 4096 asks"
            + " for a dictionary, which only compression 'zstd' uses, but compression is 'lz4'; set"
            + " compression(\"zstd\") or compressionDictionaryBytes(0)",
        lz4.getMessage());
  }
}
