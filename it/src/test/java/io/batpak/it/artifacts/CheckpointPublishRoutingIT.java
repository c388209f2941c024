package io.batpak.it.artifacts;

import static io.batpak.it.artifacts.ArtifactStores.CHECKPOINT;
import static io.batpak.it.artifacts.ArtifactStores.CHECKPOINT_TEMP;
import static io.batpak.it.artifacts.ArtifactStores.DIR;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
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

import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.it.artifacts.ScanComparison.Reboot;
import io.batpak.it.crash.CrashShape;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
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
 * Routing proof of the index checkpoint publish ({@code index.ckpt}), the reference test's way:
 * every step of it goes through the {@link StoreFs} the store was given, so a fault armed on that
 * step in the simulator surfaces, and the store then opens from the previous checkpoint or by
 * reading its journal, never from a half-written one.
 *
 * <ul>
 *   <li>CONTROL on the real {@code posix} backend: the checkpoint is published on close and by the
 *       committer, and the next open loads it ({@code indexLoad().source() == CHECKPOINT}) and
 *       reads exactly what a full scan reads.
 *   <li>A Mockito spy on the backend proves the order: remove a leftover temporary file, create
 *       {@code index.ckpt.tmp}, write the body, then the header, close it, then {@code publish(tmp,
 *       index.ckpt, ALL)}; {@code publish} itself syncs the temporary file, renames it and syncs
 *       the directory, in that order (proved on the kernel by {@code PublishSyscallOrderIT}, and
 *       here on the simulator's op log).
 *   <li>FAULT runs on the simulator, one per step (the leftover's removal, create, body write,
 *       header write, the temporary file's sync, the rename, the directory sync, the publish as a
 *       whole): close throws {@link StoreIoException} naming the step; after a process restart and
 *       after a power loss the store opens from the previous checkpoint (or the new one, where the
 *       rename had happened and survived) and reads like a full scan. A torn temporary file and a
 *       half-written one left behind are never believed; a failed periodic checkpoint is logged and
 *       costs only a slower open.
 * </ul>
 */
class CheckpointPublishRoutingIT {
  private static final long SEED = 0xC4EC_0A11L;
  private static final String COMMITTER_LOGGER = "io.batpak.engine.internal.commit.Committer";
  private static final String TMP = DIR.resolve(CHECKPOINT_TEMP).toString();
  private static final String TARGET = DIR.resolve(CHECKPOINT).toString();

  @TempDir Path tmp;

  // ---------------------------------------------------------------- CONTROL: posix

  @Test
  void controlOnPosixCloseMakesACheckpointTheNextOpenLoads() throws IOException {
    Path dir = tmp.resolve("store");
    int events;
    try (Store s = Store.open(posixConfig(dir).build())) {
      events = ArtifactStores.appendSome(s, 60, "close").size();
    }
    assertTrue(Files.exists(dir.resolve(CHECKPOINT)), "a clean close publishes " + CHECKPOINT);
    assertFalse(Files.exists(dir.resolve(CHECKPOINT_TEMP)), "no temporary file stays behind");
    StoreReads reads;
    try (Store s = Store.open(posixConfig(dir).readOnly(true).build())) {
      OpenReport.IndexLoad load = s.openReport().indexLoad();
      assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), load.toString());
      assertEquals(events, load.fromCheckpoint(), "every event comes from the checkpoint");
      assertEquals(0, load.fromScan(), load.toString());
      assertEquals(List.of(), load.distrusted());
      reads = StoreReads.of(s);
    }
    assertEquals(List.of(), scanOfCopy(dir).differencesFrom(reads));
  }

  @Test
  void controlOnPosixThePeriodicCheckpointIsLoadedAfterACrash() throws IOException {
    Path dir = tmp.resolve("store");
    Path crashed = tmp.resolve("crashed");
    try (Store s = Store.open(posixConfig(dir).checkpointEveryBytes(4096).build())) {
      ArtifactStores.appendSome(s, 60, "periodic");
      assertTrue(
          Files.exists(dir.resolve(CHECKPOINT)),
          "the committer publishes a checkpoint every 4 KiB of journal");
      // Every append returned after its fsync (DURABLE), so a copy taken now is what a crash of
      // this process leaves: no seal on the active segment, the last periodic checkpoint.
      ArtifactStores.copyDirectory(dir, crashed);
    }
    try (Store s = Store.open(posixConfig(crashed).readOnly(true).build())) {
      OpenReport.IndexLoad load = s.openReport().indexLoad();
      assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), load.toString());
      assertTrue(load.fromCheckpoint() > 0, load.toString());
      assertEquals(60, load.fromCheckpoint() + load.fromSeals() + load.fromScan(), load.toString());
      assertEquals(List.of(), scanOfCopy(crashed).differencesFrom(StoreReads.of(s)));
    }
  }

  // ---------------------------------------------------------------- the spy: order of the calls

  @Test
  void theSpySeesTheCheckpointWrittenClosedThenPublished() throws IOException {
    Path dir = tmp.resolve("store");
    try (StoreFs posix = posix()) {
      StoreFsSpy spy = StoreFsSpy.around(posix);
      try (Store s = Store.open(spyConfig(dir, spy).build())) {
        ArtifactStores.appendSome(s, 50, "spy");
      }
      Path temp = dir.resolve(CHECKPOINT_TEMP);
      Path target = dir.resolve(CHECKPOINT);
      FileHandle h = spy.createdHandle(temp);
      InOrder order = inOrder(spy.fs, h);
      order.verify(spy.fs).deleteIfExists(temp);
      order.verify(spy.fs).create(temp);
      order.verify(h, atLeastOnce()).write(any(), longThat(at -> at >= 28));
      order.verify(h).write(argThat(b -> b.hasArray() && b.array().length == 28), eq(0L));
      order.verify(h).close();
      order.verify(spy.fs).publish(temp, target, SyncMode.ALL);
      // The temporary file is synced by publish (first of its three steps), not before.
      verify(h, never()).sync(any());
      verify(spy.fs, never()).rename(any(), eq(target), any());
      verify(spy.fs, never()).openWrite(target);
      // After the publish nothing touches either file: the checkpoint is complete.
      List<Invocation> calls = new ArrayList<>(Mockito.mockingDetails(spy.fs).getInvocations());
      int published = -1;
      for (int i = 0; i < calls.size(); i++) {
        if (calls.get(i).getMethod().getName().equals("publish")) {
          published = i;
        }
      }
      for (Invocation later : calls.subList(published + 1, calls.size())) {
        for (Object arg : later.getArguments()) {
          assertFalse(
              temp.equals(arg) || target.equals(arg), "touched after the publish: " + later);
        }
      }
    }
  }

  @Test
  void controlOnTheSimulatorPublishSyncsTheTempThenRenamesThenSyncsTheDirectory() {
    TwoSessionRun run = TwoSessionRun.run(SEED, 0, leftover(), new FaultRule[0]);
    assertNull(run.appendFailure());
    assertNull(run.closeFailure());
    CloseSteps s = CloseSteps.locate(run);
    List<OpRecord> ops = run.secondSessionOps();
    int[] order = {
      s.removeLeftover.index,
      s.create.index,
      s.body.index,
      s.header.index,
      s.publish.index,
      s.syncTemp.index,
      s.rename.index,
      s.dirSync.index
    };
    for (int i = 1; i < order.length; i++) {
      assertTrue(order[i - 1] < order[i], "out of order: " + ops.subList(order[0], order[7] + 1));
    }
    for (OpRecord r : ops.subList(s.create.index, s.dirSync.index + 1)) {
      assertTrue(
          r.path().contains(CHECKPOINT) || r.path().equals(DIR.toString()),
          "an unrelated operation inside the publish: " + r);
    }
    assertEquals("publish ALL", s.syncTemp.step.record().args());
    ScanComparison.Reopened again =
        ScanComparison.reopen(
            run.fs().snapshot(), Reboot.POWER_LOSS, SEED, run.ledger(), "control");
    assertEquals(OpenReport.IndexSource.CHECKPOINT, again.report().indexLoad().source());
    assertEquals(
        TwoSessionRun.FIRST + TwoSessionRun.SECOND, again.report().indexLoad().fromCheckpoint());
    assertFalse(again.files().contains(CHECKPOINT_TEMP), "the leftover was removed");
  }

  // ---------------------------------------------------------------- FAULT runs on the simulator

  /** One step of the close's checkpoint publish, the fault armed on it, and what close says. */
  enum PublishStep {
    REMOVE_LEFTOVER_TEMP(FsOp.DELETE, fail(), "removing the leftover " + TMP),
    CREATE_TEMP(FsOp.CREATE, fail(), "creating " + TMP),
    WRITE_BODY(FsOp.WRITE, fail(), "writing " + TMP),
    WRITE_HEADER(FsOp.WRITE, fail(), "writing " + TMP),
    PUBLISH(FsOp.PUBLISH, fail(), "publishing " + TMP + " as " + TARGET),
    SYNC_TEMP(FsOp.SYNC, FaultAction.failedSync(), "publishing " + TMP + " as " + TARGET),
    RENAME(FsOp.RENAME, fail(), "publishing " + TMP + " as " + TARGET),
    SYNC_DIRECTORY(FsOp.DIR_SYNC, fail(), "publishing " + TMP + " as " + TARGET);

    final FsOp op;
    final FaultAction action;
    final String named;

    PublishStep(FsOp op, FaultAction action, String named) {
      this.op = op;
      this.action = action;
      this.named = named;
    }
  }

  @ParameterizedTest
  @EnumSource(PublishStep.class)
  void aFaultOnEachPublishStepSurfacesAndTheStoreOpensFromThePreviousCheckpoint(PublishStep step)
      throws IOException {
    TwoSessionRun control = TwoSessionRun.run(SEED, 0, leftover(), new FaultRule[0]);
    TwoSessionRun.Step at = CloseSteps.locate(control).of(step);
    TwoSessionRun run = TwoSessionRun.run(SEED, 0, leftover(), at.rule(step.action));
    assertFaultHit(run, at);
    assertNull(run.appendFailure(), "the appends do not publish");
    StoreIoException closed = assertInstanceOf(StoreIoException.class, run.closeFailure());
    assertTrue(
        closed.getMessage().contains("writing the index checkpoint failed")
            && closed.getMessage().contains(step.named),
        step + ": close must name the step: " + closed.getMessage());
    List<String> left = run.fs().list(DIR);
    assertFalse(
        left.contains(CHECKPOINT_TEMP),
        "a failed publish removes its temporary file (a failed removal is tried once more): "
            + left);
    SimSnapshot state = run.fs().snapshot();
    for (Reboot reboot : Reboot.values()) {
      ScanComparison.Reopened again =
          ScanComparison.reopen(state, reboot, SEED, run.ledger(), step + " then " + reboot);
      OpenReport.IndexLoad load = again.report().indexLoad();
      boolean renamedAndKept =
          step == PublishStep.SYNC_DIRECTORY && reboot == Reboot.PROCESS_RESTART;
      int expected = TwoSessionRun.FIRST + (renamedAndKept ? TwoSessionRun.SECOND : 0);
      assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), step + "/" + reboot + load);
      assertEquals(
          expected,
          load.fromCheckpoint(),
          step + "/" + reboot + ": the previous checkpoint (or the renamed new one): " + load);
      assertEquals(List.of(), load.distrusted(), step + "/" + reboot);
      assertTrue(load.fromSeals() > 0 || renamedAndKept, "later segments load from seals " + load);
    }
  }

  @Test
  void aTornTemporaryFileIsPublishedByALyingDiskButNeverBelieved() {
    TwoSessionRun control = TwoSessionRun.run(SEED, 0, leftover(), new FaultRule[0]);
    TwoSessionRun.Step body = CloseSteps.locate(control).of(PublishStep.WRITE_BODY);
    TwoSessionRun run =
        TwoSessionRun.run(SEED, 0, leftover(), body.rule(FaultAction.tornWrite(100)));
    assertFaultHit(run, body);
    assertNull(run.closeFailure(), "a torn write is silent: the disk said it wrote everything");
    for (Reboot reboot : Reboot.values()) {
      OpenReport.IndexLoad load =
          ScanComparison.reopen(run.fs().snapshot(), reboot, SEED, run.ledger(), "torn " + reboot)
              .report()
              .indexLoad();
      assertEquals(OpenReport.IndexSource.SEALS, load.source(), load.toString());
      assertEquals(0, load.fromCheckpoint(), load.toString());
      assertEquals(1, load.distrusted().size(), load.toString());
      assertTrue(load.distrusted().get(0).contains(CHECKPOINT), load.toString());
    }
  }

  @Test
  void aHalfWrittenTempLeftByAFailedCleanupIsNeverOpenedAndTheNextPublishReplacesIt()
      throws IOException {
    TwoSessionRun control = TwoSessionRun.run(SEED, 0, leftover(), new FaultRule[0]);
    CloseSteps steps = CloseSteps.locate(control);
    TwoSessionRun.Step header = steps.of(PublishStep.WRITE_HEADER);
    // The body is written, the header write fails, and so does the removal of the temporary
    // file that follows it: a half-written index.ckpt.tmp stays.
    TwoSessionRun run =
        TwoSessionRun.run(
            SEED,
            0,
            leftover(),
            header.rule(fail()),
            FaultRule.on(
                FsOp.DELETE, TMP, FaultTrigger.nth(steps.removeLeftover.step.nth() + 1), fail()));
    assertInstanceOf(StoreIoException.class, run.closeFailure());
    byte[] half = run.fs().contentOf(DIR.resolve(CHECKPOINT_TEMP));
    assertTrue(half.length > 28, "the body of the half-written checkpoint is there");
    SimSnapshot state = run.fs().snapshot();
    ScanComparison.Reopened again =
        ScanComparison.reopen(state, Reboot.PROCESS_RESTART, SEED, run.ledger(), "half-written");
    assertEquals(TwoSessionRun.FIRST, again.report().indexLoad().fromCheckpoint());
    // The next clean close removes it and publishes a whole checkpoint.
    SimStoreFs fs = SimStoreFs.fromSnapshot(state);
    fs.restart();
    try (Store s = Store.open(ArtifactStores.simConfig(fs, SEED).build())) {
      assertEquals(TwoSessionRun.FIRST, s.openReport().indexLoad().fromCheckpoint());
    }
    assertFalse(fs.list(DIR).contains(CHECKPOINT_TEMP));
    try (Store s = Store.open(ArtifactStores.simConfig(fs, SEED).readOnly(true).build())) {
      assertEquals(
          TwoSessionRun.FIRST + TwoSessionRun.SECOND, s.openReport().indexLoad().fromCheckpoint());
    }
  }

  @Test
  void aFailedPeriodicCheckpointIsLoggedAndLaterOnesArePublished() {
    List<LogRecord> logged = new ArrayList<>();
    TwoSessionRun run =
        withCommitterLog(
            logged,
            () ->
                TwoSessionRun.run(
                    SEED, 4096, null, FaultRule.on(FsOp.RENAME, TMP, FaultTrigger.nth(1), fail())));
    assertNull(run.appendFailure(), "a failed checkpoint never fails an append");
    assertNull(run.closeFailure(), "the close's own checkpoint succeeds");
    assertEquals(1, warnings(logged), "the failure is logged once: " + messages(logged));
    assertTrue(messages(logged).get(0).contains("writing the index checkpoint failed"));
    long published =
        run.secondSessionOps().stream()
            .filter(r -> TwoSessionRun.about(r, FsOp.RENAME, TMP) && !r.injected())
            .count();
    assertTrue(published >= 2, "later periodic checkpoints and the close's are published");
    OpenReport.IndexLoad load =
        ScanComparison.reopen(
                run.fs().snapshot(), Reboot.POWER_LOSS, SEED, run.ledger(), "periodic once")
            .report()
            .indexLoad();
    assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), load.toString());
    assertEquals(TwoSessionRun.FIRST + TwoSessionRun.SECOND, load.fromCheckpoint());
  }

  @Test
  void whenEveryPeriodicCheckpointFailsAppendsGoOnAndACrashOpensFromThePreviousOne() {
    SimStoreFs fs = SimStoreFs.builder().seed(SEED).build();
    Ledger ledger = new Ledger();
    try (Store s = Store.open(ArtifactStores.simConfig(fs, SEED).build())) {
      ledger.call(s, List.of(intent(0)));
    }
    fs.addFault(FaultRule.on(FsOp.RENAME, TMP, FaultTrigger.always(), fail()));
    List<LogRecord> logged = new ArrayList<>();
    // Another entropy seed than the first session's: the same seed and a new simulated clock would
    // draw the same event ids again.
    Store s = Store.open(ArtifactStores.simConfig(fs, SEED + 1).checkpointEveryBytes(4096).build());
    SimSnapshot beforeClose =
        withCommitterLog(
            logged,
            () -> {
              for (int i = 1; i <= 80; i++) {
                assertNull(ledger.call(s, List.of(intent(i))), "append " + i);
              }
              return fs.snapshot();
            });
    assertTrue(warnings(logged) >= 2, "each failure is logged: " + messages(logged));
    StoreIoException closed = assertThrows(StoreIoException.class, s::close);
    assertTrue(closed.getMessage().contains("writing the index checkpoint failed"));
    OpenReport.IndexLoad load =
        ScanComparison.reopen(beforeClose, Reboot.POWER_LOSS, SEED, ledger, "periodic always")
            .report()
            .indexLoad();
    assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), load.toString());
    assertEquals(1, load.fromCheckpoint(), "the first session's checkpoint: " + load);
    assertTrue(load.fromSeals() > 0, "the rotated segments load from their seals: " + load);
  }

  // ---------------------------------------------------------------- helpers

  /** The close's publish, located in a control run's op log. */
  static final class CloseSteps {
    record Located(int index, TwoSessionRun.Step step) {}

    Located removeLeftover;
    Located create;
    Located body;
    Located header;
    Located publish;
    Located syncTemp;
    Located rename;
    Located dirSync;

    static CloseSteps locate(TwoSessionRun run) {
      List<OpRecord> ops = run.secondSessionOps();
      CloseSteps s = new CloseSteps();
      int create = run.findBefore(ops.size(), r -> TwoSessionRun.about(r, FsOp.CREATE, TMP));
      int delete = run.findBefore(create, r -> TwoSessionRun.about(r, FsOp.DELETE, TMP));
      int body = run.find(create, r -> TwoSessionRun.about(r, FsOp.WRITE, TMP));
      int publish = run.find(create, r -> TwoSessionRun.about(r, FsOp.PUBLISH, TMP));
      int header = run.findBefore(publish, r -> TwoSessionRun.about(r, FsOp.WRITE, TMP));
      int sync = run.find(publish, r -> TwoSessionRun.about(r, FsOp.SYNC, TMP));
      int rename = run.find(publish, r -> TwoSessionRun.about(r, FsOp.RENAME, TMP));
      String dir = DIR.toString();
      int dirSync = run.find(rename, r -> TwoSessionRun.about(r, FsOp.DIR_SYNC, dir));
      s.removeLeftover = at(run, "remove leftover", FsOp.DELETE, TMP, delete);
      s.create = at(run, "create", FsOp.CREATE, TMP, create);
      s.body = at(run, "body", FsOp.WRITE, TMP, body);
      s.header = at(run, "header", FsOp.WRITE, TMP, header);
      s.publish = at(run, "publish", FsOp.PUBLISH, TMP, publish);
      s.syncTemp = at(run, "sync temp", FsOp.SYNC, TMP, sync);
      s.rename = at(run, "rename", FsOp.RENAME, TMP, rename);
      s.dirSync = at(run, "directory sync", FsOp.DIR_SYNC, dir, dirSync);
      return s;
    }

    private static Located at(TwoSessionRun run, String name, FsOp op, String path, int index) {
      return new Located(index, run.step(name, op, path, index));
    }

    TwoSessionRun.Step of(PublishStep step) {
      return switch (step) {
        case REMOVE_LEFTOVER_TEMP -> removeLeftover.step;
        case CREATE_TEMP -> create.step;
        case WRITE_BODY -> body.step;
        case WRITE_HEADER -> header.step;
        case PUBLISH -> publish.step;
        case SYNC_TEMP -> syncTemp.step;
        case RENAME -> rename.step;
        case SYNC_DIRECTORY -> dirSync.step;
      };
    }
  }

  static void assertFaultHit(TwoSessionRun run, TwoSessionRun.Step step) {
    OpRecord hit = run.injected();
    assertNotNull(hit, step.name() + ": the fault never fired");
    assertEquals(
        step.record().seq() + " " + step.record().op() + " " + step.record().path(),
        hit.seq() + " " + hit.op() + " " + hit.path(),
        step.name() + ": the fault hit another operation than the control run located");
  }

  /** Before the second session: a leftover index.ckpt.tmp, as a crash during a publish leaves. */
  private static Consumer<SimStoreFs> leftover() {
    return fs -> {
      try (FileHandle h = fs.create(DIR.resolve(CHECKPOINT_TEMP))) {
        h.write(
            ByteBuffer.wrap("not a checkpoint: left by a crash".getBytes(StandardCharsets.UTF_8)),
            0);
        h.sync(SyncMode.ALL);
        fs.syncDirectory(DIR);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    };
  }

  private static FaultAction fail() {
    return FaultAction.fail(ErrorKind.IO);
  }

  private static Ledger.Intent intent(int n) {
    return Ledger.intent(
        1,
        n,
        0,
        io.batpak.Coordinate.of("order-" + (n % 4), "shop"),
        ArtifactStores.KIND,
        60 + n % 50,
        n);
  }

  private static StoreConfig.Builder posixConfig(Path dir) {
    return StoreConfig.builder(dir)
        .fsBackend("posix")
        .segmentMaxBytes(ArtifactStores.SMALL_SEGMENT);
  }

  /** A store in {@code dir} on the spy (which wraps the real posix backend). */
  static StoreConfig.Builder spyConfig(Path dir, StoreFsSpy spy) {
    return StoreConfig.builder(dir).fs(spy.fs).segmentMaxBytes(ArtifactStores.SMALL_SEGMENT);
  }

  static StoreFs posix() {
    try {
      return StoreFsResolver.resolve("posix", CheckpointPublishRoutingIT.class.getClassLoader())
          .open(FsOptions.defaults());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The reads of a copy of {@code dir} stripped of seals and checkpoint (a full scan). */
  static StoreReads scanOfCopy(Path dir) throws IOException {
    Path copy = dir.resolveSibling(dir.getFileName() + "-scan");
    ArtifactStores.copyDirectory(dir, copy);
    try (StoreFs fs = posix()) {
      CrashShape.strip(fs, copy);
    }
    try (Store s =
        Store.open(StoreConfig.builder(copy).fsBackend("posix").readOnly(true).build())) {
      assertEquals(OpenReport.IndexSource.SCAN, s.openReport().indexLoad().source());
      return StoreReads.of(s);
    }
  }

  private static <T> T withCommitterLog(List<LogRecord> into, java.util.function.Supplier<T> body) {
    Logger logger = Logger.getLogger(COMMITTER_LOGGER);
    Handler h =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            synchronized (into) {
              into.add(r);
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(h);
    try {
      return body.get();
    } finally {
      logger.removeHandler(h);
    }
  }

  private static long warnings(List<LogRecord> logged) {
    return logged.stream().filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue()).count();
  }

  private static List<String> messages(List<LogRecord> logged) {
    List<String> out = new ArrayList<>();
    for (LogRecord r : logged) {
      out.add(r.getMessage() + (r.getThrown() == null ? "" : " / " + r.getThrown()));
    }
    return out;
  }
}
