package io.batpak.fs.sim;

import static io.batpak.fs.sim.Sim.DIR;
import static io.batpak.fs.sim.Sim.p;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** One seed, one history: the op-log digest is the witness. */
class SimDeterminismTest {

  @Test
  void sameSeedSameDigest() {
    long seed = SimSeed.resolve(20261125L);
    SimSeed.run(
        seed,
        Sim.replay(getClass(), "sameSeedSameDigest", seed),
        s -> {
          Outcome first = workload(s);
          Outcome second = workload(s);
          assertEquals(first.digest, second.digest, "same seed, same digest");
          assertEquals(first.log, second.log);
          assertArrayEquals(first.entropy, second.entropy);
          assertEquals(first.wallMicros, second.wallMicros);
          assertTrue(first.operations > 1_000, "ran " + first.operations + " operations");
          Outcome other = workload(s + 1);
          assertNotEquals(first.digest, other.digest, "another seed, another history");
        });
  }

  @Test
  void seedReportNamesTheReplayCommand() {
    AssertionError e =
        assertThrows(
            AssertionError.class,
            () ->
                SimSeed.run(
                    42L,
                    SimSeed.replayCommand("fs-sim", SimDeterminismTest.class, "x", 42L),
                    s -> {
                      throw new AssertionError("boom");
                    }));
    assertEquals("boom", e.getMessage());
    SimSeed.SeedReport report = (SimSeed.SeedReport) e.getSuppressed()[0];
    assertEquals(42L, report.seed());
    assertEquals(
        "failed with seed 42; replay with: mvn -B test -pl fs-sim -Dtest=SimDeterminismTest#x"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dbatpak.test.seed=42",
        report.getMessage());
    IOException checked =
        assertThrows(
            IOException.class,
            () ->
                SimSeed.run(
                    1L,
                    "cmd",
                    s -> {
                      throw new IOException("checked");
                    }));
    assertEquals(1, checked.getSuppressed().length);
    assertEquals(7L, System.getProperty(SimSeed.PROPERTY) == null ? SimSeed.resolve(7L) : 7L);
  }

  @Test
  void entropyIsSeeded() {
    SimEntropy a = new SimEntropy(9);
    SimEntropy b = new SimEntropy(9);
    byte[] x = new byte[33];
    byte[] y = new byte[33];
    a.nextBytes(x);
    b.nextBytes(y);
    assertArrayEquals(x, y);
    assertEquals(a.nextLong(), b.nextLong());
    assertNotEquals(new SimEntropy(10).nextLong(), new SimEntropy(9).nextLong());
    assertEquals(9, a.seed());
  }

  private static final class Outcome {
    long digest;
    List<OpRecord> log;
    byte[] entropy;
    long wallMicros;
    long operations;
  }

  /**
   * A seeded mix of every operation, probabilistic faults and crashes of every profile; the fs,
   * clock and entropy are all driven by the seed.
   */
  private static Outcome workload(long seed) throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    SimStoreFs fs =
        SimStoreFs.builder()
            .seed(seed)
            .faultPlan(
                FaultPlan.of(
                    FaultRule.on(
                        FsOp.WRITE,
                        FaultTrigger.probability(0.02),
                        FaultAction.shortWrite(rnd.nextInt(50))),
                    FaultRule.on(
                        FsOp.SYNC, FaultTrigger.probability(0.05), FaultAction.failedSync()),
                    FaultRule.on(
                        FsOp.DIR_SYNC, FaultTrigger.probability(0.05), FaultAction.lyingSync()),
                    FaultRule.on(
                        FsOp.READ, FaultTrigger.probability(0.02), FaultAction.shortRead(3))))
            .build();
    SimStoreClock clock = new SimStoreClock();
    SimEntropy entropy = new SimEntropy(seed);
    fs.createDirectories(DIR);
    List<FileHandle> open = new ArrayList<>();
    for (int step = 0; step < 1_500; step++) {
      clock.advance(Duration.ofMillis(rnd.nextInt(5)));
      int pick = rnd.nextInt(100);
      try {
        if (open.isEmpty() || pick < 5) {
          Path f = p("f" + rnd.nextInt(20));
          open.add(rnd.nextBoolean() || !fs.exists(f) ? fs.create(f) : fs.openWrite(f));
        } else if (pick < 50) {
          FileHandle h = open.get(rnd.nextInt(open.size()));
          byte[] data = new byte[1 + rnd.nextInt(5_000)];
          entropy.nextBytes(data);
          h.write(ByteBuffer.wrap(data), rnd.nextInt(10_000));
        } else if (pick < 60) {
          FileHandle h = open.get(rnd.nextInt(open.size()));
          h.read(ByteBuffer.allocate(1 + rnd.nextInt(100)), rnd.nextInt(5_000));
        } else if (pick < 70) {
          open.get(rnd.nextInt(open.size())).sync(rnd.nextBoolean() ? SyncMode.DATA : SyncMode.ALL);
        } else if (pick < 75) {
          fs.syncDirectory(DIR);
        } else if (pick < 80) {
          fs.rename(
              p("f" + rnd.nextInt(20)),
              p("f" + rnd.nextInt(20)),
              rnd.nextBoolean() ? RenameMode.REPLACE : RenameMode.NO_REPLACE);
        } else if (pick < 84) {
          fs.deleteIfExists(p("f" + rnd.nextInt(20)));
        } else if (pick < 87) {
          fs.publish(p("f" + rnd.nextInt(20)), p("f" + rnd.nextInt(20)), SyncMode.DATA);
        } else if (pick < 90) {
          fs.copy(p("f" + rnd.nextInt(20)), p("f" + rnd.nextInt(20)));
        } else if (pick < 93) {
          fs.list(DIR);
        } else if (pick < 95) {
          try (StoreLock l = fs.lock(p("LOCK"), LockMode.EXCLUSIVE)) {
            l.isValid();
          }
        } else if (pick < 97) {
          open.get(rnd.nextInt(open.size())).truncate(rnd.nextInt(3_000));
        } else if (pick < 98) {
          open.remove(rnd.nextInt(open.size())).close();
        } else {
          fs.crash(CrashProfile.values()[rnd.nextInt(3)]);
          open.clear();
          if (!fs.exists(DIR)) {
            fs.createDirectories(DIR);
          }
        }
      } catch (IOException expected) {
        // faults and ordinary errors (missing files, existing targets) are part of the history
      }
    }
    Outcome o = new Outcome();
    o.digest = fs.digest();
    o.log = fs.opLog();
    o.operations = fs.operationCount();
    o.entropy = new byte[16];
    entropy.nextBytes(o.entropy);
    o.wallMicros = clock.wallMicros();
    return o;
  }
}
