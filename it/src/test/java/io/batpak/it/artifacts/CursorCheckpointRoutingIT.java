package io.batpak.it.artifacts;

import static io.batpak.it.artifacts.ArtifactStores.DIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.longThat;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;

import io.batpak.Cursor;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.CursorWorkerFailedException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.StoredEvent;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;

/**
 * Routing proof of the cursor checkpoint publish ({@code cursors/<id>.ckpt}), the reference test's
 * way (spec 000_61977bd6aaf84045: "the cursor-checkpoint persist is routed through StoreFs"):
 *
 * <ul>
 *   <li>CONTROL on the real {@code posix} backend: a worker saves its checkpoint after each batch,
 *       no temporary file stays, and a new worker resumes after it.
 *   <li>A Mockito spy on the backend proves the order: the {@code cursors/} directory created and
 *       the store directory synced (first save only), then remove a leftover temporary file, create
 *       {@code <id>.ckpt.tmp}, write the body, then the 28-byte header, close it, then {@code
 *       publish(tmp, <id>.ckpt, ALL)} (which syncs the temporary file, renames it and syncs the
 *       directory).
 *   <li>FAULT runs on the simulator, on the second save, one per step: the removal of the leftover
 *       temporary file, its create, its write (the temp persist), its sync, the rename, the
 *       directory sync and the publish as a whole. {@code checkpoint()} throws {@link
 *       StoreIoException} naming the step (a worker stops with {@code CHECKPOINT_FAILED}); after a
 *       process restart and after a power loss the previous checkpoint is readable and a new worker
 *       resumes from it (or from the new one where the rename happened and survived).
 * </ul>
 */
class CursorCheckpointRoutingIT {
  private static final long SEED = 0xC0_5C4EL;
  private static final String ID = "route";
  private static final Path CURSORS = DIR.resolve("cursors");
  private static final Path TARGET = CURSORS.resolve(ID + ".ckpt");
  private static final Path TEMP = CURSORS.resolve(ID + ".ckpt.tmp");

  @TempDir Path tmp;

  // ---------------------------------------------------------------- CONTROL: posix

  @Test
  void controlOnPosixAWorkerSavesAfterEachBatchAndANewOneResumes() throws Exception {
    Path dir = tmp.resolve("store");
    List<Long> first = Collections.synchronizedList(new ArrayList<>());
    try (Store s = Store.open(posixConfig(dir).build())) {
      ArtifactStores.appendSome(s, 40, "posix");
      CursorWorker w =
          s.cursorWorker(
              Region.all(),
              ID,
              CursorWorkerConfig.defaults().withBatchSize(8),
              b -> b.forEach(e -> first.add(e.header().globalSequence())));
      long last = s.watermarks().visible() - 1;
      eventually(() -> w.position() == last && w.metrics().lagEvents() == 0);
      w.stop();
      w.join();
    }
    assertTrue(Files.isRegularFile(dir.resolve("cursors").resolve(ID + ".ckpt")));
    assertFalse(Files.exists(dir.resolve("cursors").resolve(ID + ".ckpt.tmp")));
    long events = first.size();
    assertTrue(events >= 40, "every event handled: " + events);
    List<Long> second = Collections.synchronizedList(new ArrayList<>());
    try (Store s = Store.open(posixConfig(dir).build())) {
      ArtifactStores.appendSome(s, 5, "more");
      long last = s.watermarks().visible() - 1;
      CursorWorker w =
          s.cursorWorker(
              Region.all(),
              ID,
              CursorWorkerConfig.defaults(),
              b -> b.forEach(e -> second.add(e.header().globalSequence())));
      eventually(() -> w.position() == last);
      w.stop();
      w.join();
      assertEquals(events, second.get(0), "resumes just after the saved checkpoint");
    }
  }

  // ---------------------------------------------------------------- the spy: order of the calls

  @Test
  void theSpySeesTheDirectoryMadeThenTheCheckpointWrittenClosedThenPublished() throws Exception {
    Path dir = tmp.resolve("store");
    try (StoreFs posix = CheckpointPublishRoutingIT.posix()) {
      StoreFsSpy spy = StoreFsSpy.around(posix);
      Path cursors = dir.resolve("cursors");
      Path temp = cursors.resolve(ID + ".ckpt.tmp");
      Path target = cursors.resolve(ID + ".ckpt");
      try (Store s = Store.open(CheckpointPublishRoutingIT.spyConfig(dir, spy).build())) {
        ArtifactStores.appendSome(s, 10, "spy");
        try (Cursor c = s.cursor(Region.all(), ID)) {
          c.pollBatch(4);
          c.checkpoint();
        }
      }
      FileHandle h = spy.createdHandle(temp);
      InOrder order = inOrder(spy.fs, h);
      order.verify(spy.fs).createDirectories(cursors);
      order.verify(spy.fs).syncDirectory(dir);
      order.verify(spy.fs).deleteIfExists(temp);
      order.verify(spy.fs).create(temp);
      order.verify(h, atLeastOnce()).write(any(), longThat(at -> at >= 28));
      order.verify(h).write(argThat(b -> b.hasArray() && b.array().length == 28), eq(0L));
      order.verify(h).close();
      order.verify(spy.fs).publish(temp, target, SyncMode.ALL);
      verify(h, never()).sync(any());
      verify(spy.fs, never()).rename(any(), eq(target), any());
      verify(spy.fs, never()).openWrite(target);
      try (Store s = Store.open(StoreConfig.builder(dir).fsBackend("posix").build());
          Cursor c = s.cursor(Region.all(), ID)) {
        assertEquals(3, c.position(), "the published checkpoint reads back");
      }
    }
  }

  // ---------------------------------------------------------------- FAULT runs on the simulator

