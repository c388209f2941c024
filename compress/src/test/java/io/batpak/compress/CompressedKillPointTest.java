package io.batpak.compress;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.test.BatpakTest;
import io.batpak.test.SimStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cheap kill-point sweep of the engine's {@code KilledProcessOpenTest}, on a compressed store
 * (issue 14): the process is killed before and after each file-system operation of a session that
 * appends compressible payloads over small segments; the store then opens, every acknowledged
 * append reads back its payload, and {@code verifyAll} holds, also after a power loss that follows
 * the open. Seeded; the seed is in every message.
 */
@BatpakTest
class CompressedKillPointTest {
  private static final Path DIR = Path.of("/sim/store");
  private static final EventKind KIND = EventKind.custom(1, 1);

  private static StoreConfig config(SimStoreFs fs, long seed, String compression) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .segmentMaxBytes(4096)
        .compression(compression)
        .compressionThreshold(64)
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"lz4", "zstd"})
  void everyKillPointOpensToTheAcknowledgedPayloads(String compression, SimStore kit) {
    long seed = kit.seed();
    List<byte[]> payloads = new ArrayList<>();
    Random random = new Random(seed);
    for (int i = 0; i < 14; i++) {
      payloads.add(Payloads.text(random, 30 + random.nextInt(2000)));
    }
    SimStoreFs clean = SimStoreFs.builder().seed(seed).build();
    assertEquals(payloads.size(), session(clean, seed, compression, payloads).size());
    long operations = clean.operationCount();
    assertTrue(operations > 20, "the session touched the file system " + operations + " times");
    for (long nth = 1; nth <= operations; nth++) {
      for (boolean before : new boolean[] {true, false}) {
        String where =
            compression
                + ", seed "
                + seed
                + ", killed "
                + (before ? "before" : "after")
                + " "
                + nth;
        SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
        fs.addFault(
            new FaultRule(
                null,
                "**",
                FaultTrigger.nth(nth),
                before ? FaultAction.crashBefore() : FaultAction.crashAfter()));
        List<AppendReceipt> acked = session(fs, seed, compression, payloads);
        fs.clearFaults();
        fs.restart();
        assertIntact(fs, seed, compression, acked, payloads, where);
        SimStoreFs lost = SimStoreFs.fromSnapshot(fs.snapshot());
        lost.crash(CrashProfile.STRICT);
        assertIntact(lost, seed, compression, acked, payloads, where + ", then a power loss");
      }
    }
  }

  private static void assertIntact(
      SimStoreFs fs,
      long seed,
      String compression,
      List<AppendReceipt> acked,
      List<byte[]> payloads,
      String where) {
    try (Store s = Store.open(config(fs, seed + 1, compression))) {
      for (int i = 0; i < acked.size(); i++) {
        assertArrayEquals(
            payloads.get(i), s.get(acked.get(i).eventId()).payload().toByteArray(), where);
      }
      StoreVerification v = s.verifyAll(VerificationProgress.none());
      assertTrue(v.intact(), where + ": " + v.problems());
    }
  }

  /** Opens, appends, closes; stops at the simulated crash. Returns the acknowledged appends. */
  private static List<AppendReceipt> session(
      SimStoreFs fs, long seed, String compression, List<byte[]> payloads) {
    List<AppendReceipt> acked = new ArrayList<>();
    Store store;
    try {
      store = Store.open(config(fs, seed, compression));
    } catch (RuntimeException e) {
      assertTrue(fs.isFrozen(), "the open failed without a crash: " + e);
      return acked;
    }
    try {
      for (byte[] p : payloads) {
        acked.add(store.append(Coordinate.of("order:" + acked.size() % 2, "s"), KIND, Bytes.of(p)));
      }
    } catch (RuntimeException e) {
      assertTrue(fs.isFrozen(), "an append failed without a crash: " + e);
    }
    try {
      store.close();
    } catch (RuntimeException e) {
      assertTrue(fs.isFrozen(), "the close failed without a crash: " + e);
    }
    return acked;
  }
}
