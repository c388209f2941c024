package io.batpak.engine.internal.commit;

import io.batpak.Durability;
import io.batpak.FenceActiveException;
import io.batpak.FenceCancelledException;
import io.batpak.OutcomeUnknownException;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoreFullException;
import io.batpak.StoreListener;
import io.batpak.StoreTimeoutException;
import io.batpak.engine.internal.fence.Fence;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FenceFrame;
import io.batpak.engine.internal.gate.AtomicGates;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.engine.internal.sign.GroupSigner;
import io.batpak.port.NoSpaceException;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The commit pipeline (docs/architecture.md, decisions 1, 2 and 5), as an orchestrator over its
 * rooms: the {@link CommitQueue} holds appends in call order; the {@link Sequencer} answers
 * retries, refuses what fails its checks and places the rest in the chains; the {@link GroupWriter}
 * encodes one buffer and writes it, the {@link Journal} rotating segments as they fill; the {@link
 * SyncPolicy} says when to sync; the index then makes the group visible, the {@link
 * WatermarkTracker} moves, and every append completes. A failure trips the {@link PoisonLatch}.
 *
 * <p>There is one commit path (ADR 0005). In threaded mode a dedicated committer thread is the only
 * one that takes appends from the queue; in deterministic mode the appending thread commits
 * whatever is queued itself. Either way appends are taken only while the commit lock is held, so
 * they commit in queue order, which is each thread's call order. Futures complete on the completion
 * executor, never on a committing thread.
 *
 * <p>A failed write or sync, and any unchecked throwable on the commit path, poisons the pipeline:
 * the group in flight, everything queued and every later append fail with {@link
 * OutcomeUnknownException}; reads keep working. A full device on a write is the one exception: the
 * segment is cut back to its last whole frame and the group fails with {@link StoreFullException}.
 * A sync is never a full device, whatever its errno says.
 */
public final class Committer {
  private static final System.Logger LOG = System.getLogger(Committer.class.getName());

  /** How often close looks again for a commit in progress to end. */
  private static final long LOCK_POLL_NANOS = ClockWaits.SLICE_NANOS;

  private final StoreConfig config;
  private final StoreClock clock;
  private final Index index;
  private final Journal journal;
  private final WatermarkTracker watermarks;
  private final Executor completions;
  private final PoisonLatch latch = new PoisonLatch();
  private final CommitQueue queue;
  private final Sequencer sequencer;
  private final GroupWriter writer;
  private final SyncPolicy syncPolicy;
  private final CheckpointCadence checkpoints;
  private final ReentrantLock commitLock = new ReentrantLock();

  /** The group being committed, so a close that times out can fail it. */
  private volatile List<AppendRequest> inFlight = List.of();

  /** Global sequences written so far; what a sync makes durable. */
  private long written;

  /** Global sequences the last sync made durable; for the listener's watermark reports. */
  private long durable;

  /** Told of groups, fsyncs, queue depth and watermarks (ADR 0034); guarded by the opener. */
  private volatile StoreListener listener = StoreListener.none();

  /** The open visibility fence, or null (ADR 0015). Changed with the commit lock held. */
  private volatile Fence openFence;

  /** Told of each cancelled fence, after its cancel frame is durable. */
  private volatile FenceListener fenceListener = () -> {};

  /**
   * Reports groups, fsyncs, queue depth and watermarks to {@code listener}, on the committing
   * thread with the commit lock held; the caller guards it ({@code ListenerGuard}), so it never
   * throws here.
   */
  public void reportTo(StoreListener listener) {
    this.listener = listener;
  }

  /** Told when a fence was cancelled (its cancel frame durable), with the commit lock held. */
  @FunctionalInterface
  public interface FenceListener {
    /** A fence was cancelled; the index holds the new cancelled ranges. */
    void cancelled();
  }

  private Thread thread;
  private final ReentrantLock lifecycle = new ReentrantLock();

  private final Condition threadEndedSignal = lifecycle.newCondition();
  private boolean threadEnded;
  private Runnable onStopped;

