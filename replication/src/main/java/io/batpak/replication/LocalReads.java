package io.batpak.replication;

import io.batpak.AncestorWalk;
import io.batpak.AppendReceipt;
import io.batpak.AppliedHandle;
import io.batpak.CauseWalk;
import io.batpak.CopyReport;
import io.batpak.CorrelationId;
import io.batpak.Cursor;
import io.batpak.CursorHandler;
import io.batpak.CursorWorker;
import io.batpak.CursorWorkerConfig;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.Freshness;
import io.batpak.OpenReport;
import io.batpak.Projection;
import io.batpak.ProjectionCacheStats;
import io.batpak.ProjectionResult;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreStats;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.Subscription;
import io.batpak.SubscriptionOptions;
import io.batpak.ValidationException;
import io.batpak.VerificationProgress;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The reads of a {@link ReplicatedStore}: every one is served by the member's local store, as it
 * has applied the Raft log so far (ADR 0037: "Reads and writes"). A member that stopped or closed
 * refuses them, through {@link #local()}. A snapshot install replaces the local store (ADR 0038): a
 * read in progress waits for the new one ({@link #waitFor}), and the readers that live on (cursors,
 * cursor workers and reactors, subscriptions) move to it ({@link MemberCursor}, {@link
 * MemberCursorWorker}, {@link MemberSubscription}).
 */
abstract class LocalReads implements Store {

  /**
   * This member's local store.
   *
   * @throws ReplicaStoppedException if the state machine stopped the member
   * @throws io.batpak.StoreClosedException if the member is closed
   */
  abstract Store local();

  @Override
  public StoredEvent get(EventId id) {
    return local().get(id);
  }

  @Override
  public <T> T get(EventId id, Class<T> type) {
    return local().get(id, type);
  }

  @Override
  public List<EventHeader> queryAfter(Region region, long afterGlobalSequence, int limit) {
    return local().queryAfter(region, afterGlobalSequence, limit);
  }

  @Override
  public List<EventHeader> stream(String entity) {
    return local().stream(entity);
  }

  @Override
  public List<EventHeader> stream(String entity, long fromStreamSequence, int limit) {
    return local().stream(entity, fromStreamSequence, limit);
  }

  @Override
  public List<StoredEvent> streamEvents(String entity, long fromStreamSequence, int limit) {
    return local().streamEvents(entity, fromStreamSequence, limit);
  }

  @Override
  public Optional<EventHeader> latest(String entity) {
    return local().latest(entity);
  }

  @Override
  public ReceiptVerification verifyReceipt(AppendReceipt receipt) {
    return local().verifyReceipt(receipt);
  }

  @Override
  public StoreVerification verifyAll(VerificationProgress progress) {
    return local().verifyAll(progress);
  }

  @Override
  public StoreStats stats() {
    return local().stats();
  }

  @Override
  public Watermarks watermarks() {
    return local().watermarks();
  }

  @Override
  public void waitFor(Watermark watermark, long globalSequence, Duration timeout) {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.isNegative()) { // before the deadline, which a negative timeout would move back
      throw new ValidationException(
          "waitFor needs a timeout >= 0 (Duration.ZERO to check without waiting), got " + timeout);
    }
    long deadline = Waits.deadline(System.nanoTime(), timeout);
    Store s = local();
    while (true) {
      try {
        s.waitFor(
            watermark, globalSequence, Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
        return;
      } catch (io.batpak.StoreClosedException e) {
        // A snapshot install replaced the local store (ADR 0038): wait on the new one.
        Store now = local();
        if (now == s) {
          throw e;
        }
        s = now;
      }
    }
  }

  /** Syncs this member's local journal (the Raft log is durable on its own). */
  @Override
  public void sync() {
    local().sync();
  }

  @Override
  public OpenReport openReport() {
    return local().openReport();
  }

  @Override
  public StoreConfig config() {
    return local().config();
  }

  @Override
  public CopyReport snapshot(Path dest) {
    return local().snapshot(dest);
  }

  @Override
  public CopyReport fork(Path dest) {
    return local().fork(dest);
  }

  @Override
  public AncestorWalk walkAncestors(EventId id, int limit) {
    return local().walkAncestors(id, limit);
  }

  @Override
  public CauseWalk walkCauses(EventId id) {
    return local().walkCauses(id);
  }

  @Override
  public List<EventHeader> consequences(EventId id) {
    return local().consequences(id);
  }

  @Override
  public List<EventHeader> correlated(CorrelationId id, long afterGlobalSequence, int limit) {
    return local().correlated(id, afterGlobalSequence, limit);
  }

  @Override
  public <S> ProjectionResult<S> project(
      String entity, Projection<S> projection, Freshness freshness) {
    return local().project(entity, projection, freshness);
  }

  @Override
  public <S> ProjectionResult<S> project(Region region, Projection<S> projection) {
    return local().project(region, projection);
  }

  @Override
  public <S> Optional<ProjectionResult<S>> projectIfChanged(
      String entity, Projection<S> projection, long lastSeen) {
    return local().projectIfChanged(entity, projection, lastSeen);
  }

  @Override
  public ProjectionCacheStats projectionCacheStats() {
    return local().projectionCacheStats();
  }

  @Override
  public Cursor cursor(Region region) {
    return new MemberCursor(this::local, region, null);
  }

  @Override
  public Cursor cursor(Region region, String checkpointId) {
    return new MemberCursor(this::local, region, checkpointId);
  }

  @Override
  public CursorWorker cursorWorker(
      Region region, String checkpointId, CursorWorkerConfig config, CursorHandler handler) {
    return new MemberCursorWorker(this::local, region, checkpointId, config, handler);
  }

  @Override
  public AppliedHandle consumer(String name) {
    return local().consumer(name);
  }

  @Override
  public Subscription subscribe(Region region, SubscriptionOptions options) {
    return new MemberSubscription(this::local, region, null, options);
  }

  @Override
  public Subscription subscribeFrom(
      Region region, long afterGlobalSequence, SubscriptionOptions options) {
    return new MemberSubscription(this::local, region, afterGlobalSequence, options);
  }

  @Override
  public <T> T decode(StoredEvent event, Class<T> type) {
    return local().decode(event, type);
  }
}