  /** One step of the second save, the fault armed on it, and what the failure names. */
  enum Step {
    REMOVE_LEFTOVER_TEMP(FsOp.DELETE, TEMP, fail(), "removing the leftover " + TEMP),
    CREATE_TEMP(FsOp.CREATE, TEMP, fail(), "creating " + TEMP),
    WRITE_TEMP(FsOp.WRITE, TEMP, fail(), "writing " + TEMP),
    SYNC_TEMP(FsOp.SYNC, TEMP, FaultAction.failedSync(), "publishing " + TEMP + " as " + TARGET),
    RENAME(FsOp.RENAME, TEMP, fail(), "publishing " + TEMP + " as " + TARGET),
    SYNC_DIRECTORY(FsOp.DIR_SYNC, CURSORS, fail(), "publishing " + TEMP + " as " + TARGET),
    PUBLISH(FsOp.PUBLISH, TEMP, fail(), "publishing " + TEMP + " as " + TARGET);

    final FsOp op;
    final Path path;
    final FaultAction action;
    final String named;

    Step(FsOp op, Path path, FaultAction action, String named) {
      this.op = op;
      this.path = path;
      this.action = action;
      this.named = named;
    }
  }

  private static FaultAction fail() {
    return FaultAction.fail(ErrorKind.IO);
  }

  @ParameterizedTest
  @EnumSource(Step.class)
  void aFaultOnEachStepSurfacesAndThePreviousCheckpointStaysReadable(Step step) throws Exception {
    SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
    long firstSaved;
    long secondTry;
    try (Store s = Store.open(ArtifactStores.simConfig(fs, SEED).build())) {
      ArtifactStores.appendSome(s, 30, "fault");
      try (Cursor c = s.cursor(Region.all(), ID)) {
        c.pollBatch(10);
        c.checkpoint();
        firstSaved = c.position();
        c.pollBatch(10);
        secondTry = c.position();
        long before = fs.operationCount();
        fs.addFault(FaultRule.on(step.op, step.path.toString(), FaultTrigger.nth(1), step.action));
        StoreIoException e = assertThrows(StoreIoException.class, c::checkpoint, step.name());
        fs.clearFaults();
        assertTrue(injected(fs, before), step + ": the fault did not fire");
        assertTrue(e.getMessage().contains(step.named), step + ": " + e.getMessage());
        assertTrue(
            e.getMessage().contains("previous checkpoint is still in place"), e.getMessage());
        assertEquals(
            firstSaved + 1, s.watermarks().applied(), "the applied watermark did not move");
      }
    }
    assertFalse(
        fs.list(CURSORS).contains(ID + ".ckpt.tmp"),
        "no temporary file stays: " + fs.list(CURSORS));
    SimSnapshot after = fs.snapshot();
    for (boolean powerLoss : new boolean[] {false, true}) {
      SimStoreFs again = SimStoreFs.fromSnapshot(after);
      if (powerLoss) {
        again.crash(CrashProfile.STRICT);
      } else {
        again.restart();
      }
      // The rename happened before the directory sync failed: a restart sees the new file, a
      // power loss takes the unsynced rename back.
      long expected = step == Step.SYNC_DIRECTORY && !powerLoss ? secondTry : firstSaved;
      List<StoredEvent> resumed = new ArrayList<>();
      try (Store s = Store.open(ArtifactStores.simConfig(again, SEED).build())) {
        try (Cursor c = s.cursor(Region.all(), ID)) {
          assertEquals(expected, c.position(), step + (powerLoss ? " power loss" : " restart"));
        }
        CursorWorker w =
            s.cursorWorker(
                Region.all(), ID, CursorWorkerConfig.defaults().withBatchSize(5), resumed::addAll);
        long last = s.watermarks().visible() - 1;
        eventually(() -> w.position() == last);
        w.stop();
        w.join();
      }
      assertEquals(expected + 1, resumed.get(0).header().globalSequence(), "the worker resumes");
    }
  }

  @Test
  void aWorkerWhoseSaveFailsStopsWithCheckpointFailedAndTheNextResumes() throws Exception {
    SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
    try (Store s = Store.open(ArtifactStores.simConfig(fs, SEED).deterministic(false).build())) {
      ArtifactStores.appendSome(s, 30, "worker");
      // The third publish of this checkpoint fails: two batches saved, the third not.
      fs.addFault(FaultRule.on(FsOp.RENAME, TEMP.toString(), FaultTrigger.nth(3), fail()));
      CursorWorker w =
          s.cursorWorker(Region.all(), ID, CursorWorkerConfig.defaults().withBatchSize(4), b -> {});
      CursorWorkerFailedException e = assertThrows(CursorWorkerFailedException.class, w::join);
      fs.clearFaults();
      assertEquals(CursorWorkerFailedException.Reason.CHECKPOINT_FAILED, e.reason());
      assertEquals(7, e.savedPosition());
      assertInstanceOf(StoreIoException.class, e.getCause().getCause());
      try (Cursor c = s.cursor(Region.all(), ID)) {
        assertEquals(7, c.position());
      }
    }
  }

  // ---------------------------------------------------------------- helpers

  private static StoreConfig.Builder posixConfig(Path dir) {
    return StoreConfig.builder(dir)
        .fsBackend("posix")
        .segmentMaxBytes(ArtifactStores.SMALL_SEGMENT);
  }

  static boolean injected(SimStoreFs fs, long after) {
    for (OpRecord r : fs.opLog()) {
      if (r.seq() > after && r.injected()) {
        return true;
      }
    }
    return false;
  }

  interface Check {
    boolean done();
  }

  static void eventually(Check done) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!done.done()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(1);
    }
  }
}
