package io.batpak.it.artifacts;

import static io.batpak.it.artifacts.ArtifactStores.DIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.longThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.inOrder;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventNotFoundException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.VisibilityFence;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;
import org.mockito.Mockito;
import org.mockito.invocation.Invocation;

/**
 * Routing proof of the visibility-ranges publish ({@code visibility.ranges}, ADR 0015), the
 * reference test's way (a control run beside a fault run on the same operation, and the order of
 * the calls through a spied {@link StoreFs}):
 *
 * <ul>
 *   <li>CONTROL on the real {@code posix} backend: a cancel publishes the file, no temporary file
 *       stays, the next open finds it agreeing with the journal; a deleted or damaged file is
 *       reported in the open report and rewritten, never an open failure.
 *   <li>A Mockito spy proves the order: the cancel frame's segment fsync, then the removal of a
 *       leftover temporary file, its creation, the body and then the header written, closed, then
 *       {@code publish(tmp, visibility.ranges, ALL)}: the file never claims a cancel the journal
 *       does not hold durably.
 *   <li>FAULT runs on the simulator, on the three operation kinds of the reference test: the
 *       temporary file's persist (its sync inside the publish), the rename, and the removal of the
 *       leftover temporary file. The cancel still succeeds (the fence frames are the authority),
 *       the failure is logged at WARNING naming the step, and after a restart and after a power
 *       loss the store opens, hides the cancelled events and rebuilds the file, saying so.
 * </ul>
 */
class VisibilityRangesRoutingIT {
  private static final long SEED = 0x7A1_5EEDL;
  static final String RANGES = "visibility.ranges";
  static final String RANGES_TEMP = "visibility.ranges.tmp";
  private static final String COMMITTER_LOGGER = "io.batpak.engine.internal.commit.Committer";
  private static final Coordinate C = Coordinate.of("ledger-1", "routing");

  @TempDir Path tmp;

  /** Appends two events, cancels a fence of three; returns the cancelled receipts. */
  private static List<AppendReceipt> cancelAFence(Store s) {
    s.append(C, ArtifactStores.KIND, Bytes.utf8("kept-0"));
    s.append(C, ArtifactStores.KIND, Bytes.utf8("kept-1"));
    List<AppendReceipt> cancelled = new ArrayList<>();
    VisibilityFence f = s.beginFence();
    for (int i = 0; i < 3; i++) {
      cancelled.add(f.append(C, ArtifactStores.KIND, Bytes.utf8("cancelled-" + i)));
    }
    f.cancel();
    return cancelled;
  }

  private static void assertHidden(Store s, List<AppendReceipt> cancelled) {
    assertEquals(2, s.stats().eventCount());
    for (AppendReceipt r : cancelled) {
      assertThrows(EventNotFoundException.class, () -> s.get(r.eventId()));
    }
    assertEquals(2, s.append(C, ArtifactStores.KIND, Bytes.utf8("next")).streamSequence());
  }

  // ---------------------------------------------------------------- CONTROL: posix

  @Test
  void controlOnPosixACancelPublishesTheFileAndOpensCheckIt() throws IOException {
    Path dir = tmp.resolve("store");
    List<AppendReceipt> cancelled;
    try (Store s = Store.open(StoreConfig.builder(dir).fsBackend("posix").build())) {
      cancelled = cancelAFence(s);
      assertTrue(Files.exists(dir.resolve(RANGES)), "a cancel publishes " + RANGES);
      assertFalse(Files.exists(dir.resolve(RANGES_TEMP)), "no temporary file stays behind");
    }
    byte[] good = Files.readAllBytes(dir.resolve(RANGES));
    try (Store s = Store.open(StoreConfig.builder(dir).fsBackend("posix").readOnly(true).build())) {
      assertEquals(List.of(), s.openReport().indexLoad().distrusted(), "the file agrees");
    }
    // Missing: reported, rebuilt.
    Files.delete(dir.resolve(RANGES));
    try (Store s = Store.open(StoreConfig.builder(dir).fsBackend("posix").build())) {
      List<String> notes = s.openReport().indexLoad().distrusted();
      assertEquals(1, notes.size(), notes.toString());
      assertTrue(notes.get(0).contains(RANGES + " is missing"), notes.get(0));
      assertTrue(notes.get(0).contains("rebuilt from the journal"), notes.get(0));
      assertHidden(s, cancelled);
    }
    assertTrue(Files.exists(dir.resolve(RANGES)), "the open rewrote it");
    // Damaged (a byte of the body flipped): reported, rebuilt.
    byte[] bad = Files.readAllBytes(dir.resolve(RANGES));
    bad[bad.length - 1] ^= 0x40;
    Files.write(dir.resolve(RANGES), bad);
    try (Store s = Store.open(StoreConfig.builder(dir).fsBackend("posix").build())) {
      List<String> notes = s.openReport().indexLoad().distrusted();
      assertEquals(1, notes.size(), notes.toString());
      assertTrue(notes.get(0).contains(RANGES), notes.get(0));
      assertEquals(3, s.stats().eventCount(), "the two kept events and the one appended since");
    }
    // An old copy (the first file, complete up to fewer events) is behind, not wrong: rewritten
    // quietly.
    Files.write(dir.resolve(RANGES), good);
    try (Store s = Store.open(StoreConfig.builder(dir).fsBackend("posix").build())) {
      assertEquals(List.of(), s.openReport().indexLoad().distrusted());
    }
  }