  /** Creates the pipeline; call {@link #start} unless the store is deterministic. */
  public Committer(
      StoreConfig config,
      Index index,
      Journal journal,
      EventReader reader,
      WatermarkTracker watermarks,
      Executor completions,
      Checkpoints checkpoints) {
    this.config = config;
    this.checkpoints = new CheckpointCadence(config, journal, index, checkpoints);
    this.clock = config.clock();
    this.index = index;
    this.journal = journal;
    this.watermarks = watermarks;
    this.completions = completions;
    this.queue = new CommitQueue(config, latch);
    this.sequencer = // atomic gates: on a gate thread unless deterministic (ADR 0018)
        new Sequencer(
            index,
            reader,
            new AtomicGates(config, index, reader, !config.deterministic(), "batpak-gate"));
    this.writer = new GroupWriter(config, journal, index);
    this.syncPolicy = new SyncPolicy(config);
    this.written = index.size();
    this.durable = written;
  }

  /** Writes the index checkpoint of the whole index. */
  @FunctionalInterface
  public interface Checkpoints {
    /**
     * Writes a checkpoint of every event in the index to its temporary file, with the commit path
     * quiet (the image is read from the live index); the returned step publishes it (fsync, rename,
     * directory sync) and needs no commit lock.
     */
    Publication stage() throws IOException;
  }

  /** The second half of a checkpoint: {@link Checkpoints#stage}'s file made the checkpoint. */
  @FunctionalInterface
  public interface Publication {
    /** Syncs the staged file and renames it over the checkpoint. */
    void publish() throws IOException;
  }

