package io.batpak.it.artifacts;

import static io.batpak.it.artifacts.ArtifactStores.CHECKPOINT;
import static io.batpak.it.artifacts.ArtifactStores.CHECKPOINT_TEMP;
import static io.batpak.it.artifacts.ArtifactStores.DIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.longThat;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import io.batpak.OpenReport;
import io.batpak.OutcomeUnknownException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.it.artifacts.ScanComparison.Reboot;
import io.batpak.it.crash.CrashShape;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;
import org.mockito.Mockito;
import org.mockito.invocation.Invocation;

/**
 * Routing proof of the seal (the footer frame and trailer written at the end of a segment), on
 * rotation and on a clean close, the reference test's way.
 *
 * <ul>
 *   <li>CONTROL on the real {@code posix} backend: every segment of a cleanly closed store ends in
 *       a valid trailer, and an open without the checkpoint loads every event from the seals
 *       ({@code indexLoad().source() == SEALS}), reading exactly what a full scan reads.
 *   <li>A Mockito spy on the backend and on each handle it returns proves the order: the frames'
 *       sync, then the seal written at the end of the frames, then its sync; on rotation then the
 *       next segment's create, header write, sync and the directory's sync; on close then the
 *       checkpoint. A sealed segment is never written again, nor opened for writing by a later
 *       session.
 *   <li>FAULT runs on the simulator, one per step: the failure surfaces (on rotation the append
 *       fails with {@link OutcomeUnknownException} naming the step and poisons the store; on close,
 *       close throws {@link StoreIoException} naming the segment it was sealing), and after a
 *       process restart and after a power loss the store opens from the previous checkpoint and
 *       seals and reads exactly like a full scan.
 * </ul>
 */
class SealRoutingIT {
  private static final long SEED = 0x5EA1_0A11L;

  @TempDir Path tmp;

  // ---------------------------------------------------------------- CONTROL: posix

  @Test
  void controlOnPosixEverySegmentIsSealedAndAnOpenWithoutCheckpointLoadsTheSeals()
      throws IOException {
    Path dir = tmp.resolve("store");
    try (Store s = Store.open(posixConfig(dir).build())) {
      ArtifactStores.appendSome(s, 60, "seal");
    }
    List<String> sealed;
    try (StoreFs fs = CheckpointPublishRoutingIT.posix()) {
      List<String> segments = ArtifactStores.segmentNames(fs, dir);
      assertTrue(segments.size() >= 3, "4 KiB segments rotate: " + segments);
      sealed = ArtifactStores.sealedSegments(fs, dir);
      assertEquals(segments, sealed, "rotation and close seal every segment");
      Files.delete(dir.resolve(CHECKPOINT));
    }
    try (Store s = Store.open(posixConfig(dir).readOnly(true).build())) {
      OpenReport.IndexLoad load = s.openReport().indexLoad();
      assertEquals(OpenReport.IndexSource.SEALS, load.source(), load.toString());
      assertEquals(60, load.fromSeals(), load.toString());
      assertEquals(0, load.fromScan() + load.fromCheckpoint(), load.toString());
      assertEquals(0, s.openReport().framesScanned(), "no frame is read");
      assertEquals(List.of(), load.distrusted());
      assertEquals(
          List.of(), CheckpointPublishRoutingIT.scanOfCopy(dir).differencesFrom(StoreReads.of(s)));
    }
  }

  // ---------------------------------------------------------------- the spy: order of the calls

