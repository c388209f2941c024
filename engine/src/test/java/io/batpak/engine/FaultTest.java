package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.OutcomeUnknownException;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreFullException;
import io.batpak.StoreInterruptedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failure policy (docs/architecture.md, decision 2) with faults injected under the real posix
 * backend.
 */
class FaultTest {
  static final Coordinate C = Coordinate.of("e1", "s");

  @TempDir Path dir;

  private static List<AppendReceipt> appendMany(Store store, int n, String prefix) {
    List<AppendReceipt> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(store.append(C, KIND, Bytes.utf8(prefix + i)));
    }
    return out;
  }

  @Test
  void aFailedFsyncPoisonsTheStoreButReadsAndReopenWork() throws Exception {
    List<AppendReceipt> acked;
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(StoreConfig.builder(dir).fs(fs).build());
      acked = appendMany(store, 20, "ok ");
      // Hold the committer in the failing fsync so that more appends queue behind it.
      FaultyFs.Gate gate = fs.holdNextSync();
      fs.failNextSync.set(true);
      CompletableFuture<AppendReceipt> inGroup =
          store.submit(C, KIND, Bytes.utf8("in the failing group"), AppendOptions.defaults());
      gate.awaitEntered();
      CompletableFuture<AppendReceipt> queued =
          store.submit(C, KIND, Bytes.utf8("queued behind it"), AppendOptions.defaults());
      gate.open();
      assertInstanceOf(OutcomeUnknownException.class, StoreFixtures.failureOf(inGroup));
      assertInstanceOf(OutcomeUnknownException.class, StoreFixtures.failureOf(queued));
      assertEquals(1, fs.failedSyncs.get());
      // Later appends of every kind fail as outcome-unknown too; nothing retries the fsync.
      assertThrows(OutcomeUnknownException.class, () -> store.append(C, KIND, Bytes.utf8("later")));
      assertThrows(
          OutcomeUnknownException.class,
          () -> store.appendBatch(List.of(BatchItem.of(C, KIND, Bytes.utf8("later batch")))));
      Throwable submitted;
      try {
        submitted =
            StoreFixtures.failureOf(
                store.submit(C, KIND, Bytes.utf8("later submit"), AppendOptions.defaults()));
      } catch (OutcomeUnknownException e) {
        submitted = e;
      }
      assertInstanceOf(OutcomeUnknownException.class, submitted);
      assertThrows(OutcomeUnknownException.class, store::sync);
      assertThrows(OutcomeUnknownException.class, store::beginFence);
      // Reads keep working and show exactly the acknowledged events.
      assertEquals(20, store.stats().eventCount());
      assertEquals(20, StoreFixtures.query(store, Region.all()).size());
      StoreFixtures.assertIntact(store, acked);
      assertEquals("ok 3", store.get(acked.get(3).eventId()).payload().toUtf8());
      // A poisoned store never closes silently; a second close returns normally.
      assertThrows(OutcomeUnknownException.class, store::close);
      store.close();
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertTrue(store.openReport().tornTail().isEmpty());
      long n = store.stats().eventCount();
      assertTrue(n >= 20 && n <= 22, "acknowledged events plus at most the unknown ones: " + n);
      StoreFixtures.assertIntact(store, acked);
      AppendReceipt after = store.append(C, KIND, Bytes.utf8("after reopen"));
      assertEquals(n, after.globalSequence());
    }
  }

  @Test
  void aFullDeviceFailsTheAppendCutsBackAndTheStoreGoesOn() throws Exception {
    List<AppendReceipt> acked;
    Path seg = StoreFixtures.segment(dir, 1);
    try (FaultyFs fs = new FaultyFs();
        Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
      acked = new ArrayList<>(appendMany(store, 10, "ok "));
      long size = Files.size(seg);
      fs.noSpaceInWrites.set(1);
      assertThrows(
          StoreFullException.class, () -> store.append(C, KIND, Bytes.ofOwned(new byte[3000])));
      assertEquals(1, fs.failedWrites.get());
      assertEquals(size, Files.size(seg), "cut back to the last whole frame");
      assertEquals(10, store.stats().eventCount());
      fs.noSpaceInWrites.set(1);
      assertThrows(
          StoreFullException.class,
          () ->
              store.appendBatch(
                  List.of(
                      BatchItem.of(C, KIND, Bytes.utf8("batch 1")),
                      BatchItem.of(Coordinate.of("e2", "s"), KIND, Bytes.utf8("batch 2")))));
      assertEquals(size, Files.size(seg));
      // Not poisoned: the next append goes through, right after the last whole frame.
      AppendReceipt next = store.append(C, KIND, Bytes.utf8("after the full device"));
      assertEquals(10, next.globalSequence());
      assertEquals(10, next.streamSequence());
      assertEquals(size, StoreFixtures.frame(store, next).offset());
      acked.add(next);
      StoreFixtures.assertIntact(store, acked);
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertTrue(store.openReport().tornTail().isEmpty(), "nothing half-written survived");
      assertEquals(11, store.stats().eventCount());
      StoreFixtures.assertIntact(store, acked);
    }
  }

  /** The outcome of a future: null for a receipt, else the failure. */
  private static Throwable outcome(CompletableFuture<AppendReceipt> f) throws Exception {
    try {
      f.get(30, TimeUnit.SECONDS);
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    }
  }

  private static long count(Store store, Bytes payload) {
    return StoreFixtures.query(store, Region.all()).stream()
        .filter(h -> store.get(h.eventId()).payload().equals(payload))
        .count();
  }

  /**
   * A group whose first frame lands in segment 1 and whose second frame runs out of space in the
   * segment the group rotated to. Each of the two appends must either succeed, fail with {@link
   * StoreFullException} (then it is absent for good, the segment is cut back to its last whole
   * frame, and the store goes on), or fail as outcome-unknown (then the store is poisoned and the
   * event is present at most once after a reopen). Either way the store reopens cleanly.
   */
  @Test
  void aFullDeviceWritingTheFrameAfterARotationLeavesNoTrace() throws Exception {
    fullDeviceDuringRotation(4);
  }

  @Test
  void aFullDeviceWritingTheNewSegmentHeaderLeavesNoTrace() throws Exception {
    fullDeviceDuringRotation(3);
  }

  @Test
  void aFullDeviceWritingTheSealOfARotationLeavesNoTrace() throws Exception {
    fullDeviceDuringRotation(2);
  }

  private void fullDeviceDuringRotation(int failingWrite) throws Exception {
    long max = 4096;
    StoreConfig.Builder b = StoreConfig.builder(dir).segmentMaxBytes(max);
    Bytes filler = Bytes.ofOwned(new byte[900]);
    List<AppendReceipt> acked = new ArrayList<>();
    List<Throwable> outcomes = new ArrayList<>();
    byte[] one = new byte[900];
    one[0] = 1;
    byte[] two = new byte[900];
    two[0] = 2;
    List<Bytes> payloads = List.of(Bytes.ofOwned(one), Bytes.ofOwned(two));
    boolean poisoned;
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(b.fs(fs).build());
      acked.add(store.append(C, KIND, filler));
      FrameLocation first = StoreFixtures.frame(store, acked.get(0));
      int s = first.length();
      long end = first.offset() + s;
      // Fill until, after one more frame (the blocker), one frame fits and a second does not.
      while (!(end + 2L * s <= max && end + 3L * s > max)) {
        AppendReceipt r = store.append(C, KIND, filler);
        acked.add(r);
        end = StoreFixtures.frame(store, r).offset() + s;
      }
      FaultyFs.Gate gate = fs.holdNextSync();
      CompletableFuture<AppendReceipt> blocker =
          store.submit(C, KIND, filler, AppendOptions.defaults());
      gate.awaitEntered();
      // The next group writes frame 1 into segment 1 (write 1), rotates (write 2: the seal of
      // segment 1; write 3: the header of segment 2), then writes frame 2 into segment 2 (write
      // 4); write failingWrite runs out.
      fs.noSpaceInWrites.set(failingWrite);
      CompletableFuture<AppendReceipt> f1 =
          store.submit(C, KIND, payloads.get(0), AppendOptions.defaults());
      CompletableFuture<AppendReceipt> f2 =
          store.submit(C, KIND, payloads.get(1), AppendOptions.defaults());
      gate.open();
      acked.add(blocker.get(30, TimeUnit.SECONDS));
      for (CompletableFuture<AppendReceipt> f : List.of(f1, f2)) {
        Throwable t = outcome(f);
        outcomes.add(t);
        if (t == null) {
          acked.add(f.get());
        } else if (!(t instanceof StoreFullException) && !(t instanceof OutcomeUnknownException)) {
          throw new AssertionError("unexpected failure", t);
        }
      }
      System.out.println("write " + failingWrite + " ran out of space: outcomes " + outcomes);
      assertEquals(1, fs.failedWrites.get());
      String at = fs.failedWriteAt.get();
      switch (failingWrite) {
        case 2 -> assertTrue(at.startsWith("0000000001.seg@"), "the seal of segment 1: " + at);
        case 3 -> assertEquals("0000000002.seg@0", at, "the header of segment 2");
        default ->
            assertTrue(
                at.startsWith("0000000002.seg@") && !at.endsWith("@0"),
                "a frame in segment 2: " + at);
      }
      assertTrue(outcomes.get(1) != null, "the append that ran out of space failed");
      poisoned = outcomes.stream().anyMatch(t -> t instanceof OutcomeUnknownException);
      if (!poisoned) {
        // Every segment ends at its last whole frame (a new segment: at its header).
        for (Path seg : StoreFixtures.segments(dir)) {
          long id = Long.parseLong(seg.getFileName().toString().substring(0, 10));
          long lastEnd =
              acked.stream()
                  .map(r -> StoreFixtures.frame(store, r))
                  .filter(f -> f.segmentId() == id)
                  .mapToLong(f -> f.offset() + f.length())
                  .max()
                  .orElse(-1);
          byte[] bytes = Files.readAllBytes(seg);
          long expected = lastEnd >= 0 ? lastEnd : ((bytes[10] & 0xFF) << 8 | (bytes[11] & 0xFF));
          assertEquals(expected, bytes.length, seg + " ends at its last whole frame");
        }
        assertEquals(acked.size(), store.stats().eventCount());
        AppendReceipt after = store.append(C, KIND, Bytes.utf8("after"));
        assertEquals(acked.size(), after.globalSequence());
        acked.add(after);
        StoreFixtures.assertIntact(store, acked);
      } else {
        assertThrows(
            OutcomeUnknownException.class, () -> store.append(C, KIND, Bytes.utf8("after")));
      }
      StoreFixtures.close(store, poisoned);
    }
    try (Store store = Store.open(b.fs(null).build())) {
      StoreFixtures.assertIntact(store, acked);
      for (int i = 0; i < 2; i++) {
        long present = count(store, payloads.get(i));
        Throwable t = outcomes.get(i);
        if (t == null) {
          assertEquals(1, present, "a successful append is there once");
        } else if (t instanceof StoreFullException) {
          assertEquals(0, present, "a store-full append is not there");
        } else {
          assertTrue(present <= 1, "an outcome-unknown append is there at most once");
        }
      }
      if (!poisoned) {
        assertTrue(store.openReport().tornTail().isEmpty(), "nothing half-written survived");
        assertEquals(acked.size(), store.stats().eventCount(), "failed appends are absent");
      }
      acked.add(store.append(C, KIND, Bytes.utf8("after reopen")));
    }
    try (Store store = Store.open(b.fs(null).build())) {
      assertTrue(store.openReport().tornTail().isEmpty());
      StoreFixtures.assertIntact(store, acked);
    }
  }

  @Test
  void anInterruptedAppenderGetsOutcomeUnknownAndKeepsItsFlag() throws Exception {
    List<AppendReceipt> acked = new ArrayList<>();
    try (FaultyFs fs = new FaultyFs();
        Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
      acked.addAll(appendMany(store, 5, "before "));
      // An async append holds the committer thread in a stalled fsync, so the appender below
      // queues behind it and waits.
      FaultyFs.Gate gate = fs.holdNextSync();
      CompletableFuture<AppendReceipt> blocker =
          store.submit(C, KIND, Bytes.utf8("blocker"), AppendOptions.defaults());
      gate.awaitEntered();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean flagAfter = new AtomicBoolean();
      Thread appender =
          new Thread(
              () -> {
                try {
                  store.append(C, KIND, Bytes.utf8("interrupted"));
                } catch (Throwable t) {
                  thrown.set(t);
                }
                flagAfter.set(Thread.currentThread().isInterrupted());
              },
              "appender");
      appender.start();
      // Interrupt once the appender is parked waiting for its outcome.
      while (appender.getState() != Thread.State.WAITING && appender.isAlive()) {
        Thread.onSpinWait();
      }
      appender.interrupt();
      appender.join();
      assertInstanceOf(OutcomeUnknownException.class, thrown.get());
      assertTrue(flagAfter.get(), "the interrupt flag is restored");
      gate.open();
      acked.add(blocker.get(30, TimeUnit.SECONDS));
      // Other threads carry on.
      ExecutorService pool = Executors.newFixedThreadPool(4);
      List<Future<List<AppendReceipt>>> fs4 = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String prefix = "t" + t + " ";
        fs4.add(pool.submit(() -> appendMany(store, 25, prefix)));
      }
      for (Future<List<AppendReceipt>> f : fs4) {
        acked.addAll(f.get());
      }
      pool.shutdown();
      List<EventHeader> all = StoreFixtures.assertIntact(store, acked);
      long interrupted =
          all.stream()
              .filter(h -> store.get(h.eventId()).payload().toUtf8().equals("interrupted"))
              .count();
      assertTrue(interrupted <= 1, "the interrupted append is present at most once");
      assertEquals(106 + interrupted, all.size());
    }
    try (Store store = StoreFixtures.open(dir)) {
      StoreFixtures.assertIntact(store, acked);
    }
  }

  @Test
  void anAppenderInterruptedBeforeItCallsNeitherPoisonsTheStoreNorLosesItsFlag() throws Exception {
    List<AppendReceipt> acked = new ArrayList<>();
    try (Store store = StoreFixtures.open(dir)) {
      acked.addAll(appendMany(store, 3, "before "));
      AtomicReference<Object> result = new AtomicReference<>();
      AtomicBoolean flagAfter = new AtomicBoolean();
      Thread t =
          new Thread(
              () -> {
                Thread.currentThread().interrupt();
                try {
                  result.set(store.append(C, KIND, Bytes.utf8("pre-interrupted")));
                } catch (Throwable e) {
                  result.set(e);
                }
                flagAfter.set(Thread.currentThread().isInterrupted());
              });
      t.start();
      t.join();
      assertTrue(flagAfter.get(), "the interrupt flag survives the append");
      // Refused before it is queued: the outcome is known, nothing was written.
      assertInstanceOf(StoreInterruptedException.class, result.get());
      // The store is not poisoned: an interrupt never reaches a shared file.
      acked.addAll(appendMany(store, 3, "after "));
      StoreFixtures.assertIntact(store, acked);
    }
    try (Store store = StoreFixtures.open(dir)) {
      StoreFixtures.assertIntact(store, acked);
    }
  }

  /**
   * A full device while the clean close writes the seal: the close says every event is durable and
   * what failed, no checkpoint is written, and the next open cuts the half seal as a torn tail.
   */
  @Test
  void aFullDeviceWhileSealingOnCloseKeepsEveryEventAndTheHalfSealIsCut() throws Exception {
    List<AppendReceipt> acked;
    Path seg = StoreFixtures.segment(dir, 1);
    long framesEnd;
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(StoreConfig.builder(dir).fs(fs).build());
      acked = new ArrayList<>(appendMany(store, 10, "ok "));
      framesEnd = Files.size(seg);
      fs.noSpaceInWrites.set(1);
      io.batpak.StoreIoException e = assertThrows(io.batpak.StoreIoException.class, store::close);
      assertTrue(e.getMessage().contains("every event is durable"), e.getMessage());
      assertTrue(e.getMessage().contains("sealing " + seg), e.getMessage());
      assertEquals(seg.getFileName() + "@" + framesEnd, fs.failedWriteAt.get());
    }
    assertTrue(Files.size(seg) > framesEnd, "half a seal was written");
    assertFalse(Files.exists(dir.resolve("index.ckpt")), "no checkpoint after a failed seal");
    try (Store store = StoreFixtures.open(dir)) {
      io.batpak.OpenReport.TornTail torn = store.openReport().tornTail().orElseThrow();
      assertEquals(framesEnd, torn.offset());
      assertTrue(torn.truncated());
      assertEquals(framesEnd, Files.size(seg));
      StoreFixtures.assertIntact(store, acked);
      acked.add(store.append(C, KIND, Bytes.utf8("after")));
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertTrue(store.openReport().tornTail().isEmpty());
      assertEquals(
          io.batpak.OpenReport.IndexSource.CHECKPOINT, store.openReport().indexLoad().source());
      StoreFixtures.assertIntact(store, acked);
    }
  }

  @Test
  void aFailedFsyncOfTheSegmentARotationSealsPoisons() throws Exception {
    long max = 4096;
    StoreConfig.Builder b = StoreConfig.builder(dir).segmentMaxBytes(max);
    Bytes filler = Bytes.ofOwned(new byte[900]);
    List<AppendReceipt> acked = new ArrayList<>();
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(b.fs(fs).build());
      AppendReceipt r = store.append(C, KIND, filler);
      acked.add(r);
      while (StoreFixtures.frame(store, r).offset() + 2L * StoreFixtures.frame(store, r).length()
          <= max) {
        r = store.append(C, KIND, filler);
        acked.add(r);
      }
      // The next append rotates; the fsync that seals segment 1 fails.
      fs.failNextSync.set(true);
      assertThrows(OutcomeUnknownException.class, () -> store.append(C, KIND, filler));
      assertEquals(1, fs.failedSyncs.get());
      assertThrows(OutcomeUnknownException.class, () -> store.append(C, KIND, filler));
      StoreFixtures.assertIntact(store, acked);
      StoreFixtures.close(store, true);
    }
    try (Store store = Store.open(b.fs(null).build())) {
      StoreFixtures.assertIntact(store, acked);
      assertTrue(store.stats().eventCount() <= acked.size() + 1);
      acked.add(store.append(C, KIND, Bytes.utf8("after reopen")));
    }
    try (Store store = Store.open(b.fs(null).build())) {
      assertTrue(store.openReport().tornTail().isEmpty());
      StoreFixtures.assertIntact(store, acked);
    }
  }

  @Test
  void aFailedCadenceFsyncInVisibleModePoisonsToo() throws Exception {
    List<AppendReceipt> acked = new ArrayList<>();
    try (FaultyFs fs = new FaultyFs()) {
      Store store =
          Store.open(
              StoreConfig.builder(dir).fs(fs).visible(1, java.time.Duration.ofHours(1)).build());
      acked.addAll(appendMany(store, 5, "ok "));
      fs.failNextSync.set(true);
      Object first;
      try {
        first = store.append(C, KIND, Bytes.utf8("its cadence fsync fails"));
      } catch (OutcomeUnknownException e) {
        first = e;
      }
      // In VISIBLE mode the append may return before its cadence fsync has run (the committer
      // thread may be the one that syncs), so wait for the pipeline to end before counting.
      assertThrows(
          io.batpak.StoreClosedException.class,
          () -> store.waitFor(io.batpak.Watermark.DURABLE, 10, java.time.Duration.ofSeconds(30)));
      assertEquals(1, fs.failedSyncs.get());
      assertThrows(OutcomeUnknownException.class, () -> store.append(C, KIND, Bytes.utf8("x")));
      StoreFixtures.assertIntact(store, acked);
      if (first instanceof AppendReceipt r) {
        assertTrue(store.verifyReceipt(r).isValid());
      }
      // The failed cadence fsync covered at least one event that was already visible: close says
      // that its durability is unknown, with the global sequence.
      long written = store.watermarks().written();
      long durable = store.watermarks().durable();
      OutcomeUnknownException closing = assertThrows(OutcomeUnknownException.class, store::close);
      assertTrue(
          closing.getMessage().contains(durable + " to " + (written - 1) + " were written but"),
          closing.getMessage());
      // Close cut those events away (their fsync failed: fsyncgate); every event the durable
      // watermark covered survives the reopen.
      acked.removeIf(r -> r.globalSequence() >= durable);
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertTrue(store.openReport().tornTail().isEmpty());
      StoreFixtures.assertIntact(store, acked);
      assertEquals(acked.size(), store.stats().eventCount());
    }
  }
}