  /** Starts the committer thread (threaded mode). */
  public void start(String name) {
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** The failure that poisoned the pipeline, or null. */
  public StoreException poison() {
    return latch.cause();
  }

  /**
   * Refuses {@code what} (an append, a sync, a fence, a compaction, a copy) when an atomic gate of
   * this store, or its fold, runs on the calling thread: it would wait for the commit that waits
   * for the gate (threaded mode, where the gated append was denied {@code GATE_TIMEOUT} at its
   * budget and the call then went ahead behind its back), or run inside that commit (deterministic
   * mode).
   *
   * @throws IllegalStateException then; nothing was done, and the gate, having thrown, is denied
   *     {@code GATE_DEFECT}
   */
  public void refuseFromAGate(String what) {
    if (sequencer.gates().runningOnThisThread()) {
      throw new IllegalStateException(
          what
              + " from an atomic gate (or its fold) would wait for the commit that waits for the"
              + " gate; nothing was done. A gate decides from its context alone and never calls the"
              + " store (docs/gates.md); call it after the gated append returns instead");
    }
  }

  /**
   * Queues {@code request}. In deterministic mode the caller then commits everything queued itself.
   *
   * @throws StoreClosedException if the store is closing
   * @throws OutcomeUnknownException if the pipeline is poisoned
   * @throws StoreTimeoutException if the queue stays full
   * @throws IllegalStateException if called from an atomic gate or its fold, or on the thread that
   *     is committing (from a {@link StoreListener} report): the append would wait for the commit
   *     that runs it (threaded mode) or nest a commit inside it; nothing is queued
   */
  public void submit(AppendRequest request) {
    refuseFromAGate("an append");
    if (commitLock.isHeldByCurrentThread()) {
      throw new IllegalStateException(
          "an append from the thread that is committing (a StoreListener report, or an atomic"
              + " gate in deterministic mode) would wait for the very commit that runs it; nothing"
              + " was written. Hand the append to another thread (an executor) instead, or append"
              + " after the call that triggered the report returns");
    }
    queue.submit(request);
    if (thread == null) {
      commitLock.lock();
      try {
        commitQueued();
      } finally {
        commitLock.unlock();
      }
    }
  }

  /** Signs each group's receipts (ADR 0019), or null: set before the first append. */
  private volatile GroupSigner signing;

  /** Sets who signs each group's receipts (ADR 0019); before the first append. */
  public void signWith(GroupSigner signer) {
    this.signing = signer;
  }

  /** Sets what is told when a fence is cancelled (the visibility-ranges checkpoint). */
  public void onFenceCancelled(FenceListener listener) {
    this.fenceListener = listener;
  }

  /** The open fence, or null. */
  public Fence openFence() {
    return openFence;
  }

  /**
   * Opens a visibility fence: commits everything queued first (so appends submitted before this
   * call precede the fence), then writes a fence-begin frame and holds the watermarks at the next
   * global sequence.
   *
   * @throws FenceActiveException if a fence is open
   * @throws OutcomeUnknownException if the pipeline is poisoned or the write failed (it poisons)
   * @throws StoreClosedException if the store is closing
   */
  public Fence beginFence() {
    refuseFromAGate("beginFence()");
    commitLock.lock();
    try {
      latch.check();
      queue.checkOpen();
      commitQueuedGroups();
      latch.check();
      if (openFence != null) {
        throw fenceActive(openFence);
      }
      long first = index.size();
      writeFenceFrame(FenceFrame.TYPE_BEGIN, first, 0);
      Fence f = new Fence(first);
      index.beginFence();
      watermarks.hold(first);
      openFence = f;
      return f;
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Commits {@code f}: commits everything queued (its appends among them), writes the fence-commit
   * frame, syncs it in DURABLE mode, then makes the whole fence visible in one step and completes
   * its held futures.
   *
   * @throws FenceCancelledException if {@code f} is not open
   * @throws OutcomeUnknownException if the pipeline is poisoned or a write or sync failed
   */
  public void commitFence(Fence f) {
    refuseFromAGate("a fence's commit()");
    commitLock.lock();
    try {
      if (f.state() != Fence.State.OPEN) {
        throw notOpen(f, "commit");
      }
      latch.check();
      commitQueuedGroups();
      latch.check();
      long end = index.size();
      writeFenceFrame(FenceFrame.TYPE_COMMIT, f.first(), (int) (end - f.first()));
      if (config.durability() == Durability.DURABLE) {
        syncLocked();
      }
      index.commitFence();
      index.publish();
      openFence = null;
      watermarks.release(index.size());
      f.committed();
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Cancels {@code f}: commits everything queued (its appends among them, so each gets its answer),
   * writes the fence-cancel frame naming its range and syncs it, then records the range as
   * cancelled, moves the watermarks past it and fails the held futures with {@link
   * FenceCancelledException}. A fence the poisoned pipeline failed already stays failed (a reopen
   * cancels it); an ended fence is left alone.
   *
   * @throws FenceCancelledException if {@code f} was committed
   * @throws OutcomeUnknownException if a write or sync failed
   */
  public void cancelFence(Fence f) {
    refuseFromAGate("a fence's cancel()");
    commitLock.lock();
    try {
      if (f.state() == Fence.State.COMMITTED) {
        throw notOpen(f, "cancel");
      }
      if (f.state() != Fence.State.OPEN || f != openFence) {
        return;
      }
      if (latch.isTripped()) {
        f.ended(Fence.State.FAILED, latch.refusalOfGroup());
        return;
      }
      commitQueuedGroups();
      if (latch.isTripped()) {
        f.ended(Fence.State.FAILED, latch.refusalOfGroup());
        return;
      }
      cancelLocked(f);
    } finally {
      commitLock.unlock();
    }
  }

  /** Writes and syncs the cancel frame of the open fence {@code f}, then cancels it in memory. */
  private void cancelLocked(Fence f) {
    long end = index.size();
    writeFenceFrame(FenceFrame.TYPE_CANCEL, f.first(), (int) (end - f.first()));
    syncLocked();
    index.cancelFence();
    index.publish();
    openFence = null;
    watermarks.written(end);
    watermarks.release(index.size());
    f.ended(
        Fence.State.CANCELLED,
        new FenceCancelledException(
            "the visibility fence of global sequences "
                + f.first()
                + " to "
                + (end - 1)
                + " was cancelled"
                + (end == f.first() ? " (it held no event)" : "")
                + "; its events are never visible. Append them again to store them."));
    notifyCancelled();
  }

  /**
   * On open: writes and syncs a cancel frame for the fence a crash left open, which recovery
   * cancelled in memory (global sequences {@code first} to {@code end - 1}), so the journal says so
   * before anything is appended after it.
   *
   * @throws OutcomeUnknownException if the write or the sync failed
   */
  public void cancelAbandonedFence(long first, long end) {
    commitLock.lock();
    try {
      latch.check();
      writeFenceFrame(FenceFrame.TYPE_CANCEL, first, (int) (end - first));
      syncLocked();
      notifyCancelled();
    } finally {
      commitLock.unlock();
    }
  }

  private void notifyCancelled() {
    try {
      fenceListener.cancelled();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "recording the cancelled ranges failed; the journal's fence frames still hold them",
          e);
    }
  }

  private void writeFenceFrame(int type, long first, int count) {
    try {
      writer.writeFence(type, first, count);
    } catch (Journal.RotationFailed e) {
      throw poisonWith(e.getMessage(), e.getCause());
    } catch (IOException e) {
      throw poisonWith(
          "writing a " + FenceFrame.name(type) + " frame to " + journal.path(journal.activeId()),
          e);
    } catch (RuntimeException | Error e) {
      OutcomeUnknownException x = unexpected(e);
      poison(x);
      throw x;
    }
    if (!syncPolicy.syncsEveryGroup()) {
      syncPolicy.written(0);
    }
  }

  private static FenceActiveException fenceActive(Fence f) {
    return new FenceActiveException(
        "a visibility fence is open (its first global sequence is "
            + f.first()
            + "); ordinary appends and a second beginFence() are refused until it is committed"
            + " or cancelled. Append through the fence, or commit or close it first.");
  }

  private static FenceCancelledException notOpen(Fence f, String what) {
    FenceCancelledException e =
        new FenceCancelledException(
            "cannot "
                + what
                + " the visibility fence that began at global sequence "
                + f.first()
                + ": it is "
                + f.state().name().toLowerCase(java.util.Locale.ROOT)
                + ", no longer open. Begin a new fence.");
    if (f.failure() != null) {
      e.initCause(f.failure());
    }
    return e;
  }

  /** Commits every queued group, with the commit lock held (any thread, either mode). */
  private void commitQueuedGroups() {
    List<AppendRequest> group;
    while (!(group = queue.take()).isEmpty()) {
      commitGuarded(group);
    }
  }

  /** Deterministic mode: commits everything queued, then applies VISIBLE mode's cadence. */
  private void commitQueued() {
    List<AppendRequest> group;
    while (!(group = queue.take()).isEmpty()) {
      commitGuarded(group);
    }
    maybeCadenceSync(false);
    maybeCheckpoint();
  }

  /** Runs when the committer thread ends, or now if it has ended (or never ran). */
  public void whenStopped(Runnable action) {
    lifecycle.lock();
    try {
      if (thread != null && !threadEnded) {
        onStopped = action;
        return;
      }
    } finally {
      lifecycle.unlock();
    }
    action.run();
  }

  private void run() {
    try {
      commitLoop();
    } finally {
      Runnable action;
      lifecycle.lock();
      try {
        threadEnded = true;
        action = onStopped;
        threadEndedSignal.signalAll();
      } finally {
        lifecycle.unlock();
      }
      if (action != null) {
        action.run();
      }
    }
  }

  private void commitLoop() {
    int lastGroup = 0;
    long lastCommitNanos = 0;
    try {
      while (true) {
        if (syncPolicy.gathersStragglers()) {
          queue.gatherStragglers(lastGroup, lastCommitNanos);
        }
        if (!queue.awaitWork(syncPolicy::nanosUntilDue)
            && (latch.isTripped() || queue.isClosingAndEmpty())) {
          return;
        }
        long started = clock.monoNanos();
        List<AppendRequest> group;
        commitLock.lock();
        try {
          group = queue.take();
          if (!group.isEmpty()) {
            commitGuarded(group);
          }
          maybeCadenceSync(group.isEmpty());
          maybeCheckpoint();
        } finally {
          commitLock.unlock();
        }
        lastGroup = group.size();
        lastCommitNanos = clock.monoNanos() - started;
      }
    } catch (InterruptedException e) {
      poison(
          new OutcomeUnknownException(
              "the committer thread was interrupted; appends in flight have an unknown outcome",
              e));
    } catch (OutcomeUnknownException poisoned) {
      // A cadence fsync failed: syncLocked poisoned the pipeline already. Nothing left to do.
    } catch (Throwable t) {
      poison(unexpected(t));
    }
  }

  /**
   * Commits {@code group}, turning anything unchecked that escapes (a backend's {@code
   * RuntimeException}, an {@code OutOfMemoryError} growing the buffer) into poison, so every append
   * of the group still completes.
   */
  private void commitGuarded(List<AppendRequest> group) {
    inFlight = group;
    try {
      commitGroup(group);
    } catch (Throwable t) {
      OutcomeUnknownException e = unexpected(t);
      poison(e);
      for (AppendRequest r : group) {
        r.fail(e, completions);
      }
    } finally {
      inFlight = List.of();
    }
  }

  /** The poison for {@code t}; logged (with {@code t} as its cause) when it trips the latch. */
  private static OutcomeUnknownException unexpected(Throwable t) {
    return PoisonLatch.unexpected(t);
  }

  /**
   * One group, in the order of "One append, room by room" in {@code docs/architecture.md}:
   * sequence, write, sync (DURABLE), make visible, complete. Nothing becomes visible before it is
   * written, and in DURABLE mode before it is synced.
   */
  private void commitGroup(List<AppendRequest> all) {
    if (latch.isTripped()) {
      for (AppendRequest r : all) {
        r.fail(latch.refusalOfGroup(), completions);
      }
      return;
    }
    List<AppendRequest> group = admitted(all);
    if (group.isEmpty()) {
      return;
    }
    SequencedGroup g = sequencer.sequence(group);
    g.answerEarlierRetries(completions, signing);
    if (g.frames().isEmpty()) {
      g.succeed(completions, signing);
      return;
    }
    if (signing != null && syncPolicy.syncsEveryGroup()) {
      g.startSigning(signing); // signed while the group is written and synced (ADR 0019)
    }
    watermarks.accepted(g.endGlobal());
    StoreException failure = write(g);
    if (failure == null && syncPolicy.syncsEveryGroup()) {
      failure = trySync();
    }
    if (failure != null) {
      g.fail(failure, completions);
      return;
    }
    makeVisible(g);
    report(g); // before the appends complete: an append that returned was reported
    g.succeed(completions, signing);
  }

  /** One report per group: its size, the queue it was taken from, the watermarks after it. */
  private void report(SequencedGroup g) {
    StoreListener l = listener;
    if (l == StoreListener.none()) {
      return;
    }
    long bytes = 0;
    List<GroupFrame> frames = g.frames();
    for (int j = 0; j < frames.size(); j++) { // indexed: no iterator per group
      bytes += frames.get(j).length;
    }
    l.queueDepth(queue.depthAtTake());
    l.groupCommitted((int) (g.endGlobal() - g.firstGlobal()), bytes);
    l.watermarks(written, durable, index.visible());
  }

  /**
   * The appends of {@code all} that may commit now, failing the others: while a fence is open only
   * its own appends ({@link FenceActiveException} for the rest); with none open, no append made
   * under a fence ({@link FenceCancelledException}: its fence has ended).
   */
  private List<AppendRequest> admitted(List<AppendRequest> all) {
    Fence open = openFence;
    List<AppendRequest> ok = null;
    for (int i = 0; i < all.size(); i++) {
      AppendRequest r = all.get(i);
      Fence f = r.fence();
      StoreException refusal = null;
      if (f != open) {
        refusal = f == null ? fenceActive(open) : notOpen(f, "append under");
      }
      if (refusal != null) {
        if (ok == null) {
          ok = new ArrayList<>(all.subList(0, i));
        }
        r.fail(refusal, completions);
      } else if (ok != null) {
        ok.add(r);
      }
    }
    return ok == null ? all : ok;
  }

  /** Writes the group; returns why it failed (a full device, or poison), or null. */
  private StoreException write(SequencedGroup g) {
    long before = journal.activeSize();
    long segmentBefore = journal.activeId();
    try {
      writer.write(g.frames());
    } catch (NoSpaceException e) {
      return deviceFull(e, before, segmentBefore, g.firstGlobal());
    } catch (Journal.RotationFailed e) {
      return poisonWith(e.getMessage(), e.getCause());
    } catch (IOException e) {
      return poisonWith("write to " + journal.path(journal.activeId()) + " failed", e);
    }
    written = g.endGlobal();
    watermarks.written(written);
    if (!syncPolicy.syncsEveryGroup()) {
      syncPolicy.written(g.endGlobal() - g.firstGlobal());
    }
    return null;
  }

  private StoreException trySync() {
    try {
      syncLocked();
      return null;
    } catch (OutcomeUnknownException e) {
      return e;
    }
  }

  private void makeVisible(SequencedGroup g) {
    List<GroupFrame> frames = g.frames();
    for (int j = 0; j < frames.size(); j++) { // indexed: no iterator per group
      GroupFrame f = frames.get(j);
      for (int i = 0; i < f.records.size(); i++) {
        EventRecord r = f.records.get(i);
        index.add(r, (int) f.segment, f.offset, f.length, f.recordOffsets[i]);
      }
    }
    if (openFence != null) {
      return; // a fence's events become visible when it commits, all at once
    }
    index.publish();
    watermarks.visible(index.size());
  }

  /**
   * A write ran out of space. Without a rotation in this group, nothing of it is durable or
   * visible: cut the segment back to where the group began, give its sequence numbers back, and
   * fail the group with {@link StoreFullException}. After a rotation, frames of the group already
   * sit, synced, in the previous segment, so the group can no longer be called not committed.
   */
  private StoreException deviceFull(
      NoSpaceException e, long before, long segmentBefore, long firstNew) {
    if (journal.activeId() != segmentBefore) {
      return poisonWith("the device filled up after a segment rotation", e);
    }
    StoreFullException full =
        new StoreFullException(
            "the device is full while writing "
                + journal.path(journal.activeId())
                + "; the segment was cut back to its last whole frame and nothing of this"
                + " append was committed. Free space and retry.",
            e);
    try {
      if (journal.activeSize() >= before) {
        journal.truncateActive(before);
      }
    } catch (IOException t) {
      full.addSuppressed(t);
      return poisonWith(
          "cutting " + journal.path(journal.activeId()) + " back after a full device failed", t);
    }
    watermarks.retractAccepted(firstNew);
    return full;
  }

  private void maybeCadenceSync(boolean idle) {
    if (!latch.isTripped() && syncPolicy.cadenceDue(idle && queue.isClosingAndEmpty())) {
      syncLocked();
    }
  }

  /**
   * Writes the index checkpoint when one is due ({@link CheckpointCadence#due}), unless the
   * pipeline is poisoned, a fence is open or a compaction's checkpoint is in flight (it is due
   * again next turn). Everything is synced first, so the checkpoint covers only durable events. A
   * failed checkpoint is logged and costs only a slower open; a failed sync poisons as always.
   */
  private void maybeCheckpoint() {
    if (latch.isTripped()
        || openFence != null
        || !checkpoints.due()
        || !checkpoints.lock().tryLock()) {
      return;
    }
    try {
      syncLocked();
      Publication staged = checkpoints.stage();
      if (staged != null) {
        CheckpointCadence.publish(staged);
      }
    } finally {
      checkpoints.lock().unlock();
    }
  }

  /**
   * Writes the index checkpoint now, as {@link #maybeCheckpoint} does when it is due (compaction
   * asks for one after it removed the old one, so the next open stays fast). The commit path pauses
   * only while the image is written to the temporary file (memory speed, into the page cache); its
   * fsync, rename and directory sync run after appends resumed. Writes nothing when the index ends
   * in a cancelled event (a checkpoint must end at an event that anchors it). A failed checkpoint
   * is logged; a failed sync poisons.
   */
  public void checkpointNow() {
    checkpoints.lock().lock();
    try {
      Publication staged = null;
      commitLock.lock();
      try {
        latch.check();
        // A checkpoint ends at an event that is not cancelled, whose hash anchors it (as the
        // cadence and a clean close check): after a cancelled fence there is none to write until
        // the next append.
        if (checkpoints.endsAtAnchor()) {
          syncLocked();
          staged = checkpoints.stage();
        }
      } finally {
        commitLock.unlock();
      }
      if (staged != null) {
        CheckpointCadence.publish(staged);
      }
    } finally {
      checkpoints.lock().unlock();
    }
  }

  /**
   * Runs {@code action} while no checkpoint is staged or published: a compaction removes the
   * checkpoint of the segments it replaces and switches to its output inside, so no checkpoint of
   * the old layout can be published after the switch.
   */
  public <T> T withoutCheckpoints(QuietAction<T> action) throws IOException {
    checkpoints.lock().lock();
    try {
      return action.run();
    } finally {
      checkpoints.lock().unlock();
    }
  }

  /**
   * Makes everything written durable.
   *
   * @throws OutcomeUnknownException if the fsync fails (the pipeline is then poisoned)
   */
  public void sync() {
    refuseFromAGate("sync()");
    commitLock.lock();
    try {
      latch.check();
      syncLocked();
    } finally {
      commitLock.unlock();
    }
  }

  /** An action run with the commit lock held ({@link #whileQuiet}). */
  @FunctionalInterface
  public interface QuietAction<T> {
    /** Runs it. */
    T run() throws IOException;
  }

  /**
   * Runs {@code action} with the commit lock held, so no group is sequenced or written meanwhile
   * (compaction switches the index to new segments this way).
   *
   * @throws io.batpak.StoreException if the store is poisoned
   */
  public <T> T whileQuiet(QuietAction<T> action) throws IOException {
    commitLock.lock();
    try {
      latch.check();
      return action.run();
    } finally {
      commitLock.unlock();
    }
  }

  /**
   * Makes everything written durable and then runs {@code cut} with the commit path quiet: no group
   * is written, no segment rotates and nothing is synced while it runs, so it sees the journal at
   * one watermark (every segment whole, the active one synced to its end). For the snapshot and
   * fork cut ({@code internal/copy}); {@code cut} must only read and must be quick.
   *
   * @throws OutcomeUnknownException if the store is poisoned, or the fsync fails (which poisons)
   */
  public <T> T durableCut(java.util.function.Supplier<T> cut) {
    commitLock.lock();
    try {
      latch.check();
      syncLocked();
      return cut.get();
    } finally {
      commitLock.unlock();
    }
  }

  /** Syncs the active segment; a failure poisons. Called with {@link #commitLock} held. */
  private void syncLocked() {
    long upTo = written;
    StoreListener l = listener;
    boolean report = l != StoreListener.none(); // without a listener, no clock read
    long started = report ? clock.monoNanos() : 0;
    try {
      journal.sync();
    } catch (IOException e) {
      throw poisonWith("fsync of " + journal.path(journal.activeId()) + " failed", e);
    }
    syncPolicy.synced();
    watermarks.durable(upTo);
    durable = upTo;
    if (report) {
      l.synced(clock.monoNanos() - started);
      l.watermarks(written, upTo, index.visible());
    }
  }

  private OutcomeUnknownException poisonWith(String what, IOException e) {
    OutcomeUnknownException x = PoisonLatch.ioFailure(what, e);
    poison(x);
    return x;
  }

  /**
   * Poisons the pipeline (the first failure wins) and fails everything queued, in one step under
   * the queue's lock, so {@link #submit} cannot queue an append nobody will commit.
   */
  private void poison(StoreException e) {
    List<AppendRequest> queued = queue.poison(e);
    Fence f = openFence;
    if (f != null) {
      f.ended(Fence.State.FAILED, e);
    }
    watermarks.end();
    if (config.durability() == Durability.DURABLE && commitLock.isHeldByCurrentThread()) {
      // fsyncgate: after a failed fsync the kernel may keep the written pages readable but clean,
      // so a later open in the same boot would accept them and an idempotent retry would call
      // them durable. In DURABLE mode nothing past the last synced size is visible: cut it now.
      // (VISIBLE mode's visible events stay readable until close, which cuts them then.)
      cutBackToSynced();
    }
    for (AppendRequest r : queued) {
      r.fail(latch.refusalOfQueued(), completions);
    }
  }

  /**
   * How {@link #close} ended.
   *
   * @param stopped whether the commit path stopped within the timeout (if not, the committer thread
   *     is stuck in an I/O call and still owns the journal)
   * @param syncFailure the failure of the final fsync, or null
   * @param sealFailure the failure of sealing the active segment or writing the index checkpoint
   *     after a clean final sync, or null (the journal holds every event either way)
   */
  public record Closed(boolean stopped, StoreException syncFailure, IOException sealFailure) {}

  /**
   * Stops intake, commits what is queued within {@code timeoutNanos}, fails the rest (queued, and a
   * group stuck in an I/O call) with {@link OutcomeUnknownException}, and syncs. When it returns,
   * every append ever submitted is complete. A poisoned pipeline's active segment is cut back to
   * its last synced size, so bytes whose fsync failed, readable from the page cache but not durable
   * (fsyncgate), are not served by a later open in the same boot.
   */
  public Closed close(long timeoutNanos) {
    long deadline = clock.monoNanos() + timeoutNanos;
    queue.close();
    boolean stopped = true;
    if (thread != null) {
      if (Thread.currentThread() != thread) {
        stopped = joinCommitter(deadline);
      }
    } else {
      commitLock.lock();
      try {
        commitQueued();
      } finally {
        commitLock.unlock();
      }
    }
    for (AppendRequest r : queue.drain()) {
      r.fail(
          new OutcomeUnknownException(
              "the store closed before this queued append was committed; it was not written"),
          completions);
    }
    sequencer.gates().close(); // the idle gate thread ends (ADR 0018)
    StoreException syncFailure = null;
    IOException sealFailure = null;
    if (lockCommitsBy(deadline)) {
      try {
        Fence f = openFence;
        if (f != null && !latch.isTripped()) {
          try {
            cancelLocked(f); // closing cancels an open fence (its cancel frame is synced)
          } catch (OutcomeUnknownException e) {
            syncFailure = e;
          }
        }
        if (!latch.isTripped()) {
          syncFailure = trySync();
        }
        if (latch.isTripped()) {
          cutBackToSynced();
        } else if (stopped) {
          sealFailure = sealAndCheckpoint();
        }
      } finally {
        commitLock.unlock();
      }
    } else {
      stopped = false;
      failStuckGroup();
    }
    watermarks.end();
    return new Closed(stopped, syncFailure, sealFailure);
  }

  /**
   * On a clean close: seals the active segment (if it holds a frame), then writes the index
   * checkpoint (if the store holds an event), so the next open loads both without reading frames.
   *
   * @return the failure, or null
   */
  private IOException sealAndCheckpoint() {
    String step = "sealing " + journal.path(journal.activeId());
    try {
      byte[] seal =
          journal.activeHasFrames() && !journal.activeSealed()
              ? Seals.ofActive(index, journal, List.of())
              : null;
      if (seal != null) {
        journal.seal(seal);
      }
      if (checkpoints.endsAtAnchor()) {
        step = "writing the index checkpoint";
        checkpoints.writeNow();
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return new IOException(step + " failed: " + e.getMessage(), e);
    }
  }

  /** Fails every append of the group stuck in an I/O call (the first completion wins). */
  private void failStuckGroup() {
    OutcomeUnknownException stuck =
        new OutcomeUnknownException(
            "the store closed while this append's commit was stuck in an I/O call for longer"
                + " than closeTimeout ("
                + config.closeTimeout()
                + "); it may or may not be in the journal");
    for (AppendRequest r : inFlight) {
      r.fail(stuck, completions);
    }
  }

  private void cutBackToSynced() {
    try {
      journal.truncateActive(journal.syncedSize());
    } catch (IOException | RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "could not cut "
              + journal.path(journal.activeId())
              + " back to its last synced size "
              + journal.syncedSize()
              + " after the store was poisoned: until a power loss, an open in this boot may read"
              + " bytes whose fsync failed",
          e);
    }
  }

  /** Waits, on the store's clock, until the committer thread has ended or {@code deadline}. */
  private boolean joinCommitter(long deadline) {
    return ClockWaits.awaitUntil(clock, lifecycle, threadEndedSignal, () -> threadEnded, deadline);
  }

  /**
   * Takes the commit lock, waiting on the store's clock until {@code deadline} for a commit in
   * progress (an appending thread's, in deterministic mode) to end.
   *
   * @return whether the lock is now held
   */
  private boolean lockCommitsBy(long deadline) {
    while (!commitLock.tryLock()) {
      long left = deadline - clock.monoNanos();
      if (left <= 0) {
        return false;
      }
      try {
        clock.sleepNanos(Math.min(left, LOCK_POLL_NANOS));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }
}