  // ---------------------------------------------------------------- the spy: order of the calls

  @Test
  void theSpySeesTheCancelFrameSyncedThenTheFileWrittenThenPublished() throws IOException {
    Path dir = tmp.resolve("store");
    try (StoreFs posix = posix()) {
      StoreFsSpy spy = StoreFsSpy.around(posix);
      try (Store s = Store.open(StoreConfig.builder(dir).fs(spy.fs).build())) {
        cancelAFence(s);
      }
      Path temp = dir.resolve(RANGES_TEMP);
      Path target = dir.resolve(RANGES);
      FileHandle segment = spy.createdHandle(ArtifactStores.segment(dir, 1));
      FileHandle h = spy.createdHandle(temp);
      // The segment's last write before the publish is the cancel frame: a sync of the segment
      // follows it, before the publish begins.
      long publishedAt = -1;
      for (Invocation i : Mockito.mockingDetails(spy.fs).getInvocations()) {
        if (i.getMethod().getName().equals("publish") && i.getArguments()[1].equals(target)) {
          publishedAt = i.getSequenceNumber();
        }
      }
      assertTrue(publishedAt > 0, "no publish of " + target);
      long lastWrite = -1;
      long syncAfterIt = -1;
      for (Invocation i : Mockito.mockingDetails(segment).getInvocations()) {
        if (i.getSequenceNumber() > publishedAt) {
          break;
        }
        if (i.getMethod().getName().equals("write")) {
          lastWrite = i.getSequenceNumber();
          syncAfterIt = -1;
        } else if (i.getMethod().getName().equals("sync")) {
          syncAfterIt = i.getSequenceNumber();
        }
      }
      assertTrue(lastWrite > 0 && syncAfterIt > lastWrite, "the cancel frame is synced first");
      InOrder order = inOrder(spy.fs, h);
      order.verify(spy.fs).deleteIfExists(temp);
      order.verify(spy.fs).create(temp);
      order.verify(h, atLeastOnce()).write(any(), longThat(at -> at >= 28));
      order.verify(h).write(argThat(b -> b.hasArray() && b.array().length == 28), eq(0L));
      order.verify(h).close();
      order.verify(spy.fs).publish(temp, target, SyncMode.ALL);
    }
  }

  // ---------------------------------------------------------------- FAULT runs: the simulator

  /** The reference test's three operation kinds, on this file's publish. */
  enum Step {
    /** The temporary file's persist: its sync, the first step of the publish. */
    TEMP_PERSIST(FsOp.SYNC, "**/" + RANGES_TEMP),
    /** The rename of the temporary file over the target. */
    RENAME(FsOp.RENAME, "**/" + RANGES_TEMP),
    /** The removal of a leftover temporary file before the write. */
    REMOVAL(FsOp.DELETE, "**/" + RANGES_TEMP);

    final FsOp op;
    final String glob;

    Step(FsOp op, String glob) {
      this.op = op;
      this.glob = glob;
    }
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void aFaultOnTheRangesPublishIsLoggedAndTheNextOpenRebuildsTheFile(Step step) {
    SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
    fs.addFault(
        FaultRule.on(step.op, step.glob, FaultTrigger.nth(1), FaultAction.fail(ErrorKind.IO)));
    List<String> warnings = new ArrayList<>();
    Logger logger = Logger.getLogger(COMMITTER_LOGGER);
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(
                  r.getMessage()
                      + (r.getThrown() == null ? "" : ": " + r.getThrown().getMessage()));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    List<AppendReceipt> cancelled;
    try (Store s = Store.open(ArtifactStores.simConfig(fs, SEED).build())) {
      cancelled = cancelAFence(s); // the cancel succeeds: the journal holds the cancel frame
      assertHidden(s, cancelled);
    } finally {
      logger.removeHandler(handler);
    }
    boolean fired = false;
    for (OpRecord r : fs.opLog()) {
      fired |= r.injected() && r.path().contains(RANGES_TEMP);
    }
    assertTrue(fired, step + ": the fault did not fire: " + fs.opLog());
    assertEquals(1, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("cancelled ranges"), warnings.get(0));
    fs.clearFaults();
    for (boolean powerLoss : new boolean[] {false, true}) {
      if (powerLoss) {
        fs.crash(CrashProfile.STRICT);
      }
      try (Store s = Store.open(ArtifactStores.simConfig(fs, SEED).build())) {
        assertEquals(3, s.stats().eventCount(), step + " " + powerLoss);
        for (AppendReceipt r : cancelled) {
          assertThrows(EventNotFoundException.class, () -> s.get(r.eventId()));
        }
        List<String> notes = s.openReport().indexLoad().distrusted();
        if (!powerLoss) {
          // The publish failed before the rename, so the file is missing: reported, rebuilt.
          assertEquals(1, notes.size(), step + ": " + notes);
          assertTrue(notes.get(0).contains(RANGES + " is missing"), notes.get(0));
        }
      }
      try {
        assertTrue(fs.exists(DIR.resolve(RANGES)), step + ": the open rebuilt the file");
        assertFalse(fs.exists(DIR.resolve(RANGES_TEMP)), step + ": no temporary file left");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static StoreFs posix() {
    try {
      return StoreFsResolver.resolve("posix", VisibilityRangesRoutingIT.class.getClassLoader())
          .open(FsOptions.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
