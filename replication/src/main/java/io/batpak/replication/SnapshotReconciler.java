package io.batpak.replication;

import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.util.LifeCycle;
import org.jspecify.annotations.Nullable;

/**
 * A member's local store, kept level with the member's latest snapshot (ADR 0038). It opens the
 * store at start, finishing or undoing a swap a crash interrupted and installing the snapshot when
 * the journal holds fewer events; and it replaces the store by a snapshot fetched from the leader
 * (ADR 0043). Each open gives {@link EntryApplier} the journal's place and head ({@link
 * EntryApplier#openedAt}, {@link EntryApplier#reachedSnapshot}) and Ratis the snapshot's applied
 * index. {@link BatpakStateMachine} delegates its start, {@link BatpakStateMachine#pause} and
 * {@link BatpakStateMachine#reinitialize} here.
 *
 * <p>Threads: {@link #open} runs on Ratis's start thread (the state machine's {@code initialize}),
 * {@link #reinitialize} on Ratis's apply thread, {@link #pause} on the Ratis thread that takes the
 * leader's notice of a fetched snapshot (ADR 0043), and {@link #store} on any thread: while a
 * snapshot replaces the store, it waits for the new one. The swap's state is guarded by {@code
 * swap}.
 */
final class SnapshotReconciler {
  private static final System.Logger LOG = System.getLogger(SnapshotReconciler.class.getName());

  private final String memberId;
  private final StoreConfig storeConfig;
  private final MemberSnapshots storage;
  private final EntryApplier applier;
  private final LifeCycle lifeCycle;
  private final Consumer<TermIndex> setLastApplied;
  private final UnaryOperator<ReplicaStoppedException> stop;
  private final AtomicLong snapshotsInstalled = new AtomicLong();
  private volatile @Nullable Store store;
  private final Object swap = new Object();
  private boolean installing; // guarded by swap

  /**
   * @param lifeCycle the state machine's, paused while snapshots arrive and resumed after a load
   * @param setLastApplied sets Ratis's applied index of the state machine (to a snapshot's)
   * @param stop stops the member for good ({@link BatpakStateMachine#stop}) and returns the reason
   */
  SnapshotReconciler(
      String memberId,
      StoreConfig storeConfig,
      MemberSnapshots storage,
      EntryApplier applier,
      LifeCycle lifeCycle,
      Consumer<TermIndex> setLastApplied,
      UnaryOperator<ReplicaStoppedException> stop) {
    this.memberId = memberId;
    this.storeConfig = storeConfig;
    this.storage = storage;
    this.applier = applier;
    this.lifeCycle = lifeCycle;
    this.setLastApplied = setLastApplied;
    this.stop = stop;
  }

  /**
   * Opens the store at start, level with the member's latest snapshot ({@link #openReconciled}).
   */
  void open() throws IOException {
    openReconciled(false);
  }

  /**
   * Opens the local store and brings it level with the latest snapshot (ADR 0038): first finishes
   * or undoes a swap a crash interrupted; then, when the journal holds fewer events than the
   * snapshot, replaces the store by the snapshot's; when it holds as many or more, keeps it after
   * checking that it holds the snapshot's newest event (a different one stops the member). Sets the
   * journal index, head, clock and Ratis's applied index from what it opened.
   *
   * @param received whether the snapshot was just fetched from the leader: the fetch checked every
   *     file against its CRC and synced it ({@link SnapshotFetch}), so it is not read again; a
   *     snapshot found at start is checked and synced before it is installed
   */
  private void openReconciled(boolean received) throws IOException {
    Path dir = storeConfig.directory();
    if (storeConfig.fs().isEmpty()) {
      String recovered = SnapshotInstall.recoverSwap(dir);
      if (recovered != null) {
        LOG.log(System.Logger.Level.WARNING, "member {0}: {1} ({2})", memberId, recovered, dir);
      }
    }
    MemberSnapshots.Snapshot snap = storage.latest();
    Store s = openStore();
    if (snap != null) {
      ReplicaHead mine = applier.head();
      if (mine.nextGlobalSequence() < snap.head().nextGlobalSequence()) {
        s.close();
        if (!received) {
          SnapshotInstall.verifyAndSync(snap);
        }
        SnapshotInstall.installInto(snap, dir);
        s = openStore();
        snapshotsInstalled.incrementAndGet();
        LOG.log(
            System.Logger.Level.INFO,
            "member {0}: installed snapshot {1} (Raft index {2}, {3} events) into {4}, replacing a"
                + " journal of {5} events",
            memberId,
            snap.dir(),
            snap.index(),
            snap.head().nextGlobalSequence(),
            dir,
            mine.nextGlobalSequence());
      } else if (mine.nextGlobalSequence() > snap.head().nextGlobalSequence()) {
        // Normal after a restart (the member applied entries after its own latest snapshot);
        // unusual for a snapshot from the leader, which Ratis sends only past the commit index.
        LOG.log(
            received ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
            "member {0}: its journal ({1} events, through Raft index {2}) is ahead of snapshot {3}"
                + " ({4} events); it keeps its journal, and entries up to index {2} are skipped",
            memberId,
            mine.nextGlobalSequence(),
            applier.journalIndex(),
            snap.dir(),
            snap.head().nextGlobalSequence());
      }
      checkHolds(s, snap);
      applier.reachedSnapshot(snap.index(), snap.head());
      setLastApplied.accept(snap.termIndex());
    }
    this.store = s;
    LOG.log(
        System.Logger.Level.INFO,
        "member {0}: local store open at {1}, journal holds Raft entries through index {2}{3}",
        memberId,
        applier.head().nextGlobalSequence(),
        applier.journalIndex(),
        snap == null ? "" : ", latest snapshot at index " + snap.index());
  }

