package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CopyReport;
import io.batpak.CopyReport.Sharing;
import io.batpak.EventHeader;
import io.batpak.OpenReport;
import io.batpak.OutcomeUnknownException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoreFullException;
import io.batpak.ValidationException;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@link Store#snapshot} and {@link Store#fork} over fs-sim (docs/operations.md): a snapshot taken
 * while appends run holds exactly a prefix of the journal covering everything acknowledged before
 * the call; a full device at any step, and a crash at any step, publishes nothing or a complete
 * copy and leaves the source as it was; a fork shares sealed segments by hard link and its writes
 * never show in the source; bad destinations are refused with nothing created.
 */
@ExtendWith(Seeded.class)
class SnapshotForkTest {
  private static final Path DIR = Path.of("/sim/store");
  private static final Path BACKUPS = Path.of("/sim/backups");
  private static final Path DEST = BACKUPS.resolve("snap");

  private static StoreConfig config(SimStoreFs fs, Path dir, long seed, boolean deterministic) {
    return StoreConfig.builder(dir)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(deterministic)
        .segmentMaxBytes(4096)
        .checkpointEveryBytes(4096) // so the copies have an index checkpoint to carry
        .build();
  }

  private static SimStoreFs newFs(long seed) throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    fs.createDirectories(BACKUPS);
    fs.syncAll();
    return fs;
  }

  private static Bytes payload(Random rnd, int i) {
    byte[] b = new byte[20 + rnd.nextInt(300)];
    rnd.nextBytes(b);
    b[0] = (byte) i;
    return Bytes.of(b);
  }

  /** Every event of {@code store}, headers with payloads, in global order. */
  private static List<String> events(Store store) {
    List<String> out = new ArrayList<>();
    for (EventHeader h : StoreFixtures.query(store, Region.all())) {
      out.add(h + "/" + store.get(h.eventId()).payload());
    }
    return out;
  }

  private static List<String> eventsIn(SimStoreFs fs, Path dir, long seed) {
    try (Store s = Store.open(config(fs, dir, seed, true))) {
      return events(s);
    }
  }

  /**
   * How the store in {@code dir} loads its index: a copy opens from the checkpoint it carried, and
   * never distrusts one (a checkpoint past the cut is left out, not carried and then refused).
   */
  private static OpenReport.IndexLoad indexLoadOf(SimStoreFs fs, Path dir, long seed) {
    try (Store s = Store.open(config(fs, dir, seed, true))) {
      OpenReport.IndexLoad load = s.openReport().indexLoad();
      assertEquals(List.of(), load.distrusted(), dir + " distrusted something");
      return load;
    }
  }

  /** A deterministic store of {@code n} appends, several sealed segments, still open. */
  private static Store storeWith(SimStoreFs fs, long seed, int n) {
    Store store = Store.open(config(fs, DIR, seed, true));
    Random rnd = new Random(seed);
    for (int i = 0; i < n; i++) {
      store.append(Coordinate.of("e" + (i % 5), "s"), KIND, payload(rnd, i));
    }
    return store;
  }

  @Test
  void snapshotWhileAppendsRunHoldsAnAcknowledgedPrefix(Random rnd) throws Exception {
    long seed = rnd.nextLong();
    SimStoreFs fs = newFs(seed);
    List<CopyReport> reports = new ArrayList<>();
    List<Long> ackedBefore = new ArrayList<>();
    // Threaded: the committer thread commits while this thread cuts and copies (real clock).
    // Checkpoints are published while the cuts are taken: one past a cut must not be carried.
    StoreConfig threaded =
        StoreConfig.builder(DIR).fs(fs).segmentMaxBytes(4096).checkpointEveryBytes(4096).build();
    try (Store store = Store.open(threaded)) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicLong highestAcked = new AtomicLong(-1);
      List<Thread> appenders = new ArrayList<>();
      List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
      for (int t = 0; t < 3; t++) {
        Random r = new Random(seed + t);
        int tt = t;
        Thread th =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; !stop.get() && i < 3000; i++) {
                      AppendReceipt rc =
                          store.append(Coordinate.of("t" + tt, "s"), KIND, payload(r, i));
                      highestAcked.accumulateAndGet(rc.globalSequence(), Math::max);
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                });
        th.start();
        appenders.add(th);
      }
      for (int k = 0; k < 4; k++) {
        while (highestAcked.get() < 40L * (k + 1)) {
          if (!failures.isEmpty()) {
            fail("an appender failed: " + failures);
          }
          Thread.onSpinWait();
        }
        ackedBefore.add(highestAcked.get());
        reports.add(store.snapshot(BACKUPS.resolve("snap" + k)));
      }
      stop.set(true);
      for (Thread th : appenders) {
        th.join();
      }
      assertEquals(List.of(), failures);
    }
    List<String> source = eventsIn(fs, DIR, seed);
    int carried = 0;
    for (int k = 0; k < reports.size(); k++) {
      CopyReport report = reports.get(k);
      assertEquals(BACKUPS.resolve("snap" + k), report.destination());
      assertTrue(
          report.watermark() > ackedBefore.get(k),
          "snapshot " + k + " at " + report.watermark() + " misses acked " + ackedBefore.get(k));
      OpenReport.IndexLoad load = indexLoadOf(fs, report.destination(), seed);
      carried += load.fromCheckpoint() > 0 ? 1 : 0;
      List<String> copy = eventsIn(fs, report.destination(), seed);
      assertEquals(report.watermark(), copy.size(), "exactly the events below the watermark");
      assertEquals(source.subList(0, copy.size()), copy, "a prefix of the source's journal");
      assertTrue(report.segments().size() > 1, "appends rotated segments: " + report);
      assertEquals(report.segments().size(), report.count(Sharing.COPY), "a snapshot copies");
    }
    assertTrue(carried > 0, "no snapshot carried a checkpoint: the test proves nothing about it");
  }

  @Test
  void forkSharesSealedSegmentsAndIsIndependent(Random rnd) throws Exception {
    long seed = rnd.nextLong();
    SimStoreFs fs = newFs(seed);
    Path forkDir = BACKUPS.resolve("fork");
    CopyReport report;
    List<String> atFork;
    try (Store store = storeWith(fs, seed, 120)) {
      atFork = events(store);
      report = store.fork(forkDir);
      store.append(Coordinate.of("source-only", "s"), KIND, Bytes.utf8("after the fork"));
    }
    assertEquals(atFork.size(), report.watermark());
    int n = report.segments().size();
    assertTrue(n > 2, "several segments: " + report);
    assertEquals(n - 1, report.count(Sharing.HARD_LINK), "sealed segments shared: " + report);
    assertEquals(Sharing.COPY, report.segments().get(n - 1).sharing(), "the active one copied");
    assertEquals(report.segments().get(n - 1).bytes(), report.bytesWritten());

    OpenReport.IndexLoad load = indexLoadOf(fs, forkDir, seed);
    assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), "the checkpoint was carried");
    assertTrue(load.fromCheckpoint() > atFork.size() / 2, "a recent one: " + load);
    try (Store fork = Store.open(config(fs, forkDir, seed, true))) {
      assertEquals(atFork, events(fork));
      for (int i = 0; i < 60; i++) { // enough to rotate in the fork too
        fork.append(Coordinate.of("fork-only", "s"), KIND, payload(rnd, i));
      }
      assertEquals(atFork.size() + 60, events(fork).size());
    }
    List<String> source = eventsIn(fs, DIR, seed);
    assertEquals(atFork.size() + 1, source.size(), "the fork's appends never show in the source");
    assertEquals(atFork, source.subList(0, atFork.size()));
    assertTrue(source.get(atFork.size()).contains("source-only"));
    List<String> fork = eventsIn(fs, forkDir, seed);
    assertFalse(fork.stream().anyMatch(e -> e.contains("source-only")));
    // The shared files survive the source's and the fork's appends byte for byte: both reopen.
    fs.crash(CrashProfile.STRICT);
    assertEquals(source, eventsIn(fs, DIR, seed));
    assertEquals(fork, eventsIn(fs, forkDir, seed));
  }

  @Test
  void aFullDeviceAtAnyStepPublishesNothing(Random rnd) throws Exception {
    long seed = rnd.nextLong();
    int faultsFired = 0;
    for (boolean forkMode : new boolean[] {false, true}) {
      for (FsOp op :
          List.of(
              FsOp.MKDIR,
              FsOp.CREATE,
              FsOp.WRITE,
              FsOp.SYNC,
              FsOp.LINK,
              FsOp.DIR_SYNC,
              FsOp.RENAME)) {
        for (int nth = 1; ; nth++) {
          SimStoreFs fs = newFs(seed);
          try (Store store = storeWith(fs, seed, 90)) {
            List<String> before = events(store);
            List<String> files = fs.list(DIR);
            fs.addFault(
                FaultRule.on(
                    op,
                    "/sim/backups/**",
                    FaultTrigger.nth(nth),
                    FaultAction.fail(ErrorKind.NO_SPACE)));
            try {
              CopyReport r = forkMode ? store.fork(DEST) : store.snapshot(DEST);
              fs.clearFaults();
              assertEquals(before.size(), r.watermark());
              assertEquals(before, eventsIn(fs, DEST, seed), "unfaulted run " + op + "#" + nth);
              break; // the fault did not fire: every occurrence of op was tried
            } catch (StoreFullException e) {
              faultsFired++;
              assertTrue(e.getMessage().contains("nothing was published"), e.getMessage());
            }
            assertFalse(fs.exists(DEST), op + "#" + nth + ": nothing published");
            assertEquals(List.of(), fs.list(BACKUPS), op + "#" + nth + ": temp removed");
            assertEquals(files, fs.list(DIR), "the source's files are untouched");
            assertEquals(before, events(store), "the source reads the same");
            store.append(Coordinate.of("after", "s"), KIND, Bytes.utf8("still writable"));
          }
          if (nth > 200) {
            fail("no end to " + op + " occurrences");
          }
        }
      }
    }
    assertTrue(faultsFired > 20, "faults fired: " + faultsFired);
  }

  @Test
  void aCrashAtAnyStepLeavesNoDestinationOrACompleteOne(Random rnd) throws Exception {
    long seed = rnd.nextLong();
    for (boolean forkMode : new boolean[] {false, true}) {
      SimStoreFs fs = SimStoreFs.builder().seed(seed).recordSnapshots(true).build();
      fs.createDirectories(BACKUPS);
      fs.syncAll();
      List<String> acked;
      List<SimSnapshot> during;
      try (Store store = storeWith(fs, seed, 90)) {
        acked = events(store);
        fs.clearRecordedSnapshots();
        CopyReport r = forkMode ? store.fork(DEST) : store.snapshot(DEST);
        assertEquals(acked.size(), r.watermark());
        during = fs.recordedSnapshots();
      }
      assertTrue(during.size() > 10, "steps recorded: " + during.size());
      int complete = 0;
      for (int i = 0; i < during.size(); i++) {
        for (CrashProfile profile : CrashProfile.values()) {
          SimStoreFs after = SimStoreFs.fromSnapshot(during.get(i));
          after.crash(profile);
          String where = (forkMode ? "fork" : "snapshot") + " step " + i + " " + profile;
          if (after.exists(DEST)) {
            complete++;
            assertEquals(acked, eventsIn(after, DEST, seed), where + ": a complete copy");
          }
          List<String> source = eventsIn(after, DIR, seed);
          assertEquals(acked, source, where + ": the source keeps every acknowledged event");
        }
      }
      assertTrue(complete > 0, "the last steps publish the copy");
    }
  }

  @Test
  void badDestinationsAreRefusedAndNothingIsCreated(Random rnd) throws Exception {
    long seed = rnd.nextLong();
    SimStoreFs fs = newFs(seed);
    fs.createDirectories(BACKUPS.resolve("existing"));
    fs.createSymlink(BACKUPS.resolve("link"), BACKUPS.resolve("nowhere"));
    try (Store store = storeWith(fs, seed, 10)) {
      List<String> backups = fs.list(BACKUPS);
      List<String> files = fs.list(DIR);
      for (Path bad :
          List.of(
              DIR,
              DIR.resolve("inner"),
              Path.of("/sim"),
              BACKUPS.resolve("existing"),
              BACKUPS.resolve("link"),
              BACKUPS.resolve("missing-parent/snap"),
              Path.of("/sim/store/../store/x"))) {
        for (boolean forkMode : new boolean[] {false, true}) {
          ValidationException e =
              assertThrows(
                  ValidationException.class,
                  () -> {
                    if (forkMode) {
                      store.fork(bad);
                    } else {
                      store.snapshot(bad);
                    }
                  },
                  bad.toString());
          assertTrue(
              e.getMessage().contains(bad.toAbsolutePath().normalize().toString()),
              "names the destination: " + e.getMessage());
        }
      }
      assertFalse(fs.exists(BACKUPS.resolve("nowhere")), "nothing behind the link");
      assertEquals(backups, fs.list(BACKUPS));
      assertEquals(files, fs.list(DIR));
      NullPointerException npe = assertThrows(NullPointerException.class, () -> store.fork(null));
      assertTrue(npe.getMessage().contains("dest"), npe.getMessage());
    }
  }

  @Test
  void aReadOnlyStoreAndAnEmptyStoreCanBeSnapshotted(Random rnd) throws Exception {
    long seed = rnd.nextLong();
    SimStoreFs fs = newFs(seed);
    try (Store store = Store.open(config(fs, DIR, seed, true))) {
      CopyReport empty = store.snapshot(BACKUPS.resolve("empty"));
      assertEquals(0, empty.watermark());
    }
    assertEquals(List.of(), eventsIn(fs, BACKUPS.resolve("empty"), seed));
    storeWith(fs, seed, 50).close();
    List<String> all = eventsIn(fs, DIR, seed);
    StoreConfig ro = config(fs, DIR, seed, true).toBuilder().readOnly(true).build();
    try (Store store = Store.open(ro)) {
      CopyReport r = store.fork(BACKUPS.resolve("ro"));
      assertEquals(all.size(), r.watermark());
    }
    assertEquals(all, eventsIn(fs, BACKUPS.resolve("ro"), seed));
  }

  @Test
  void aPoisonedStoreRefusesToCutAndAClosedOneIsClosed(Random rnd) throws Exception {
    long seed = rnd.nextLong();
    SimStoreFs fs = newFs(seed);
    Store store = storeWith(fs, seed, 5);
    fs.addFault(
        FaultRule.on(
            FsOp.SYNC, "/sim/store/**", FaultTrigger.nth(1), FaultAction.fail(ErrorKind.IO)));
    assertThrows(OutcomeUnknownException.class, () -> store.snapshot(DEST));
    assertFalse(fs.exists(DEST));
    assertThrows(OutcomeUnknownException.class, () -> store.snapshot(DEST));
    try {
      store.close();
    } catch (StoreException expected) {
      // a poisoned store never closes silently
    }
    assertThrows(io.batpak.StoreClosedException.class, () -> store.snapshot(DEST));
    assertEquals(List.of(), fs.list(BACKUPS));
  }
}
