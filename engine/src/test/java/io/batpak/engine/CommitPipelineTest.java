package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Durability;
import io.batpak.OutcomeUnknownException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreFullException;
import io.batpak.Watermark;
import io.batpak.port.NoSpaceException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The commit pipeline's contract under the threaded committer: per-thread order, the VISIBLE fsync
 * cadence, and that every failure (checked, unchecked, on a sync or a write) completes every append
 * and poisons where decision 2 (docs/architecture.md) says it must. Each test was written against a
 * defect of issue 8 and failed before its fix.
 */
class CommitPipelineTest {
  static final Coordinate C = Coordinate.of("e1", "s");

  @TempDir Path dir;

  /** VISIBLE mode over {@code fs} whose cadence never comes due: only explicit syncs sync. */
  private StoreConfig.Builder visibleWithoutCadence(FaultyFs fs) {
    return StoreConfig.builder(dir)
        .fs(fs)
        .durability(Durability.VISIBLE)
        .visible(1_000_000, Duration.ofHours(1));
  }

  /** Defect 7: one thread's appends commit in call order, whichever path commits them. */
  @Test
  void oneThreadsSubmitsAndAppendsCommitInCallOrder() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      for (int round = 0; round < 300; round++) {
        List<CompletableFuture<AppendReceipt>> submitted = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          submitted.add(store.submit(C, KIND, Bytes.utf8("s" + i), AppendOptions.defaults()));
        }
        AppendReceipt blocking = store.append(C, KIND, Bytes.utf8("b"));
        long previous = -1;
        for (int i = 0; i < submitted.size(); i++) {
          long g = submitted.get(i).get(30, TimeUnit.SECONDS).globalSequence();
          assertTrue(
              g > previous,
              "round " + round + ": submit #" + i + " landed at " + g + " after " + previous);
          previous = g;
        }
        assertTrue(
            blocking.globalSequence() > previous,
            "round "
                + round
                + ": the blocking append after four submits landed at "
                + blocking.globalSequence()
                + ", before submit #3 at "
                + previous);
      }
    }
  }

  /** Defect 3: VISIBLE mode syncs within its interval whichever thread committed. */
  @Test
  void visibleModeKeepsItsSyncIntervalAfterEveryAppend() {
    StoreConfig config =
        StoreConfig.builder(dir)
            .durability(Durability.VISIBLE)
            .visible(1_000_000, Duration.ofMillis(20))
            .build();
    try (Store store = Store.open(config)) {
      for (int i = 0; i < 40; i++) {
        AppendReceipt r = store.append(C, KIND, Bytes.utf8("v" + i));
        // Ten intervals is plenty; without the cadence the durable watermark never moves.
        store.waitFor(Watermark.DURABLE, r.globalSequence(), Duration.ofSeconds(10));
      }
    }
  }

  /** Defect 4: an fsync failing with ENOSPC (here during rotation) poisons; it is no full disk. */
  @Test
  void anFsyncFailingWithNoSpaceDuringRotationPoisons() throws Exception {
    try (FaultyFs fs = new FaultyFs()) {
      StoreConfig config = visibleWithoutCadence(fs).segmentMaxBytes(4096).build();
      Store store = Store.open(config);
      List<AppendReceipt> acked = new ArrayList<>();
      while (StoreFixtures.segments(dir).size() == 1) {
        acked.add(store.append(C, KIND, Bytes.utf8("x".repeat(300))));
      }
      store.sync();
      long durable = store.watermarks().durable();
      fs.nextSyncThrows.set(
          new NoSpaceException(
              StoreFixtures.segment(dir, 2).toString(), "injected ENOSPC from fsync"));
      // Fill segment 2 so that the next append rotates, and fsyncs segment 2 first.
      Throwable failed = null;
      for (int i = 0; i < 100 && failed == null; i++) {
        try {
          store.append(C, KIND, Bytes.utf8("y".repeat(300)));
        } catch (RuntimeException e) {
          failed = e;
        }
      }
      assertInstanceOf(OutcomeUnknownException.class, failed, "a failed fsync is never disk full");
      assertThrows(OutcomeUnknownException.class, store::sync);
      assertEquals(durable, store.watermarks().durable(), "durable moved over a failed fsync");
      assertThrows(OutcomeUnknownException.class, store::close);
    }
  }

  /** Defect 4, the other half: a full device on a write is still the disk-full path. */
  @Test
  void aWriteThatRunsOutOfSpaceIsStillStoreFull() throws Exception {
    try (FaultyFs fs = new FaultyFs();
        Store store = Store.open(StoreConfig.builder(dir).fs(fs).build())) {
      store.append(C, KIND, Bytes.utf8("before"));
      fs.noSpaceInWrites.set(1);
      assertThrows(StoreFullException.class, () -> store.append(C, KIND, Bytes.utf8("full")));
      assertEquals(1, store.watermarks().accepted(), "the accepted watermark was rolled back");
      AppendReceipt after = store.append(C, KIND, Bytes.utf8("after"));
      assertEquals(1, after.globalSequence());
    }
  }

  /** Defect 5: close() reports a failed final fsync instead of returning normally. */
  @Test
  void closeThrowsWhenItsFinalFsyncFails() throws Exception {
    try (FaultyFs fs = new FaultyFs()) {
      StoreConfig config = visibleWithoutCadence(fs).build();
      Store store = Store.open(config);
      store.append(C, KIND, Bytes.utf8("a"));
      store.append(C, KIND, Bytes.utf8("b"));
      fs.failNextSync.set(true);
      OutcomeUnknownException e = assertThrows(OutcomeUnknownException.class, store::close);
      assertTrue(
          e.getMessage().contains("0 to 1"),
          "the message names the events whose durability is unknown: " + e.getMessage());
      // Everything was released all the same: the directory opens again.
      Store.open(StoreConfig.builder(dir).build()).close();
    }
  }

  /** Defect 6: an unchecked throwable in the committer completes every append it held. */
  @Test
  void anUncheckedBackendFailureCompletesEveryFutureAndPoisons() throws Exception {
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(StoreConfig.builder(dir).fs(fs).build());
      store.append(C, KIND, Bytes.utf8("ok"));
      fs.nextWriteThrows.set(new IllegalStateException("injected backend bug"));
      CompletableFuture<AppendReceipt> f =
          store.submit(C, KIND, Bytes.utf8("hit"), AppendOptions.defaults());
      Throwable t = StoreFixtures.failureOf(f);
      assertInstanceOf(OutcomeUnknownException.class, t);
      assertThrows(OutcomeUnknownException.class, () -> store.append(C, KIND, Bytes.utf8("x")));
      try {
        store.close();
      } catch (OutcomeUnknownException expected) {
        // the store was poisoned; close may say so
      }
      assertTrue(f.isDone());
    }
  }

  /** Defect 6 on a blocking append: the appender gets a typed exception, not the raw throwable. */
  @Test
  void anUncheckedBackendFailureReachesABlockingAppenderTyped() throws Exception {
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(StoreConfig.builder(dir).fs(fs).build());
      store.append(C, KIND, Bytes.utf8("ok"));
      fs.nextWriteThrows.set(new OutOfMemoryError("injected: growing the group buffer"));
      assertThrows(OutcomeUnknownException.class, () -> store.append(C, KIND, Bytes.utf8("hit")));
      CompletableFuture<AppendReceipt> later;
      try {
        later = store.submit(C, KIND, Bytes.utf8("later"), AppendOptions.defaults());
        assertInstanceOf(OutcomeUnknownException.class, StoreFixtures.failureOf(later));
      } catch (OutcomeUnknownException refused) {
        // refused at the door: as good
      }
      try {
        store.close();
      } catch (OutcomeUnknownException expected) {
        // the store was poisoned; close may say so
      }
    }
  }

  /** Defect 15: a failure names the operation and the path that failed, not the segment write. */
  @Test
  void aFailedDirectoryFsyncDuringRotationIsNamedAsSuch() throws Exception {
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(StoreConfig.builder(dir).fs(fs).segmentMaxBytes(4096).build());
      fs.failNextDirectorySync.set(true);
      OutcomeUnknownException e = null;
      for (int i = 0; i < 100 && e == null; i++) {
        try {
          store.append(C, KIND, Bytes.utf8("z".repeat(300)));
        } catch (OutcomeUnknownException x) {
          e = x;
        }
      }
      assertTrue(e != null, "the rotation's directory fsync failed, so an append must fail");
      assertTrue(
          e.getMessage().startsWith("creating segment " + StoreFixtures.segment(dir, 2) + " failed")
              && e.getMessage().contains("fsync of directory " + dir),
          e.getMessage());
      OutcomeUnknownException closing = assertThrows(OutcomeUnknownException.class, store::close);
      assertTrue(
          closing.getMessage().contains("no acknowledged event is affected"), closing.getMessage());
    }
  }

  /**
   * Suspected in issue 8 (fsyncgate in the same boot): after a failed fsync the pages may stay
   * readable, so a later open would serve the failed group and an idempotent retry would call it
   * durable. The poisoned store cuts it away at once.
   */
  @Test
  void aFailedFsyncCutsTheUnsyncedGroupAwaySoARetryCommitsItAfresh() throws Exception {
    io.batpak.IdempotencyKey key = io.batpak.IdempotencyKey.of(7, 7);
    AppendOptions keyed = AppendOptions.defaults().withIdempotencyKey(key);
    long synced;
    try (FaultyFs fs = new FaultyFs()) {
      Store store = Store.open(StoreConfig.builder(dir).fs(fs).build());
      for (int i = 0; i < 3; i++) {
        store.append(C, KIND, Bytes.utf8("ok " + i));
      }
      synced = java.nio.file.Files.size(StoreFixtures.segment(dir, 1));
      fs.failNextSync.set(true);
      assertThrows(
          OutcomeUnknownException.class, () -> store.append(C, KIND, Bytes.utf8("lost"), keyed));
      assertEquals(
          synced, java.nio.file.Files.size(StoreFixtures.segment(dir, 1)), "the group was cut");
      assertThrows(OutcomeUnknownException.class, store::close);
    }
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(3, store.stats().eventCount());
      AppendReceipt retried = store.append(C, KIND, Bytes.utf8("lost"), keyed);
      assertEquals(3, retried.globalSequence(), "the retry commits afresh, and durably");
    }
  }
}
