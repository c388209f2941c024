package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every limit the reader enforces, the writer enforces first (docs/architecture.md, decision 12),
 * and reads past the end are empty, not failures (issue 8 defects 2 and 8).
 */
class LimitsTest {
  static final Coordinate C = Coordinate.of("blob:1", "s");

  @TempDir Path dir;

  /**
   * 2,100 items with a 64 KiB extension each are within every per-item limit, but encode to a 138
   * MB frame, past the 128 MiB the reader accepts. It was acknowledged; now it is refused.
   */
  @Test
  void aBatchIsMeasuredByItsEncodedFrameAndRefusedBeforeAnythingIsWritten() throws Exception {
    StoreConfig config =
        StoreConfig.builder(dir)
            .maxBatchEvents(StoreConfig.MAX_BATCH_EVENTS_LIMIT)
            .maxBatchBytes(StoreConfig.MAX_BATCH_BYTES_LIMIT)
            .build();
    ExtensionKey key = ExtensionKey.of("app.blob");
    Bytes blob = Bytes.of(new byte[StoreConfig.MAX_EXTENSION_BYTES - key.value().length()]);
    List<BatchItem> items = new ArrayList<>();
    for (int i = 0; i < 2100; i++) {
      items.add(
          BatchItem.of(C, KIND, Bytes.utf8("i" + i))
              .withOptions(AppendOptions.defaults().withExtension(key, blob)));
    }
    try (Store store = Store.open(config)) {
      long before = Files.size(StoreFixtures.segment(dir, 1));
      ValidationException e =
          assertThrows(ValidationException.class, () -> store.appendBatch(items));
      assertTrue(e.getMessage().contains("encodes to"), e.getMessage());
      assertEquals(before, Files.size(StoreFixtures.segment(dir, 1)), "nothing was written");
      assertEquals(0, store.watermarks().accepted());
      store.appendBatch(items.subList(0, 1000));
    }
    try (Store store = Store.open(config)) {
      assertEquals(1000, store.stats().eventCount());
    }
  }

  @Test
  void queryingPastTheEndIsAnEmptyPage() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(C, KIND, Bytes.utf8("one"));
      for (long after :
          new long[] {0, 1, 1000, Integer.MAX_VALUE, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
        List<EventHeader> page = store.queryAfter(Region.all(), after, 10);
        assertEquals(List.of(), page, "after " + after);
      }
      assertEquals(1, store.queryAfter(Region.all(), -1, Integer.MAX_VALUE).size());
    }
  }

  /**
   * The class of defect 8 (a long argument overflowing into an index): every numeric argument of
   * the read and wait methods at its extremes gives an answer or a typed error, never an index
   * failure.
   */
  @Test
  void numericArgumentsAtTheirExtremesGiveAnswersOrTypedErrors() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(C, KIND, Bytes.utf8("one"));
      assertEquals(1, store.queryAfter(Region.all(), -1, Integer.MAX_VALUE).size());
      org.junit.jupiter.api.Assertions.assertThrows(
          ValidationException.class, () -> store.queryAfter(Region.all(), Long.MIN_VALUE, 1));
      org.junit.jupiter.api.Assertions.assertThrows(
          ValidationException.class, () -> store.queryAfter(Region.all(), -1, Integer.MIN_VALUE));
      for (io.batpak.Watermark w : io.batpak.Watermark.values()) {
        org.junit.jupiter.api.Assertions.assertThrows(
            io.batpak.StoreTimeoutException.class,
            () -> store.waitFor(w, Long.MAX_VALUE, java.time.Duration.ofMillis(1)));
        store.waitFor(w, 0, java.time.Duration.ZERO);
      }
      org.junit.jupiter.api.Assertions.assertThrows(
          ValidationException.class,
          () ->
              store.waitFor(io.batpak.Watermark.VISIBLE, Long.MIN_VALUE, java.time.Duration.ZERO));
      // A negative timeout is a bad argument, as for Cursor.pollBatch's wait; it was a
      // StoreTimeoutException "did not pass global sequence 100 within PT-0.005S".
      ValidationException negative =
          org.junit.jupiter.api.Assertions.assertThrows(
              ValidationException.class,
              () ->
                  store.waitFor(io.batpak.Watermark.VISIBLE, 100, java.time.Duration.ofMillis(-5)));
      org.junit.jupiter.api.Assertions.assertTrue(
          negative.getMessage().contains("PT-0.005S"), negative.getMessage());
      assertEquals(
          List.of(),
          StoreFixtures.query(
              store, Region.all().withStreamSequenceRange(Long.MAX_VALUE - 1, Long.MAX_VALUE)));
      assertEquals(List.of(), store.stream(C.entity(), Long.MAX_VALUE, Integer.MAX_VALUE));
      assertEquals(1, store.stream(C.entity(), 0, Integer.MAX_VALUE).size());
      assertThrows(ValidationException.class, () -> store.stream(C.entity(), Long.MIN_VALUE, 1));
      assertThrows(ValidationException.class, () -> store.stream(C.entity(), 0, Integer.MIN_VALUE));
    }
  }
}
