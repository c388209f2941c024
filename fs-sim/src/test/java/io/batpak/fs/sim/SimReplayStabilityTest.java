package io.batpak.fs.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A seed replays the same history across versions of the simulator, not only within one run: a
 * seeded workload of every operation, fault action, crash profile, snapshot and restore yields the
 * op-log digest, operation count and final state recorded from the simulator before it was split
 * into rooms (issue 9). A change that moves any of them changes what an old failure's seed replays;
 * if the change is meant (a new model rule), record the new values here and say so in the commit.
 */
class SimReplayStabilityTest {

  @ParameterizedTest(name = "seed {0}")
  @CsvSource({
    "1, 4544cf3390bff0be, 1044, ad23c4",
    "2, b60f1152cf22c9d2, 519, 95b0a947",
    "3, 5af7fe8fcb5ca07b, 899, 4f97ad88",
    "4, b2b90cd37aadf1ef, 987, 4eda6eb",
    "5, 331c646a85e23e2f, 1027, 4f558813",
    "6, f39604592e7bf266, 1396, 9c12a0ff",
  })
  void historyIsTheRecordedOne(long seed, String digest, long operations, String state)
      throws IOException {
    History h = history(seed);
    String row =
        "seed "
            + seed
            + " (a row of this test's table; mvn -B test -pl fs-sim -am"
            + " -Dtest=SimReplayStabilityTest -Dsurefire.failIfNoSpecifiedTests=false)";
    assertEquals(digest, Long.toHexString(h.digest), "op-log digest of " + row);
    assertEquals(operations, h.operations, "operations of " + row);
    assertEquals(state, Integer.toHexString(h.state.hashCode()), "final state of " + row);
  }

  /** What one seeded run leaves: its digest, its operation count and a transcript of results. */
  static final class History {
    long digest;
    long operations;
    String state;
  }

  private static Path p(String name) {
    return Path.of("/sim/store").resolve(name);
  }