  /**
   * Opens the store at its directory; the applier reads the journal's place, head and clock from it
   * ({@link EntryApplier#openedAt}).
   */
  private Store openStore() {
    ReplicaClock c = new ReplicaClock(0);
    Store s = Store.open(storeConfig.toBuilder().clock(c).deterministic(true).build());
    applier.openedAt(s, c);
    return s;
  }

  /**
   * Stops loudly unless {@code s} holds the snapshot's newest event, with the same hash. A journal
   * that holds later events but not that one had it dropped by a replicated compaction after the
   * snapshot (global sequences have no gaps otherwise: a replicated store opens no fences), and no
   * read returns a dropped event: it is not checked then.
   */
  private void checkHolds(Store s, MemberSnapshots.Snapshot snap) {
    long n = snap.head().nextGlobalSequence();
    if (n == 0) {
      return;
    }
    List<EventHeader> at = s.queryAfter(Region.all(), n - 2, 1);
    if (!at.isEmpty() && at.get(0).globalSequence() > n - 1) {
      LOG.log(
          System.Logger.Level.INFO,
          "member {0}: a compaction dropped event {1}, the newest of snapshot {2}; its hash is not"
              + " checked",
          memberId,
          n - 1,
          snap.dir());
      return;
    }
    Bytes hash = at.isEmpty() ? null : at.get(0).eventHash();
    if (hash == null
        || at.get(0).globalSequence() != n - 1
        || !hash.equals(snap.head().lastEventHash())) {
      s.close();
      throw new ReplicaStoppedException(
          "member "
              + memberId
              + " diverged from snapshot "
              + snap.dir()
              + ": the snapshot's event "
              + (n - 1)
              + " has hash "
              + snap.head().lastEventHash().toHex()
              + " but the local store "
              + storeConfig.directory()
              + (hash == null ? " has no such event" : " holds hash " + hash.toHex())
              + "; the member does not start. Rebuild it from a healthy member.");
    }
  }

  /** Ratis's pause, right before it asks for the reload of a snapshot this member fetched. */
  void pause() {
    synchronized (swap) {
      if (lifeCycle.getCurrentState() == LifeCycle.State.RUNNING) {
        lifeCycle.transition(LifeCycle.State.PAUSING);
        lifeCycle.transition(LifeCycle.State.PAUSED);
      }
    }
  }

  /**
   * Waits until no snapshot is being installed. A fetch answers Ratis only then ({@link
   * BatpakStateMachine#notifyInstallSnapshotFromLeader}): Ratis's request to reload a second
   * snapshot while the first one still loads would be lost (it marks the first reload done after
   * it), and the member would wait for entries its leader has purged.
   */
  void awaitNoInstall() throws InterruptedException {
    synchronized (swap) {
      while (installing) {
        swap.wait();
      }
    }
  }

  /**
   * Called by Ratis on its apply thread after this member fetched a snapshot from the leader into
   * the state-machine directory: closes the local store, re-reads the snapshots, and opens the
   * store level with the newest one ({@link #openReconciled}).
   */
  void reinitialize() throws IOException {
    synchronized (swap) {
      installing = true;
    }
    try {
      reload();
    } finally {
      synchronized (swap) {
        installing = false;
        swap.notifyAll();
        lifeCycle.transition(LifeCycle.State.STARTING);
        lifeCycle.transition(LifeCycle.State.RUNNING);
      }
    }
  }

  /**
   * Loads the newest snapshot in the state-machine directory: the one just fetched, or a newer one
   * a fetch published meanwhile (ADR 0043). Nothing removes a snapshot while this runs (old ones
   * are removed on this apply thread, or by a snapshot build, which the state machine waits for
   * before it calls this), so a snapshot that fails to load stops the member.
   */
  private void reload() throws IOException {
    Store old = store;
    if (old != null) {
      old.close();
    }
    MemberSnapshots.Snapshot before = storage.latest();
    MemberSnapshots.Snapshot now = storage.reload();
    if (now == null) {
      throw stop.apply(
          new ReplicaStoppedException(
              "member "
                  + memberId
                  + " was told to load a snapshot from the leader, but its state-machine"
                  + " directory holds no valid snapshot (had "
                  + (before == null ? "none" : before.dir())
                  + "); it stops. Rebuild it from a healthy member."));
    }
    try {
      openReconciled(true);
    } catch (ReplicaStoppedException e) {
      throw stop.apply(e);
    } catch (IOException | RuntimeException e) {
      throw stop.apply(
          new ReplicaStoppedException(
              "member "
                  + memberId
                  + " could not load snapshot "
                  + now.dir()
                  + " from the leader and stops: "
                  + e,
              e));
    }
  }

  /** How many snapshots this member installed into its store since it started. */
  long snapshotsInstalled() {
    return snapshotsInstalled.get();
  }

  /**
   * The local store; present once Ratis initialized this state machine. While a snapshot from the
   * leader replaces it ({@link #reinitialize}), callers wait for the new one.
   */
  Store store() {
    synchronized (swap) {
      while (installing) {
        try {
          swap.wait();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new StoreClosedException(
              "interrupted while member " + memberId + " installs a snapshot");
        }
      }
    }
    Store s = store;
    if (s == null) {
      throw new IllegalStateException("member " + memberId + " has not started its store yet");
    }
    return s;
  }

  /** The local store as it is now, without waiting for an install; null before the first open. */
  @Nullable Store storeNow() {
    return store;
  }
}