  @Test
  void theSpySeesFramesSyncedThenTheSealWrittenAndSyncedThenTheNextSegmentMadeDurable()
      throws IOException {
    Path dir = tmp.resolve("store");
    try (StoreFs posix = CheckpointPublishRoutingIT.posix()) {
      StoreFsSpy spy = StoreFsSpy.around(posix);
      try (Store s = Store.open(CheckpointPublishRoutingIT.spyConfig(dir, spy).build())) {
        ArtifactStores.appendSome(s, 60, "spy");
      }
      List<String> segments = ArtifactStores.segmentNames(posix, dir);
      Path first = dir.resolve(segments.get(0));
      Path second = dir.resolve(segments.get(1));
      Path last = dir.resolve(segments.get(segments.size() - 1));
      long firstFooter = CrashShape.footerOffset(Files.readAllBytes(first));
      long lastFooter = CrashShape.footerOffset(Files.readAllBytes(last));
      FileHandle h1 = spy.createdHandle(first);
      FileHandle h2 = spy.createdHandle(second);
      FileHandle hLast = spy.createdHandle(last);

      // Rotation: seal the full segment, then make the next one durable.
      InOrder rotation = inOrder(spy.fs, h1, h2);
      rotation.verify(h1).write(argThat(SealRoutingIT::isSeal), eq(firstFooter));
      rotation.verify(h1).sync(SyncMode.ALL);
      rotation.verify(spy.fs).create(second);
      rotation.verify(h2).write(any(), eq(0L));
      rotation.verify(h2).sync(SyncMode.ALL);
      rotation.verify(spy.fs).syncDirectory(dir);
      rotation.verify(h1).close();
      assertEquals(
          List.of("sync", "write(seal)", "sync(ALL)", "close"),
          aroundTheSeal(h1, firstFooter),
          "the frames' sync comes right before the seal, its own sync right after");
      verify(h1, times(1)).write(any(), longThat(at -> at >= firstFooter));

      // Close: seal the active segment, then publish the checkpoint.
      InOrder close = inOrder(spy.fs, hLast);
      close.verify(hLast).write(argThat(SealRoutingIT::isSeal), eq(lastFooter));
      close.verify(hLast).sync(SyncMode.ALL);
      close.verify(spy.fs).create(dir.resolve(CHECKPOINT_TEMP));
      close
          .verify(spy.fs)
          .publish(dir.resolve(CHECKPOINT_TEMP), dir.resolve(CHECKPOINT), SyncMode.ALL);
      assertEquals(
          List.of("sync", "write(seal)", "sync(ALL)", "close"), aroundTheSeal(hLast, lastFooter));

      // A later session never writes a sealed segment: it starts a new one.
      Map<String, Long> sealedSizes = ArtifactStores.sizesOnDisk(dir);
      StoreFsSpy later = StoreFsSpy.around(posix);
      try (Store s = Store.open(CheckpointPublishRoutingIT.spyConfig(dir, later).build())) {
        ArtifactStores.appendSome(s, 5, "later");
      }
      for (String name : segments) {
        verify(later.fs, never()).openWrite(dir.resolve(name));
        verify(later.fs, never()).create(dir.resolve(name));
      }
      List<String> after = ArtifactStores.segmentNames(posix, dir);
      assertEquals(segments.size() + 1, after.size(), "the later session's own segment: " + after);
      for (String name : segments) {
        assertEquals(sealedSizes.get(name), Files.size(dir.resolve(name)), name + " unchanged");
      }
    }
  }

  // ---------------------------------------------------------------- FAULT runs on the simulator

  /** One step of sealing, the fault armed on it, how it surfaces, and what it names. */
  enum SealStep {
    ROTATION_FRAMES_SYNC(FsOp.SYNC, true, "fsync of %K before rotating to a new segment failed"),
    ROTATION_SEAL_WRITE(FsOp.WRITE, true, "sealing %K before rotating failed"),
    ROTATION_SEAL_SYNC(FsOp.SYNC, true, "sealing %K before rotating failed"),
    ROTATION_NEXT_CREATE(FsOp.CREATE, true, "creating segment %N failed"),
    ROTATION_NEXT_HEADER_WRITE(FsOp.WRITE, true, "writing the header of %N failed"),
    ROTATION_NEXT_SYNC(FsOp.SYNC, true, "fsync of %N failed"),
    ROTATION_DIRECTORY_SYNC(FsOp.DIR_SYNC, true, "fsync of directory /sim/store after creating"),
    CLOSE_FRAMES_SYNC(FsOp.SYNC, false, "the final fsync failed"),
    CLOSE_SEAL_WRITE(FsOp.WRITE, false, "sealing %K failed"),
    CLOSE_SEAL_SYNC(FsOp.SYNC, false, "sealing %K failed");

    final FsOp op;
    final boolean onRotation;
    final String named;

    SealStep(FsOp op, boolean onRotation, String named) {
      this.op = op;
      this.onRotation = onRotation;
      this.named = named;
    }

    FaultAction action() {
      return op == FsOp.SYNC ? FaultAction.failedSync() : FaultAction.fail(ErrorKind.IO);
    }

    /** Whether the store is poisoned (appends' outcome unknown) rather than only unsealed. */
    boolean poisons() {
      return onRotation || this == CLOSE_FRAMES_SYNC;
    }
  }