  static History history(long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    SimStoreFs fs =
        SimStoreFs.builder()
            .seed(seed)
            .windowsMode(seed % 2 == 0)
            .recordSnapshots(seed % 3 == 0)
            .faultPlan(
                FaultPlan.of(
                    FaultRule.on(
                        FsOp.WRITE,
                        FaultTrigger.probability(0.02),
                        FaultAction.shortWrite(rnd.nextInt(50))),
                    FaultRule.on(
                        FsOp.WRITE,
                        "/sim/store/f1*",
                        FaultTrigger.probability(0.05),
                        FaultAction.tornWrite(7)),
                    FaultRule.on(
                        FsOp.WRITE,
                        FaultTrigger.probability(0.05),
                        FaultAction.noSpaceQuota(60_000)),
                    FaultRule.on(
                        FsOp.COPY, FaultTrigger.probability(0.3), FaultAction.noSpaceQuota(60_000)),
                    FaultRule.on(
                        FsOp.SYNC, FaultTrigger.probability(0.05), FaultAction.failedSync()),
                    FaultRule.on(
                        FsOp.SYNC,
                        FaultTrigger.probability(0.05),
                        FaultAction.failedSyncKeepsPages()),
                    FaultRule.on(
                        FsOp.DIR_SYNC, FaultTrigger.probability(0.05), FaultAction.lyingSync()),
                    FaultRule.on(
                        FsOp.RENAME, FaultTrigger.probability(0.02), FaultAction.crashAfter()),
                    FaultRule.on(FsOp.PUBLISH, FaultTrigger.nth(3), FaultAction.crashBefore()),
                    FaultRule.on(
                        FsOp.OPEN, FaultTrigger.afterOp(1200), FaultAction.fail(ErrorKind.IO)),
                    FaultRule.on(
                        FsOp.READ, FaultTrigger.probability(0.02), FaultAction.shortRead(3))))
            .build();
    fs.createDirectories(p("x"));
    fs.syncAll();
    fs.armFaultOn(FsOp.LIST, 2);
    List<FileHandle> open = new ArrayList<>();
    SimSnapshot snap = null;
    StringBuilder out = new StringBuilder();
    for (int step = 0; step < 1500; step++) {
      int pick = rnd.nextInt(104);
      try {
        if (open.isEmpty() || pick < 5) {
          Path f = p("f" + rnd.nextInt(20));
          open.add(
              rnd.nextBoolean() || !fs.exists(f)
                  ? fs.create(f)
                  : (rnd.nextBoolean() ? fs.openWrite(f) : fs.openRead(f)));
        } else if (pick < 50) {
          FileHandle h = open.get(rnd.nextInt(open.size()));
          byte[] data = new byte[1 + rnd.nextInt(5000)];
          rnd.nextBytes(data);
          h.write(ByteBuffer.wrap(data), rnd.nextInt(10000));
        } else if (pick < 60) {
          FileHandle h = open.get(rnd.nextInt(open.size()));
          h.read(ByteBuffer.allocate(1 + rnd.nextInt(100)), rnd.nextInt(5000));
          out.append(h.size()).append(',');
        } else if (pick < 70) {
          open.get(rnd.nextInt(open.size())).sync(rnd.nextBoolean() ? SyncMode.DATA : SyncMode.ALL);
        } else if (pick < 75) {
          fs.syncDirectory(rnd.nextBoolean() ? p("") : p("x"));
        } else if (pick < 80) {
          fs.rename(
              p((rnd.nextInt(4) == 0 ? "x/" : "") + "f" + rnd.nextInt(20)),
              p("f" + rnd.nextInt(20)),
              rnd.nextBoolean() ? RenameMode.REPLACE : RenameMode.NO_REPLACE);
        } else if (pick < 84) {
          out.append(fs.deleteIfExists(p("f" + rnd.nextInt(20)))).append(',');
        } else if (pick < 87) {
          fs.publish(p("f" + rnd.nextInt(20)), p("f" + rnd.nextInt(20)), SyncMode.DATA);
        } else if (pick < 90) {
          fs.copy(
              p("f" + rnd.nextInt(20)),
              p((rnd.nextInt(3) == 0 ? "x/" : "") + "f" + rnd.nextInt(20)));
        } else if (pick < 93) {
          out.append(fs.list(p(""))).append(fs.exists(p("l" + rnd.nextInt(3)))).append(',');
        } else if (pick < 95) {
          LockMode m = rnd.nextBoolean() ? LockMode.EXCLUSIVE : LockMode.SHARED;
          StoreLock l = fs.lock(p("LOCK" + rnd.nextInt(2)), m);
          if (rnd.nextBoolean()) {
            l.close();
          }
          out.append(l.isValid());
        } else if (pick < 97) {
          open.get(rnd.nextInt(open.size())).truncate(rnd.nextInt(3000));
        } else if (pick < 98) {
          open.remove(rnd.nextInt(open.size())).close();
        } else if (pick < 99) {
          fs.createSymlink(
              p("l" + rnd.nextInt(3)),
              rnd.nextBoolean() ? Path.of("x") : Path.of("/sim/store/f" + rnd.nextInt(20)));
        } else if (pick < 100) {
          if (snap == null || rnd.nextBoolean()) {
            snap = fs.snapshot();
          } else {
            fs.restore(snap);
            open.clear();
          }
        } else if (pick < 101) {
          fs.restart();
          open.clear();
        } else if (pick < 102) {
          out.append(fs.openHandles().size())
              .append(fs.faultPlan().rules().size())
              .append(fs.isFrozen());
        } else {
          fs.crash(CrashProfile.values()[rnd.nextInt(3)]);
          open.clear();
          if (!fs.exists(p(""))) {
            fs.createDirectories(p("x"));
          }
        }
      } catch (IOException | RuntimeException expected) {
        // faults and ordinary refusals are part of the history, message included
        out.append(expected.getClass().getSimpleName())
            .append(':')
            .append(expected.getMessage())
            .append(';');
      }
    }
    fs.crash(CrashProfile.SECTOR);
    for (int i = 0; i < 20; i++) {
      try {
        out.append(Arrays.hashCode(fs.contentOf(p("f" + i))))
            .append('/')
            .append(Arrays.hashCode(fs.durableContentOf(p("f" + i))));
      } catch (IOException e) {
        out.append(e.getMessage());
      }
    }
    out.append(fs.recordedSnapshots().size()).append(fs.stateChangingOperationCount());
    out.append(fs.opLog());
    History h = new History();
    h.digest = fs.digest();
    h.operations = fs.operationCount();
    h.state = out.toString();
    return h;
  }
}
