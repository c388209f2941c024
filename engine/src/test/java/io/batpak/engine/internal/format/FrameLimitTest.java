package io.batpak.engine.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import org.junit.jupiter.api.Test;

/**
 * The frame size limit is a format rule owned by {@link FrameCodec}; the configuration's batch
 * limit must fit it, which a store checks when it opens.
 */
class FrameLimitTest {

  @Test
  void theFormatLimitIs128MiBAsDocsFormatMdSays() {
    assertEquals(128 << 20, FrameCodec.MAX_BODY);
  }

  @Test
  void everyBatchLimitTheConfigurationAllowsFitsOneFrame() {
    FrameCodec.checkBatchLimit(StoreConfig.MAX_BATCH_BYTES_LIMIT);
    FrameCodec.checkBatchLimit(
        StoreConfig.builder(java.nio.file.Path.of("x")).build().maxBatchBytes());
    FrameCodec.checkBatchLimit(FrameCodec.MAX_BODY + (long) FrameCodec.PREFIX);
  }

  @Test
  void aBatchLimitPastOneFrameIsATypedErrorNamingTheOption() {
    long tooBig = FrameCodec.MAX_BODY + (long) FrameCodec.PREFIX + 1;
    ValidationException e =
        assertThrows(ValidationException.class, () -> FrameCodec.checkBatchLimit(tooBig));
    assertTrue(e.getMessage().startsWith("maxBatchBytes (" + tooBig + ")"), e.getMessage());
    assertTrue(
        e.getMessage().contains("at most " + (FrameCodec.MAX_BODY + FrameCodec.PREFIX)),
        e.getMessage());
  }
}