  @ParameterizedTest
  @EnumSource(SealStep.class)
  void aFaultOnEachSealingStepSurfacesAndTheStoreOpensLikeAScan(SealStep step) throws IOException {
    TwoSessionRun control = TwoSessionRun.run(SEED, 0, null);
    assertNull(control.appendFailure());
    assertNull(control.closeFailure());
    SealSteps steps = SealSteps.locate(control);
    TwoSessionRun.Step at = steps.of(step);
    TwoSessionRun run = TwoSessionRun.run(SEED, 0, null, at.rule(step.action()));
    CheckpointPublishRoutingIT.assertFaultHit(run, at);
    String named =
        step.named
            .replace("%K", step.onRotation ? steps.rotatedSegment : steps.lastSegment)
            .replace("%N", steps.nextSegment);
    RuntimeException surfaced;
    if (step.onRotation) {
      surfaced = assertInstanceOf(OutcomeUnknownException.class, run.appendFailure());
      assertInstanceOf(OutcomeUnknownException.class, run.closeFailure(), "a poisoned close");
      assertTrue(
          run.ledger().ackedCount() < TwoSessionRun.FIRST + TwoSessionRun.SECOND,
          "the rotating append failed");
    } else {
      assertNull(run.appendFailure());
      Class<? extends RuntimeException> expected =
          step.poisons() ? OutcomeUnknownException.class : StoreIoException.class;
      surfaced = assertInstanceOf(expected, run.closeFailure());
    }
    assertTrue(
        surfaced.getMessage().contains(named),
        step + ": the failure must name the step (" + named + "): " + surfaced.getMessage());
    assertTrue(
        !run.fs().list(DIR).contains(CHECKPOINT_TEMP), "no checkpoint publish after a seal fault");

    SimSnapshot state = run.fs().snapshot();
    for (Reboot reboot : Reboot.values()) {
      ScanComparison.Reopened again =
          ScanComparison.reopen(state, reboot, SEED, run.ledger(), step + " then " + reboot);
      OpenReport.IndexLoad load = again.report().indexLoad();
      assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), step + "/" + reboot + load);
      assertEquals(
          TwoSessionRun.FIRST,
          load.fromCheckpoint(),
          step + "/" + reboot + ": no checkpoint is written after a failed seal: " + load);
      assertEquals(List.of(), load.distrusted(), step + "/" + reboot);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** The sealing steps of the second session, located in a control run's op log. */
  static final class SealSteps {
    String rotatedSegment;
    String nextSegment;
    String lastSegment;
    final Map<SealStep, TwoSessionRun.Step> steps = new EnumMap<>(SealStep.class);

    static SealSteps locate(TwoSessionRun run) {
      SealSteps s = new SealSteps();
      List<OpRecord> ops = run.secondSessionOps();
      // The session's first create makes its own segment (the first session's is sealed); the
      // second is the first rotation.
      int open = run.find(0, r -> isSegment(r, FsOp.CREATE));
      int create = run.find(open + 1, r -> isSegment(r, FsOp.CREATE));
      s.nextSegment = ops.get(create).path();
      s.rotatedSegment = ops.get(open).path();
      String k = s.rotatedSegment;
      String n = s.nextSegment;
      int sealSync = run.findBefore(create, r -> TwoSessionRun.about(r, FsOp.SYNC, k));
      int sealWrite = run.findBefore(sealSync, r -> TwoSessionRun.about(r, FsOp.WRITE, k));
      int framesSync = run.findBefore(sealWrite, r -> TwoSessionRun.about(r, FsOp.SYNC, k));
      int header = run.find(create, r -> TwoSessionRun.about(r, FsOp.WRITE, n));
      int nextSync = run.find(header, r -> TwoSessionRun.about(r, FsOp.SYNC, n));
      String dir = DIR.toString();
      int dirSync = run.find(nextSync, r -> TwoSessionRun.about(r, FsOp.DIR_SYNC, dir));
      assertContiguous(
          ops, List.of(framesSync, sealWrite, sealSync, create, header, nextSync, dirSync));
      assertEquals("ALL", ops.get(sealSync).args(), "the seal is synced with fsync");
      s.put(run, SealStep.ROTATION_FRAMES_SYNC, FsOp.SYNC, k, framesSync);
      s.put(run, SealStep.ROTATION_SEAL_WRITE, FsOp.WRITE, k, sealWrite);
      s.put(run, SealStep.ROTATION_SEAL_SYNC, FsOp.SYNC, k, sealSync);
      s.put(run, SealStep.ROTATION_NEXT_CREATE, FsOp.CREATE, n, create);
      s.put(run, SealStep.ROTATION_NEXT_HEADER_WRITE, FsOp.WRITE, n, header);
      s.put(run, SealStep.ROTATION_NEXT_SYNC, FsOp.SYNC, n, nextSync);
      s.put(run, SealStep.ROTATION_DIRECTORY_SYNC, FsOp.DIR_SYNC, dir, dirSync);

      String tmp = DIR.resolve(CHECKPOINT_TEMP).toString();
      int lastCreate = run.findBefore(ops.size(), r -> isSegment(r, FsOp.CREATE));
      s.lastSegment = ops.get(lastCreate).path();
      String l = s.lastSegment;
      int ckpt = run.findBefore(ops.size(), r -> TwoSessionRun.about(r, FsOp.CREATE, tmp));
      int closeSealSync = run.findBefore(ckpt, r -> TwoSessionRun.about(r, FsOp.SYNC, l));
      int closeSeal = run.findBefore(closeSealSync, r -> TwoSessionRun.about(r, FsOp.WRITE, l));
      int closeFrames = run.findBefore(closeSeal, r -> TwoSessionRun.about(r, FsOp.SYNC, l));
      assertContiguous(ops, List.of(closeFrames, closeSeal, closeSealSync));
      s.put(run, SealStep.CLOSE_FRAMES_SYNC, FsOp.SYNC, l, closeFrames);
      s.put(run, SealStep.CLOSE_SEAL_WRITE, FsOp.WRITE, l, closeSeal);
      s.put(run, SealStep.CLOSE_SEAL_SYNC, FsOp.SYNC, l, closeSealSync);
      return s;
    }

