package io.batpak.engine.internal.commit;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Durability;
import io.batpak.EventId;
import io.batpak.IdempotencyConflictException;
import io.batpak.OutcomeUnknownException;
import io.batpak.QueueFullPolicy;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoreFullException;
import io.batpak.StoreTimeoutException;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.NoSpaceException;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The commit pipeline (DESIGN.md decisions 1, 2 and 5). Producers queue {@link Pending} appends;
 * one committer takes everything queued (up to {@link StoreConfig#maxGroupEvents()}), checks
 * idempotency keys and then expected versions, assigns sequences, chains hashes, encodes every
 * frame into one buffer, writes it with one positional write per segment touched, syncs once, and
 * only then, in {@link Durability#DURABLE} mode, makes the events visible and completes the
 * appends.
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

  private final StoreConfig config;
  private final Index index;
  private final Journal journal;
  private final Progress progress;
  private final Executor completions;
  private final StoreClock clock;
  private final String codecName;
  private final Blake3 blake3 = new Blake3();
  private final GroupWriter writer;
  private final ReentrantLock commitLock = new ReentrantLock();

  private final ReentrantLock queueLock = new ReentrantLock();
  private final Condition notEmpty = queueLock.newCondition();
  private final Condition notFull = queueLock.newCondition();
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  private boolean closing;

  /** Set once, under {@link #queueLock}, together with draining the queue. */
  private volatile StoreException poison;

  /** The group being committed, so a close that times out can fail it. */
  private volatile List<Pending> inFlight = List.of();

  private volatile long eventsSinceSync;
  private volatile long lastSyncNanos;
  private long writtenCount;
  private Thread thread;
  private boolean threadEnded;
  private Runnable onStopped;

  /** Creates the pipeline; call {@link #start} unless the store is deterministic. */
  public Committer(
      StoreConfig config,
      Index index,
      Journal journal,
      Progress progress,
      Executor completions,
      String codecName) {
    this.config = config;
    this.index = index;
    this.journal = journal;
    this.progress = progress;
    this.completions = completions;
    this.clock = config.clock();
    this.codecName = codecName;
    this.writer = new GroupWriter(config, journal, codecName);
    this.lastSyncNanos = clock.monoNanos();
    this.writtenCount = index.size();
  }

  /** Starts the committer thread (threaded mode). */
  public void start(String name) {
    thread = new Thread(this::run, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** The failure that poisoned the pipeline, or null. */
  public StoreException poison() {
    return poison;
  }

  /**
   * Queues {@code p}. In deterministic mode the caller then commits everything queued itself.
   *
   * @throws StoreClosedException if the store is closing
   * @throws OutcomeUnknownException if the pipeline is poisoned
   * @throws StoreTimeoutException if the queue stays full
   */
  public void submit(Pending p) {
    queueLock.lock();
    try {
      long nanos =
          config.queueFullPolicy() == QueueFullPolicy.BLOCK
              ? config.queueFullTimeout().toNanos()
              : 0;
      // The poison check and the enqueue happen under one lock that poisoning also takes to drain
      // the queue, so no append can slip in after the drain and wait for a committer that is gone.
      checkPoison();
      while (queue.size() >= config.queueCapacity() && !closing && poison == null) {
        if (nanos <= 0) {
          throw new StoreTimeoutException(
              "the commit queue is full ("
                  + config.queueCapacity()
                  + " appends waiting) and stayed full for "
                  + config.queueFullTimeout()
                  + "; nothing was queued. Slow down, raise queueCapacity, or use"
                  + " QueueFullPolicy.BLOCK with a longer timeout.");
        }
        try {
          nanos = clock.awaitNanos(notFull, nanos);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new OutcomeUnknownException(
              "interrupted while waiting for room in the commit queue; the append was not"
                  + " queued and nothing was written",
              e);
        }
      }
      checkPoison();
      if (closing) {
        throw new StoreClosedException("the store is closing; the append was not queued");
      }
      queue.add(p);
      notEmpty.signal();
    } finally {
      queueLock.unlock();
    }
    if (thread == null) {
      commitLock.lock();
      try {
        commitQueued();
      } finally {
        commitLock.unlock();
      }
    }
  }

  private void checkPoison() {
    StoreException e = poison;
    if (e != null) {
      throw new OutcomeUnknownException(
          "the store is poisoned by an earlier write or fsync failure and accepts no more"
              + " appends; close and reopen it (reads still work). Cause: "
              + e.getMessage(),
          e);
    }
  }

  /** Deterministic mode: commits everything queued, then applies VISIBLE mode's cadence. */
  private void commitQueued() {
    List<Pending> group;
    while (!(group = take()).isEmpty()) {
      commitGuarded(group);
    }
    maybeCadenceSync(false);
  }

  /** Takes the next group. Only ever called with {@link #commitLock} held. */
  private List<Pending> take() {
    queueLock.lock();
    try {
      List<Pending> group = new ArrayList<>();
      int events = 0;
      while (!queue.isEmpty()) {
        int n = queue.peek().drafts().size();
        if (!group.isEmpty() && events + n > config.maxGroupEvents()) {
          break;
        }
        group.add(queue.poll());
        events += n;
      }
      if (!group.isEmpty()) {
        notFull.signalAll();
      }
      return group;
    } finally {
      queueLock.unlock();
    }
  }

  /**
   * Waits until there is work: something queued, or VISIBLE mode's sync interval ran out. The
   * deadline is recomputed on every wake-up from the state the last commit left.
   *
   * @return false when the pipeline is closing (or poisoned) and nothing is queued: time to stop
   */
  private boolean awaitWork() throws InterruptedException {
    queueLock.lock();
    try {
      while (queue.isEmpty() && !closing && poison == null) {
        long nanos = syncIntervalRemaining();
        if (nanos == Long.MAX_VALUE) {
          notEmpty.await();
        } else if (nanos <= 0) {
          return true;
        } else {
          clock.awaitNanos(notEmpty, nanos);
        }
      }
      return !queue.isEmpty() && poison == null;
    } finally {
      queueLock.unlock();
    }
  }

  private long syncIntervalRemaining() {
    if (config.durability() == Durability.DURABLE || eventsSinceSync == 0) {
      return Long.MAX_VALUE;
    }
    return config.visibleSyncInterval().toNanos() - (clock.monoNanos() - lastSyncNanos);
  }

  /** Runs when the committer thread ends, or now if it has ended (or never ran). */
  public void whenStopped(Runnable action) {
    synchronized (this) {
      if (thread != null && !threadEnded) {
        onStopped = action;
        return;
      }
    }
    action.run();
  }

  private void run() {
    try {
      commitLoop();
    } finally {
      Runnable action;
      synchronized (this) {
        threadEnded = true;
        action = onStopped;
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
        gatherStragglers(lastGroup, lastCommitNanos);
        if (!awaitWork() && (poison != null || isClosingAndEmpty())) {
          return;
        }
        long started = clock.monoNanos();
        List<Pending> group;
        commitLock.lock();
        try {
          group = take();
          if (!group.isEmpty()) {
            commitGuarded(group);
          }
          maybeCadenceSync(group.isEmpty());
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
  private void commitGuarded(List<Pending> group) {
    inFlight = group;
    try {
      commitGroup(group);
    } catch (Throwable t) {
      OutcomeUnknownException e = unexpected(t);
      poison(e);
      for (Pending p : group) {
        p.fail(e, completions);
      }
    } finally {
      inFlight = List.of();
    }
  }

  private OutcomeUnknownException unexpected(Throwable t) {
    LOG.log(System.Logger.Level.ERROR, "the batpak committer failed unexpectedly", t);
    return new OutcomeUnknownException(
        "the commit failed unexpectedly ("
            + t
            + "): the outcome of the appends in flight is unknown and the store is poisoned."
            + " Close and reopen it; retry appends with their idempotency keys.",
        t);
  }

  /**
   * After a group of {@code expected} appends whose producers were all waiting on it, gives those
   * producers a moment (at most a quarter of the last commit's time, and 200 µs) to queue their
   * next appends, so the next group is about as large as the last one instead of taking only the
   * first arrival. Durable mode only, where every group costs an fsync.
   */
  private void gatherStragglers(int expected, long commitNanos) {
    if (expected < 2 || config.durability() != Durability.DURABLE) {
      return;
    }
    long deadline = clock.monoNanos() + Math.min(commitNanos / 4, 200_000);
    while (clock.monoNanos() < deadline) {
      queueLock.lock();
      try {
        if (closing || poison != null || queue.size() >= expected) {
          return;
        }
      } finally {
        queueLock.unlock();
      }
      Thread.yield();
    }
  }

  private boolean isClosingAndEmpty() {
    queueLock.lock();
    try {
      return closing && queue.isEmpty();
    } finally {
      queueLock.unlock();
    }
  }

  private void maybeCadenceSync(boolean idle) {
    if (config.durability() != Durability.VISIBLE || eventsSinceSync == 0 || poison != null) {
      return;
    }
    boolean due =
        eventsSinceSync >= config.visibleSyncEveryEvents()
            || clock.monoNanos() - lastSyncNanos >= config.visibleSyncInterval().toNanos()
            || (idle && isClosingAndEmpty());
    if (due) {
      syncLocked();
    }
  }

  /**
   * Makes everything written durable.
   *
   * @throws OutcomeUnknownException if the fsync fails (the pipeline is then poisoned)
   */
  public void sync() {
    commitLock.lock();
    try {
      checkPoison();
      syncLocked();
    } finally {
      commitLock.unlock();
    }
  }

  /** Syncs the active segment; a failure poisons. Called with {@link #commitLock} held. */
  private void syncLocked() {
    long written = writtenCount;
    try {
      journal.sync();
    } catch (IOException e) {
      throw poisonWith("fsync of " + journal.path(journal.activeId()) + " failed", e);
    }
    eventsSinceSync = 0;
    lastSyncNanos = clock.monoNanos();
    progress.durable(written);
  }

  private OutcomeUnknownException poisonWith(String what, IOException e) {
    OutcomeUnknownException x =
        new OutcomeUnknownException(
            what
                + " ("
                + e.getMessage()
                + "): the outcome of the appends in flight is unknown and the store is poisoned."
                + " Close and reopen it; retry appends with their idempotency keys.",
            e);
    poison(x);
    return x;
  }

  /**
   * Poisons the pipeline (the first failure wins) and fails everything queued. Taking the queue
   * lock to do both is what keeps {@link #submit} from queueing an append nobody will commit.
   */
  private void poison(StoreException e) {
    List<Pending> queued;
    queueLock.lock();
    try {
      if (poison == null) {
        poison = e;
      }
      queued = new ArrayList<>(queue);
      queue.clear();
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      queueLock.unlock();
    }
    progress.end();
    if (config.durability() == Durability.DURABLE && commitLock.isHeldByCurrentThread()) {
      // fsyncgate: after a failed fsync the kernel may keep the written pages readable but clean,
      // so a later open in the same boot would accept them and an idempotent retry would call
      // them durable. In DURABLE mode nothing past the last synced size is visible: cut it now.
      // (VISIBLE mode's visible events stay readable until close, which cuts them then.)
      cutBackToSynced();
    }
    OutcomeUnknownException refused =
        new OutcomeUnknownException(
            "the store was poisoned while this append was queued; it was not written. Cause: "
                + poison.getMessage(),
            poison);
    for (Pending p : queued) {
      p.fail(refused, completions);
    }
  }

  /** The committer's tentative view of one stream's head within a group. */
  private static final class Head {
    long next;
    byte[] hash;

    Head(long next, byte[] hash) {
      this.next = next;
      this.hash = hash;
    }
  }

  /** A pending answered with the receipts of events in this group (a duplicate key). */
  private record Alias(Pending pending, List<EventRecord> sources) {}

  /** An append the group refused (a conflict, a limit), and why. */
  private record Refusal(Pending pending, StoreException reason) {}

  /** An event of this group written under an idempotency key, and its frame. */
  private record Keyed(EventRecord record, Frame frame) {}

  private void commitGroup(List<Pending> group) {
    if (poison != null) {
      for (Pending p : group) {
        p.fail(
            new OutcomeUnknownException("the store is poisoned: " + poison.getMessage(), poison),
            completions);
      }
      return;
    }
    long nextGlobal = index.size();
    Map<String, Head> heads = new HashMap<>();
    Map<Key, Keyed> groupKeys = new HashMap<>();
    List<Frame> frames = new ArrayList<>();
    List<Alias> aliases = new ArrayList<>();
    List<Refusal> refused = new ArrayList<>();
    for (Pending p : group) {
      try {
        // Idempotency first (decision 5), so a retry of a successful conditional append
        // returns the original receipt instead of failing its expectation.
        List<EventRecord> known = knownEvents(p, groupKeys);
        if (known != null) {
          boolean inGroup = false;
          for (EventRecord k : known) {
            inGroup |= k.globalSequence() >= index.size();
          }
          if (inGroup) {
            aliases.add(new Alias(p, known));
          } else {
            p.succeed(receiptsOf(known), completions);
          }
          continue;
        }
        if (nextGlobal + p.drafts().size() > Index.MAX_EVENTS) {
          throw new StoreFullException(
              "the store holds "
                  + nextGlobal
                  + " events and this append would pass the most one store can index ("
                  + Index.MAX_EVENTS
                  + "); nothing was written. Start a new store for new events.");
        }
        List<EventRecord> records = new ArrayList<>(p.drafts().size());
        Map<String, Head> local = new HashMap<>();
        for (Draft d : p.drafts()) {
          String entity = d.record().entity();
          Head head = local.get(entity);
          if (head == null) {
            Head h = heads.get(entity);
            if (h == null) {
              StreamState s = index.stream(entity);
              h =
                  s == null
                      ? new Head(0, FrameCodec.ZERO_HASH)
                      : new Head(s.nextSequence(), s.headHash());
            }
            head = new Head(h.next, h.hash);
            local.put(entity, head);
          }
          if (head.next >= Index.MAX_STREAM_EVENTS) {
            throw new io.batpak.ValidationException(
                "stream '"
                    + entity
                    + "' holds "
                    + head.next
                    + " events, the most one stream can hold; append to a new stream");
          }
          if (!d.expected().matches(head.next)) {
            throw new ConcurrencyConflictException(entity, d.expected().toString(), head.next);
          }
          EventRecord r = d.record();
          if (d.causedByItem() >= 0) {
            EventRecord cause = records.get(d.causedByItem());
            r =
                new EventRecord(
                    r.idHi(),
                    r.idLo(),
                    r.correlationHi(),
                    r.correlationLo(),
                    true,
                    cause.idHi(),
                    cause.idLo(),
                    r.entity(),
                    r.scope(),
                    r.kind(),
                    0,
                    0,
                    r.timestampMicros(),
                    r.payloadVersion(),
                    r.flags(),
                    r.extensionKeys(),
                    r.extensionValues(),
                    r.prevHash(),
                    r.contentHash(),
                    r.eventHash(),
                    r.payload());
          }
          long global = nextGlobal + records.size();
          EventRecord chained = r.withChain(head.next, global, head.hash, null);
          byte[] hash = FrameCodec.eventHash(blake3, head.hash, chained);
          chained = chained.withChain(head.next, global, head.hash, hash);
          records.add(chained);
          head.next++;
          head.hash = hash;
        }
        heads.putAll(local);
        Frame f = new Frame(p, records);
        frames.add(f);
        for (int i = 0; i < records.size(); i++) {
          if (p.drafts().get(i).keyed()) {
            EventRecord r = records.get(i);
            groupKeys.put(new Key(r.idHi(), r.idLo()), new Keyed(r, f));
          }
        }
        nextGlobal += records.size();
      } catch (StoreException e) {
        // Completed with the group, not now: the refusal may rest on events earlier in this
        // group (a key, a stream version) that are neither visible nor durable yet.
        refused.add(new Refusal(p, e));
      }
    }
    if (frames.isEmpty()) {
      refuse(refused, null);
      return;
    }
    long firstNew = index.size();
    progress.accepted(nextGlobal);
    long before = journal.activeSize();
    long segmentBefore = journal.activeId();
    try {
      writer.write(frames);
    } catch (NoSpaceException e) {
      failAll(frames, aliases, refused, deviceFull(e, before, segmentBefore, firstNew));
      return;
    } catch (GroupWriter.MustPoison e) {
      failAll(frames, aliases, refused, poisonWith(e.getMessage(), (IOException) e.getCause()));
      return;
    } catch (IOException e) {
      failAll(
          frames,
          aliases,
          refused,
          poisonWith("write to " + journal.path(journal.activeId()) + " failed", e));
      return;
    }
    writtenCount = nextGlobal;
    progress.written(nextGlobal);
    if (config.durability() == Durability.DURABLE) {
      try {
        syncLocked();
      } catch (OutcomeUnknownException e) {
        failAll(frames, aliases, refused, e);
        return;
      }
    } else {
      eventsSinceSync += nextGlobal - firstNew;
    }
    for (Frame f : frames) {
      for (int i = 0; i < f.records.size(); i++) {
        index.add(f.records.get(i), (int) f.segment, f.offset, f.length, f.recordOffsets[i]);
      }
    }
    index.publish();
    progress.visible(index.size());
    for (Frame f : frames) {
      List<AppendReceipt> receipts = new ArrayList<>(f.records.size());
      for (int i = 0; i < f.records.size(); i++) {
        receipts.add(receipt(f.records.get(i), f.segment, f.offset, f.length));
      }
      f.pending.succeed(receipts, completions);
    }
    for (Alias a : aliases) {
      List<AppendReceipt> receipts = new ArrayList<>();
      for (EventRecord r : a.sources()) {
        Keyed k = groupKeys.get(new Key(r.idHi(), r.idLo()));
        receipts.add(
            k == null
                ? receiptsOf(List.of(r)).get(0)
                : receipt(r, k.frame().segment, k.frame().offset, k.frame().length));
      }
      a.pending().succeed(receipts, completions);
    }
    refuse(refused, null);
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
    progress.retractAccepted(firstNew);
    return full;
  }

  private void failAll(
      List<Frame> frames, List<Alias> aliases, List<Refusal> refused, StoreException e) {
    for (Frame f : frames) {
      f.pending.fail(e, completions);
    }
    for (Alias a : aliases) {
      a.pending().fail(e, completions);
    }
    refuse(refused, e);
  }

  /**
   * Completes the appends the group refused: with their own refusal once the group committed (or
   * wrote nothing), or with the group's failure when it did not, since then the state a refusal
   * rested on may never have existed.
   */
  private void refuse(List<Refusal> refused, StoreException groupFailure) {
    for (Refusal r : refused) {
      r.pending().fail(groupFailure != null ? groupFailure : r.reason(), completions);
    }
  }

  /** Creates the first segment of a new store. */
  public void createFirstSegment(long id, long baseGlobal) throws IOException {
    writer.createFirstSegment(id, baseGlobal);
  }

  /** Events already committed (or earlier in this group) for a fully keyed append, or null. */
  private List<EventRecord> knownEvents(Pending p, Map<Key, Keyed> groupKeys) {
    int keyed = 0;
    List<EventRecord> known = new ArrayList<>();
    for (Draft d : p.drafts()) {
      if (!d.keyed()) {
        continue;
      }
      keyed++;
      EventRecord r = d.record();
      Keyed inGroup = groupKeys.get(new Key(r.idHi(), r.idLo()));
      EventRecord found = inGroup == null ? null : inGroup.record();
      if (found == null) {
        int row = index.findAdded(r.idHi(), r.idLo());
        if (row >= 0) {
          found = readRecord(row);
        }
      }
      if (found != null) {
        checkSameContent(r, found);
        known.add(found);
      }
    }
    if (known.isEmpty()) {
      return null;
    }
    if (known.size() != p.drafts().size() || keyed != p.drafts().size()) {
      throw new IdempotencyConflictException(
          "only "
              + known.size()
              + " of the "
              + p.drafts().size()
              + " events of this batch were committed before under their idempotency keys;"
              + " a batch is retried whole, with the same keys for the same items");
    }
    return known;
  }

  private static void checkSameContent(EventRecord attempt, EventRecord stored) {
    boolean same =
        attempt.entity().equals(stored.entity())
            && attempt.scope().equals(stored.scope())
            && attempt.kind() == stored.kind()
            && Arrays.equals(attempt.contentHash(), stored.contentHash());
    if (!same) {
      throw new IdempotencyConflictException(
          "idempotency key "
              + new EventId(attempt.idHi(), attempt.idLo())
              + " was already used for a different event (stored: "
              + stored.entity()
              + "@"
              + stored.scope()
              + " kind "
              + stored.kind()
              + " at global sequence "
              + stored.globalSequence()
              + "); the original stands. Use a new key for a different operation.");
    }
  }

  private EventRecord readRecord(int row) {
    Index.View v = index.view();
    if (row >= v.size()) {
      v = new Index.View(index.size(), v.columns());
    }
    try {
      byte[] frame = journal.readFrame(v.segment(row), v.frameOffset(row), v.frameLength(row));
      return FrameCodec.decodeRecord(frame, FrameCodec.PREFIX, v.recordOffset(row), row);
    } catch (IOException e) {
      throw new io.batpak.StoreIoException(
          "reading event at global sequence " + row + " failed: " + e.getMessage(), e);
    }
  }

  private List<AppendReceipt> receiptsOf(List<EventRecord> records) {
    List<AppendReceipt> out = new ArrayList<>(records.size());
    Index.View v = new Index.View(index.size(), index.view().columns());
    for (EventRecord r : records) {
      int row = (int) r.globalSequence();
      out.add(receipt(r, v.segment(row), v.frameOffset(row), v.frameLength(row)));
    }
    return out;
  }

  /**
   * The receipt of a stored event. A receipt holds no frame location (it must stay valid when
   * compaction moves frames): {@code segment}, {@code offset} and {@code length} are not used.
   */
  public static AppendReceipt receipt(EventRecord r, long segment, long offset, int length) {
    return new AppendReceipt(
        new EventId(r.idHi(), r.idLo()),
        r.globalSequence(),
        r.streamSequence(),
        Bytes.ofOwned(r.contentHash()),
        Bytes.ofOwned(r.eventHash()),
        Bytes.ofOwned(r.prevHash()),
        Bytes.empty());
  }

  /**
   * How {@link #close} ended.
   *
   * @param stopped whether the commit path stopped within the timeout (if not, the committer thread
   *     is stuck in an I/O call and still owns the journal)
   * @param syncFailure the failure of the final fsync, or null
   */
  public record Closed(boolean stopped, StoreException syncFailure) {}

  /**
   * Stops intake, commits what is queued within {@code timeoutNanos}, fails the rest (queued, and a
   * group stuck in an I/O call) with {@link OutcomeUnknownException}, and syncs. When it returns,
   * every append ever submitted is complete. A poisoned pipeline's active segment is cut back to
   * its last synced size, so bytes whose fsync failed, readable from the page cache but not durable
   * (fsyncgate), are not served by a later open in the same boot.
   */
  public Closed close(long timeoutNanos) {
    long deadline = clock.monoNanos() + timeoutNanos;
    queueLock.lock();
    try {
      closing = true;
      notEmpty.signalAll();
      notFull.signalAll();
    } finally {
      queueLock.unlock();
    }
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
    failQueued();
    StoreException syncFailure = null;
    boolean locked = false;
    try {
      locked = commitLock.tryLock(Math.max(0, deadline - clock.monoNanos()), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (locked) {
      try {
        if (poison == null) {
          try {
            syncLocked();
          } catch (OutcomeUnknownException e) {
            syncFailure = e;
          }
        }
        if (poison != null) {
          cutBackToSynced();
        }
      } finally {
        commitLock.unlock();
      }
    } else {
      stopped = false;
      OutcomeUnknownException stuck =
          new OutcomeUnknownException(
              "the store closed while this append's commit was stuck in an I/O call for longer"
                  + " than closeTimeout ("
                  + config.closeTimeout()
                  + "); it may or may not be in the journal");
      for (Pending p : inFlight) {
        p.fail(stuck, completions);
      }
    }
    progress.end();
    return new Closed(stopped, syncFailure);
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

  private boolean joinCommitter(long deadline) {
    while (thread.isAlive()) {
      long left = deadline - clock.monoNanos();
      if (left <= 0) {
        return false;
      }
      try {
        thread.join(Math.max(1, Math.min(left / 1_000_000, 50)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  private void failQueued() {
    List<Pending> rest;
    queueLock.lock();
    try {
      rest = new ArrayList<>(queue);
      queue.clear();
      notFull.signalAll();
    } finally {
      queueLock.unlock();
    }
    for (Pending p : rest) {
      p.fail(
          new OutcomeUnknownException(
              "the store closed before this queued append was committed; it was not written"),
          completions);
    }
  }

  /** A 128-bit id as a map key. */
  private record Key(long hi, long lo) {}
}
