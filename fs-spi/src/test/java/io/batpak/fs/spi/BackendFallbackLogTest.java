package io.batpak.fs.spi;

import static io.batpak.fs.spi.FakeProvider.unusable;
import static io.batpak.fs.spi.FakeProvider.usable;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.fs.spi.StoreFsResolver.Resolution;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * A fallback of automatic selection (a backend chosen because one of higher priority failed its
 * probe) is reported by {@link Resolution#fallback()} and logged once at WARNING through {@link
 * System.Logger}; the default logger finder sends it to the {@code java.util.logging} logger of the
 * same name, where a recording handler sees it. Each test's probe reason names the test, because a
 * message is logged once per process.
 */
class BackendFallbackLogTest {

  private static final String LOGGER = StoreFsResolver.class.getName();

  /** Held strongly: java.util.logging keeps only weak references to loggers. */
  private Logger logger;

  private final List<LogRecord> records = new ArrayList<>();
  private final Handler recorder =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          synchronized (records) {
            records.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  private String reason;

  @BeforeEach
  void listen(TestInfo test) {
    logger = Logger.getLogger(LOGGER);
    recorder.setLevel(Level.ALL);
    logger.addHandler(recorder);
    reason = "jna.jar is not on the class path (" + test.getDisplayName() + ")";
  }

  @AfterEach
  void stopListening() {
    logger.removeHandler(recorder);
  }

  private List<String> warnings() {
    synchronized (records) {
      return records.stream()
          .filter(r -> r.getLevel().equals(Level.WARNING))
          .map(LogRecord::getMessage)
          .toList();
    }
  }

  @Test
  void aFallbackToNioIsLoggedOnceAtWarningWithTheReason() {
    String expected =
        "filesystem backend nio chosen automatically as a fallback: posix (priority 100) is"
            + " unavailable: probe failed: "
            + reason
            + ". To use posix, fix what the probe reports; to run on nio on purpose, name it"
            + " (StoreConfig.Builder.fsBackend(\"nio\") or -Dbatpak.fs.backend=nio) and this"
            + " warning goes away.";
    for (int open = 0; open < 3; open++) {
      Resolution r =
          StoreFsResolver.resolve(null, List.of(unusable("posix", 100, reason), usable("nio", 50)));
      assertEquals("nio", r.name());
      assertEquals(Optional.of(expected), r.fallback());
    }
    assertEquals(List.of(expected), warnings(), "logged once for three opens");
  }

  @Test
  void everyUnavailableBackendOfHigherPriorityIsNamed() {
    Resolution r =
        StoreFsResolver.resolve(
            null,
            List.of(
                unusable("posix", 100, reason),
                unusable("uring", 80, "io_uring is disabled by the kernel"),
                usable("nio", 50)));
    String expected =
        "filesystem backend nio chosen automatically as a fallback: posix (priority 100) is"
            + " unavailable: probe failed: "
            + reason
            + "; uring (priority 80) is unavailable: probe failed: io_uring is disabled by the"
            + " kernel. To use posix or uring, fix what the probe reports; to run on nio on"
            + " purpose, name it (StoreConfig.Builder.fsBackend(\"nio\") or"
            + " -Dbatpak.fs.backend=nio) and this warning goes away.";
    assertEquals(Optional.of(expected), r.fallback());
    assertEquals(List.of(expected), warnings());
  }

  @Test
  void theTopBackendIsNoFallback() {
    Resolution r = StoreFsResolver.resolve(null, List.of(usable("posix", 100), usable("nio", 50)));
    assertEquals("posix", r.name());
    assertEquals(Optional.empty(), r.fallback());
    assertEquals(List.of(), warnings());
  }

  @Test
  void aFailedProbeAtTheSamePriorityIsNoFallback() {
    Resolution r =
        StoreFsResolver.resolve(
            null, List.of(unusable("other", 100, reason), usable("posix", 100), usable("nio", 50)));
    assertEquals("posix", r.name());
    assertEquals(Optional.empty(), r.fallback());
    assertEquals(List.of(), warnings());
  }

  @Test
  void aBackendChosenByNameIsNoFallback() {
    List<FakeProvider> providers = List.of(unusable("posix", 100, reason), usable("nio", 50));
    Properties byProperty = new Properties();
    byProperty.setProperty(StoreFsResolver.BACKEND_PROPERTY, "nio");
    assertEquals(Optional.empty(), StoreFsResolver.resolve("nio", providers).fallback());
    assertEquals(Optional.empty(), StoreFsResolver.resolve(null, providers, byProperty).fallback());
    assertEquals(List.of(), warnings());
  }

  @Test
  void anInstancePassedInIsNoFallback() {
    Resolution r = StoreFsResolver.resolve(new RecordingStoreFs());
    assertEquals(Optional.empty(), r.fallback());
    assertEquals(List.of(), warnings());
  }
}