    private void put(TwoSessionRun run, SealStep step, FsOp op, String path, int index) {
      steps.put(step, run.step(step.name(), op, path, index));
    }

    TwoSessionRun.Step of(SealStep step) {
      return steps.get(step);
    }

    private static boolean isSegment(OpRecord r, FsOp op) {
      return r.op().equals(op.name()) && r.path().endsWith(".seg");
    }

    /** The given operations follow each other with no other state-changing operation between. */
    private static void assertContiguous(List<OpRecord> ops, List<Integer> indices) {
      List<OpRecord> changing = new ArrayList<>();
      for (int i = indices.get(0); i <= indices.get(indices.size() - 1); i++) {
        if (ops.get(i).stateChanging()) {
          changing.add(ops.get(i));
        }
      }
      List<OpRecord> wanted = new ArrayList<>();
      for (int i : indices) {
        wanted.add(ops.get(i));
      }
      assertEquals(wanted, changing, "the sealing steps, in order and nothing between them");
    }
  }

  private static boolean isSeal(ByteBuffer b) {
    return b != null
        && b.hasArray()
        && ArtifactStores.endsInTrailerMagic(
            Arrays.copyOfRange(b.array(), b.arrayOffset(), b.arrayOffset() + b.limit()));
  }

  /** The calls on {@code h} from the one before the seal write to the end, named. */
  private static List<String> aroundTheSeal(FileHandle h, long footer) {
    List<Invocation> calls = new ArrayList<>(Mockito.mockingDetails(h).getInvocations());
    int seal = -1;
    for (int i = 0; i < calls.size(); i++) {
      Invocation c = calls.get(i);
      if (c.getMethod().getName().equals("write") && c.getArgument(1).equals(footer)) {
        seal = i;
      }
    }
    assertNotNull(seal >= 1 ? calls.get(seal) : null, "no seal write at " + footer);
    List<String> out = new ArrayList<>();
    for (Invocation c : calls.subList(seal - 1, calls.size())) {
      String name = c.getMethod().getName();
      if (name.equals("size") || name.equals("path")) {
        continue;
      }
      if (c == calls.get(seal)) {
        out.add("write(seal)");
      } else if (name.equals("sync") && c.getArgument(0) == SyncMode.ALL && out.size() > 0) {
        out.add("sync(ALL)");
      } else {
        out.add(name);
      }
    }
    return out;
  }

  private static StoreConfig.Builder posixConfig(Path dir) {
    return StoreConfig.builder(dir)
        .fsBackend("posix")
        .segmentMaxBytes(ArtifactStores.SMALL_SEGMENT);
  }
}
