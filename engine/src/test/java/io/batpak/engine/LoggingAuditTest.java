package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.OpenReport;
import io.batpak.OutcomeUnknownException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreListener;
import io.batpak.engine.internal.ListenerGuard;
import io.batpak.engine.internal.commit.Committer;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The logging rules of docs/logging.md, seen through {@link System.Logger}: the default logger
 * finder hands each record to the {@code java.util.logging} logger of the same name, so a handler
 * on {@code io.batpak}, at level ALL for the test, sees everything the engine logs, DEBUG included.
 * Appending logs nothing per event; a poison is logged once, at ERROR, however many appends it
 * refuses; a listener that throws is logged once at WARNING, and its count once at close, and the
 * store keeps going. (The nio fallback's one WARNING is {@code BackendFallbackLogTest} in fs-spi.)
 */
class LoggingAuditTest {
  private static final Path DIR = Path.of("/logging");
  private static final Coordinate C = Coordinate.of("entity", "scope");

  /** Held strongly: java.util.logging keeps only weak references to loggers. */
  private Logger batpak;

  private Level levelBefore;
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

  @BeforeEach
  void listen() {
    batpak = Logger.getLogger("io.batpak");
    levelBefore = batpak.getLevel();
    batpak.setLevel(Level.ALL);
    recorder.setLevel(Level.ALL);
    batpak.addHandler(recorder);
  }

  @AfterEach
  void stopListening() {
    batpak.removeHandler(recorder);
    batpak.setLevel(levelBefore);
  }

  private List<LogRecord> taken() {
    synchronized (records) {
      List<LogRecord> all = List.copyOf(records);
      records.clear();
      return all;
    }
  }

  private static List<LogRecord> at(List<LogRecord> all, Level level) {
    return all.stream().filter(r -> r.getLevel().equals(level)).toList();
  }

  private static String describe(List<LogRecord> all) {
    StringBuilder b = new StringBuilder();
    for (LogRecord r : all) {
      b.append("\n  ").append(r.getLevel()).append(' ').append(r.getLoggerName()).append(": ");
      b.append(r.getMessage());
    }
    return b.toString();
  }

  private static StoreConfig.Builder sim(SimStoreFs fs) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(17))
        .deterministic(true);
  }

  @Test
  void appendingTenThousandEventsLogsNothing() {
    try (SimStoreFs fs = new SimStoreFs(17)) {
      try (Store store = Store.open(sim(fs).build())) {
        List<LogRecord> open = taken();
        assertEquals(1, open.size(), "one DEBUG line per open:" + describe(open));
        assertEquals(Level.FINE, open.get(0).getLevel(), "System.Logger DEBUG is JUL FINE");
        for (int i = 0; i < 10_000; i++) {
          store.append(C, StoreFixtures.KIND, Bytes.utf8("event " + i));
        }
        List<LogRecord> appends = taken();
        assertEquals(List.of(), appends, "nothing logged per event:" + describe(appends));
        assertEquals(10_000, store.stats().eventCount());
      }
      List<LogRecord> close = taken();
      assertEquals(List.of(), close, "a clean close logs nothing:" + describe(close));
    }
  }

  @Test
  void aPoisonIsLoggedOnceAtError() {
    try (SimStoreFs fs = new SimStoreFs(17)) {
      Store store = Store.open(sim(fs).build());
      for (int i = 0; i < 5; i++) {
        store.append(C, StoreFixtures.KIND, Bytes.utf8("ok " + i));
      }
      taken();
      fs.addFault(
          FaultRule.on(
              FsOp.SYNC,
              DIR.resolve("0000000001.seg").toString(),
              FaultTrigger.nth(1),
              FaultAction.fail(ErrorKind.IO)));
      assertThrows(
          OutcomeUnknownException.class,
          () -> store.append(C, StoreFixtures.KIND, Bytes.utf8("the fsync fails")));
      for (int i = 0; i < 100; i++) {
        assertThrows(
            OutcomeUnknownException.class,
            () -> store.append(C, StoreFixtures.KIND, Bytes.utf8("refused")));
      }
      assertThrows(OutcomeUnknownException.class, store::close);
      List<LogRecord> all = taken();
      List<LogRecord> errors = at(all, Level.SEVERE);
      assertEquals(1, errors.size(), "one ERROR for the poison:" + describe(all));
      LogRecord poison = errors.get(0);
      assertEquals(Committer.class.getName(), poison.getLoggerName());
      assertTrue(poison.getMessage().contains("poisoned"), poison.getMessage());
      assertTrue(
          poison.getMessage().contains("fsync of " + DIR.resolve("0000000001.seg") + " failed"),
          "the poison names the failed call and file: " + poison.getMessage());
      assertTrue(poison.getThrown() instanceof OutcomeUnknownException, "with its exception");
      assertEquals(List.of(), at(all, Level.WARNING), "nothing else to warn about" + describe(all));
    }
  }

  /** Throws from every report; counts them. */
  private static final class ThrowingListener implements StoreListener {
    final AtomicLong reports = new AtomicLong();

    private RuntimeException fail() {
      return new IllegalStateException("listener bug number " + reports.incrementAndGet());
    }

    @Override
    public void opened(OpenReport report) {
      throw fail();
    }

    @Override
    public void groupCommitted(int events, long bytes) {
      throw fail();
    }

    @Override
    public void synced(long nanos) {
      throw fail();
    }

    @Override
    public void queueDepth(int appends) {
      throw fail();
    }

    @Override
    public void watermarks(long written, long durable, long visible) {
      throw fail();
    }

    @Override
    public String toString() {
      return "ThrowingListener";
    }
  }

  @Test
  void aListenerThatThrowsIsLoggedOnceAndTheStoreKeepsGoing() {
    ThrowingListener listener = new ThrowingListener();
    try (SimStoreFs fs = new SimStoreFs(17)) {
      try (Store store = Store.open(sim(fs).listener(listener).build())) {
        for (int i = 0; i < 100; i++) {
          assertEquals(
              i, store.append(C, StoreFixtures.KIND, Bytes.utf8("e" + i)).globalSequence());
        }
        assertEquals(100, store.stats().eventCount());
      }
      try (Store store = Store.open(sim(fs).build())) {
        assertEquals(100, store.stats().eventCount(), "every append is durable");
      }
    }
    // opened, then per group: queueDepth, groupCommitted, watermarks, synced, watermarks.
    assertTrue(listener.reports.get() > 500, "every report reached the listener");
    List<LogRecord> all = at(taken(), Level.WARNING);
    assertEquals(2, all.size(), "the first failure, then the count at close:" + describe(all));
    assertEquals(ListenerGuard.LOGGER, all.get(0).getLoggerName());
    assertTrue(all.get(0).getMessage().contains("ThrowingListener"), all.get(0).getMessage());
    assertTrue(all.get(0).getMessage().contains("threw in opened"), all.get(0).getMessage());
    assertEquals("listener bug number 1", all.get(0).getThrown().getMessage());
    String count = all.get(1).getMessage();
    assertTrue(
        count.contains("threw in " + listener.reports.get() + " reports"),
        "the count at close is every report that threw: " + count);
  }

  @Test
  void noListenerIsNoneAndNeedsNoGuard() {
    assertSame(StoreListener.none(), ListenerGuard.of(StoreListener.none(), "/x"));
    assertSame(StoreListener.none(), StoreConfig.builder(DIR).build().listener());
  }
}
