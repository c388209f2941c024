package io.batpak.engine.internal;

import io.batpak.AncestorWalk;
import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CauseWalk;
import io.batpak.CodecException;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.CopyReport;
import io.batpak.CorrelationId;
import io.batpak.DenialPayload;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.EventTypes;
import io.batpak.Freshness;
import io.batpak.OpenReport;
import io.batpak.Outbox;
import io.batpak.OutcomeUnknownException;
import io.batpak.Payload;
import io.batpak.Projection;
import io.batpak.ProjectionCacheStats;
import io.batpak.ProjectionResult;
import io.batpak.ReadOnlyStoreException;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoreIoException;
import io.batpak.StoreListener;
import io.batpak.StoreStats;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.Subscription;
import io.batpak.SubscriptionOptions;
import io.batpak.ValidationException;
import io.batpak.VerificationProgress;
import io.batpak.VisibilityFence;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import io.batpak.engine.internal.causal.CausalWalks;
import io.batpak.engine.internal.commit.AppendRequest;
import io.batpak.engine.internal.commit.Committer;
import io.batpak.engine.internal.commit.UnsequencedEvent;
import io.batpak.engine.internal.commit.WatermarkTracker;
import io.batpak.engine.internal.compact.Compactor;
import io.batpak.engine.internal.copy.StoreCopy;
import io.batpak.engine.internal.delivery.Delivery;
import io.batpak.engine.internal.fence.CancelledRanges;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.projection.Projections;
import io.batpak.engine.internal.read.EventQueries;
import io.batpak.engine.internal.read.EventReader;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.engine.internal.sign.GroupSigner;
import io.batpak.engine.internal.sign.KeyRing;
import io.batpak.engine.internal.sign.SignatureChecks;
import io.batpak.engine.internal.subscription.StagedOutbox;
import io.batpak.engine.internal.subscription.SubscriptionHub;
import io.batpak.engine.internal.time.Durations;
import io.batpak.engine.internal.types.TypeRegistry;
import io.batpak.engine.internal.verify.JournalVerification;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.spi.Codec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** The {@link Store} implementation: open, append, read, verify, close. */
public final class EngineStore implements Store {
  /** The lock file's name, shared with other batpak runtimes so they exclude each other. */
  public static final String LOCK_FILE = ".batpak.lock";

  /** The codec name recorded for stores without a payload codec. */
  public static final String NO_CODEC = "bytes";

  private final StoreConfig config;
  private final StoreFs fs;
  private final boolean ownsFs;
  private final StoreLock lock;
  private final Journal journal;
  private final Index index;
  private final WatermarkTracker progress;
  private final Committer committer;
  private final CompletionThread completionThread;
  private final Codec codec;
  private final String codecName;
  private final OpenReport openReport;
  private final StoreListener listener;
  private final AppendValidator validator;
  private final EventQueries queries;
  private final ReceiptChecks receipts;
  private final EventReader reader;
  private final Compactor compactor;
  private final CausalWalks causal;
  private final KeyRing keys;
  private final CompletionThread signerThread;
  private final Projections projections;
  private final Delivery delivery;
  private final SubscriptionHub subscriptions;
  // --- event types ---
  private final TypeRegistry types;

  /** Held by a compaction and by a snapshot or fork: neither runs while the other does. */
  private final java.util.concurrent.locks.ReentrantLock maintenance =
      new java.util.concurrent.locks.ReentrantLock();

  private volatile boolean closed;

  private EngineStore(StoreOpener.OpenedStore o, TypeRegistry types) {
    this.types = types;
    this.config = o.config();
    this.fs = o.fs();
    this.ownsFs = o.ownsFs();
    this.lock = o.lock();
    this.journal = o.journal();
    this.index = o.index();
    this.progress = o.watermarks();
    this.committer = o.committer();
    this.completionThread = o.completions();
    this.codec = o.codec();
    this.codecName = o.codecName();
    this.openReport = o.report();
    this.listener = o.listener();
    this.validator =
        new AppendValidator(config, codec, codecName, this::checkOpen, o.compressors());
    this.queries = new EventQueries(index, o.reader());
    this.reader = o.reader();
    this.causal = new CausalWalks(index, reader);
    this.keys = KeyRing.of(config);
    this.receipts = new ReceiptChecks(index, reader::locate, new SignatureChecks(keys));
    this.signerThread = startSigning(config, committer, keys);
    this.subscriptions =
        new SubscriptionHub(
            index,
            queries,
            progress,
            config.clock(),
            "batpak-fanout " + config.directory().getFileName(),
            () -> committer == null ? null : committer.poison());
    this.compactor =
        new Compactor(
            fs,
            config.directory(),
            journal,
            index,
            committer,
            config.clock(),
            codecName,
            config.segmentMaxBytes());
    // --- projections ---
    this.projections =
        new Projections(
            index,
            reader,
            journal,
            fs,
            config.directory(),
            codec,
            config.clock(),
            config.projectionCache() && codec != null,
            committer != null,
            config.projectionCacheEvery());
    this.delivery =
        new Delivery(
            new Delivery.Context(
                index,
                reader,
                fs,
                config.directory(),
                progress,
                config.clock(),
                committer == null,
                config.durability() == io.batpak.Durability.VISIBLE,
                this::appendBatch,
                this::checkOpen,
                listener));
  }

  /** Opens the store {@code config} describes; see {@link Store#open}. */
  public static EngineStore open(StoreConfig config) {
    // Checked before the directory is touched: a bad registry fails the open with nothing done.
    TypeRegistry types = TypeRegistry.of(config);
    EngineStore store = new EngineStore(StoreOpener.open(config), types);
    if (config.projectionCache() && store.codec == null) {
      String message =
          "the store in "
              + config.directory()
              + " has no payload codec (codec '"
              + store.codecName
              + "' is "
              + (NO_CODEC.equals(store.codecName) ? "no codec" : "not on the class path")
              + "), so it cannot keep a projection cache: cached states are encoded with the"
              + " store's codec. Open it without StoreConfig.Builder.projectionCache(true), or use"
              + " a store with a codec. See docs/projections.md#the-projection-cache";
      try {
        store.close();
      } catch (RuntimeException e) {
        CodecException x = new CodecException(message);
        x.addSuppressed(e);
        throw x;
      }
      throw new CodecException(message);
    }
    store.listener.opened(store.openReport);
    return store;
  }

  // ---------------------------------------------------------------- appends

  /** The one null rule of {@link Store}: a null argument names itself, before any other check. */
  private static <T> T nonNull(T value, String parameter) {
    if (value == null) {
      throw new NullPointerException(parameter + " must not be null");
    }
    return value;
  }

  /** The null checks of a single append; the payload parameter is named {@code name}. */
  private static void nonNull(
      Coordinate coordinate, EventKind kind, Object payload, String name, AppendOptions options) {
    nonNull(coordinate, "coordinate");
    nonNull(kind, "kind");
    nonNull(payload, name);
    nonNull(options, "options");
  }

  @Override
  public AppendReceipt append(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    nonNull(coordinate, kind, payload, "payload", options);
    UnsequencedEvent d =
        validator.event(coordinate, kind, Payload.raw(payload), options, 0, null, -1);
    return commit(List.of(d)).get(0);
  }

  @Override
  public AppendReceipt appendEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    nonNull(coordinate, kind, value, "value", options);
    UnsequencedEvent d =
        validator.event(coordinate, kind, Payload.encoded(value), options, 0, null, -1);
    return commit(List.of(d)).get(0);
  }

  @Override
  public AppendReceipt appendTyped(Coordinate coordinate, Object record, AppendOptions options) {
    nonNull(coordinate, "coordinate");
    nonNull(record, "record");
    nonNull(options, "options");
    EventKind kind = EventTypes.kindOf(record.getClass());
    int version = EventTypes.versionOf(record.getClass());
    UnsequencedEvent d =
        validator.event(coordinate, kind, Payload.encoded(record), options, version, null, -1);
    return commit(List.of(d)).get(0);
  }

  @Override
  public List<AppendReceipt> appendBatch(List<BatchItem> items) {
    nonNull(items, "items");
    for (int i = 0; i < items.size(); i++) {
      nonNull(items.get(i), "items[" + i + "]");
    }
    return commit(validator.batch(items));
  }

  @Override
  public CompletableFuture<AppendReceipt> submit(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    nonNull(coordinate, kind, payload, "payload", options);
    return submit(validator.event(coordinate, kind, Payload.raw(payload), options, 0, null, -1));
  }

  @Override
  public CompletableFuture<AppendReceipt> submitEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    nonNull(coordinate, kind, value, "value", options);
    return submit(validator.event(coordinate, kind, Payload.encoded(value), options, 0, null, -1));
  }

  private CompletableFuture<AppendReceipt> submit(UnsequencedEvent d) {
    CompletableFuture<List<AppendReceipt>> f = new CompletableFuture<>();
    writable().submit(AppendRequest.async(List.of(d), f));
    return f.thenApply(list -> list.get(0));
  }

  private List<AppendReceipt> commit(List<UnsequencedEvent> drafts) {
    Committer c = writable();
    AppendRequest.refuseIfInterrupted();
    AppendRequest p = AppendRequest.blocking(drafts);
    c.submit(p);
    return p.await();
  }

  private Committer writable() {
    checkOpen();
    if (committer == null) {
      throw new ReadOnlyStoreException(
          "the store in "
              + config.directory()
              + " was opened read-only (StoreConfig.readOnly(true)); it accepts no appends and no"
              + " sync. To write, close it (and every other instance on that directory) and open"
              + " it again without readOnly(true)");
    }
    return committer;
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException("the store in " + config.directory() + " is closed");
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public StoredEvent get(EventId id) {
    nonNull(id, "id");
    checkOpen();
    return queries.get(id);
  }

  @Override
  public <T> T get(EventId id, Class<T> type) {
    nonNull(id, "id");
    nonNull(type, "type");
    return decode(get(id), type);
  }

  /** Builds a value from where a frame lies: its segment id, offset and length. */
  @FunctionalInterface
  public interface FrameAt<T> {
    /** The value for the frame at {@code offset} of segment {@code segmentId}. */
    T at(long segmentId, long offset, int length);
  }

  /**
   * Where the frame of the visible event {@code id} lies now, for diagnostics (the public form is
   * {@code io.batpak.engine.FrameLocation}); public types never carry it.
   *
   * @throws EventNotFoundException if no visible event has that id
   */
  public <T> T locateFrame(EventId id, FrameAt<T> at) {
    nonNull(id, "id");
    checkOpen();
    int row = queries.rowOf(id);
    Index.View v = index.view();
    return at.at(v.segment(row), v.frameOffset(row), v.frameLength(row));
  }

  @Override
  public List<EventHeader> queryAfter(Region region, long afterGlobalSequence, int limit) {
    nonNull(region, "region");
    checkOpen();
    return queries.queryAfter(region, afterGlobalSequence, limit);
  }

  @Override
  public List<EventHeader> stream(String entity) {
    nonNull(entity, "entity");
    checkOpen();
    return queries.stream(entity);
  }

  @Override
  public List<EventHeader> stream(String entity, long fromStreamSequence, int limit) {
    nonNull(entity, "entity");
    checkOpen();
    return queries.stream(entity, fromStreamSequence, limit);
  }

  @Override
  public List<StoredEvent> streamEvents(String entity, long fromStreamSequence, int limit) {
    nonNull(entity, "entity");
    checkOpen();
    return queries.streamEvents(entity, fromStreamSequence, limit);
  }

  @Override
  public Optional<EventHeader> latest(String entity) {
    nonNull(entity, "entity");
    checkOpen();
    return queries.latest(entity);
  }

  @Override
  public ReceiptVerification verifyReceipt(AppendReceipt receipt) {
    nonNull(receipt, "receipt");
    checkOpen();
    return receipts.verify(receipt);
  }

  @Override
  public StoreVerification verifyAll(VerificationProgress progress) {
    nonNull(progress, "progress");
    checkOpen();
    maintenance.lock(); // a compaction must not replace the segments being read
    try {
      return new JournalVerification(index, journal, fs, JournalVerification.defaultHelpers())
          .run(progress);
    } finally {
      maintenance.unlock();
    }
  }

  // ---------------------------------------------------------------- state

  @Override
  public StoreStats stats() {
    checkOpen();
    int visible = index.visible();
    // A stream counts while it has a visible event (a fence's unpublished rows do not count, and
    // neither do events a compaction dropped: a stream whose every event was dropped is gone).
    Index.View view = index.view();
    long streams = 0;
    for (StreamState s : index.streams()) {
      int[] rows = s.rows();
      for (int k = 0; k < s.count() && rows[k] < visible; k++) {
        if (view.disposition(rows[k]) != FrameCodec.DROPPED) {
          streams++;
          break;
        }
      }
    }
    long bytes = 0;
    for (long size : journal.segments().values()) {
      bytes += size;
    }
    // Dropped events lie below the visible watermark (in sealed segments) and are not readable.
    return new StoreStats(
        index.visibleEvents() - index.dropped(), streams, journal.segments().size(), bytes);
  }

  @Override
  public Watermarks watermarks() {
    checkOpen();
    return progress.snapshot();
  }

  @Override
  public void waitFor(Watermark watermark, long globalSequence, Duration timeout) {
    nonNull(watermark, "watermark");
    nonNull(timeout, "timeout");
    checkOpen();
    if (globalSequence < 0) {
      throw new ValidationException("waitFor needs a global sequence >= 0, got " + globalSequence);
    }
    if (timeout.isNegative()) {
      throw new ValidationException(
          "waitFor needs a timeout >= 0 (Duration.ZERO to check without waiting), got " + timeout);
    }
    progress.await(watermark, globalSequence, timeout);
  }

  @Override
  public void sync() {
    writable().sync();
  }

  @Override
  public OpenReport openReport() {
    checkOpen();
    return openReport;
  }

  @Override
  public StoreConfig config() {
    checkOpen();
    return config;
  }

  // --- snapshot and fork ---

  @Override
  public CopyReport snapshot(Path dest) {
    return copy(dest, StoreCopy.Mode.SNAPSHOT);
  }

  @Override
  public CopyReport fork(Path dest) {
    return copy(dest, StoreCopy.Mode.FORK);
  }

  /**
   * Checks {@code dest}, cuts the journal with the commit path quiet (everything written synced
   * first; a read-only store's journal does not move), then copies outside the lock.
   */
  private CopyReport copy(Path dest, StoreCopy.Mode mode) {
    nonNull(dest, "dest");
    checkOpen();
    if (committer != null) {
      committer.refuseFromAGate(mode == StoreCopy.Mode.SNAPSHOT ? "snapshot()" : "fork()");
    }
    StoreCopy copier = new StoreCopy(fs, config.directory(), config.entropy(), mode);
    Path d = copier.checkDestination(dest);
    maintenance.lock(); // a compaction must not replace the segments being copied
    try {
      return copier.copy(cut(), d);
    } finally {
      maintenance.unlock();
    }
  }

  /** The journal at one watermark, for a copy. */
  private StoreCopy.Cut cut() {
    StoreCopy.Cut cut;
    if (committer != null) {
      cut =
          committer.durableCut(
              () ->
                  StoreCopy.Cut.of(
                      progress.snapshot().durable(), journal.segments(), journal.syncedSize()));
    } else {
      // Read-only: nothing moves the journal; the newest segment is copied to its valid length.
      java.util.NavigableMap<Long, Long> sizes = new java.util.TreeMap<>(journal.segments());
      long newest = sizes.isEmpty() ? 0 : sizes.lastEntry().getValue();
      cut = StoreCopy.Cut.of(progress.snapshot().durable(), sizes, newest);
    }
    return cut;
  }

  // --- compaction ---

  @Override
  public CompactionResult compact(CompactionConfig config) {
    nonNull(config, "config");
    if (committer != null) {
      committer.refuseFromAGate("compact()");
    }
    if (!config.dryRun()) {
      writable();
    }
    checkOpen();
    maintenance.lock();
    try {
      return compactor.run(reporting(config));
    } finally {
      maintenance.unlock();
    }
  }

  /** {@code config}, its progress also reported to the store's listener (ADR 0034). */
  private CompactionConfig reporting(CompactionConfig config) {
    if (listener == StoreListener.none()) {
      return config;
    }
    CompactionConfig.Progress caller = config.progress();
    return config.progress(
        (done, total) -> {
          caller.copied(done, total);
          listener.compactionProgress(done, total);
        });
  }

  // --- visibility fences ---

  @Override
  public VisibilityFence beginFence() {
    Committer c = writable();
    return new FenceHandle(
        c.beginFence(),
        c,
        new FenceHandle.Drafts() {
          @Override
          public UnsequencedEvent single(
              Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
            nonNull(coordinate, kind, payload, "payload", options);
            return validator.event(coordinate, kind, Payload.raw(payload), options, 0, null, -1);
          }

          @Override
          public List<UnsequencedEvent> batch(List<BatchItem> items) {
            nonNull(items, "items");
            for (int i = 0; i < items.size(); i++) {
              nonNull(items.get(i), "items[" + i + "]");
            }
            return validator.batch(items);
          }

          @Override
          public void checkOpen() {
            EngineStore.this.checkOpen();
          }
        });
  }

  /**
   * The cancelled ranges: global sequences written under fences that were cancelled, never visible
   * and never reused; compaction may drop them (ADR 0015). Immutable; a later cancel makes a new
   * value.
   */
  public CancelledRanges cancelledRanges() {
    checkOpen();
    return index.cancelled();
  }

  // --- gates ---

  @Override
  public AppendReceipt appendDenial(
      Coordinate coordinate, DenialPayload denial, AppendOptions options) {
    nonNull(coordinate, "coordinate");
    nonNull(denial, "denial");
    nonNull(options, "options");
    return commit(
            List.of(
                validator.systemEvent(
                    coordinate, EventKind.SYSTEM_DENIAL, denial.encode(), options)))
        .get(0);
  }

  // --- causal graph ---

  @Override
  public AncestorWalk walkAncestors(EventId id, int limit) {
    nonNull(id, "id");
    checkOpen();
    return causal.walkAncestors(id, limit);
  }

  @Override
  public CauseWalk walkCauses(EventId id) {
    nonNull(id, "id");
    checkOpen();
    return causal.walkCauses(id);
  }

  @Override
  public List<EventHeader> consequences(EventId id) {
    nonNull(id, "id");
    checkOpen();
    return causal.consequences(id);
  }

  @Override
  public List<EventHeader> correlated(CorrelationId id, long afterGlobalSequence, int limit) {
    nonNull(id, "id");
    checkOpen();
    return causal.correlated(id, afterGlobalSequence, limit);
  }

  // --- receipt signing ---

  /**
   * Makes the committer sign each group's receipts when the store signs (ADR 0019): on a thread of
   * its own, or on the committing thread in deterministic mode. Returns that thread, or null. Runs
   * before the store is handed out, so no append precedes it.
   */
  private static CompletionThread startSigning(
      StoreConfig config, Committer committer, KeyRing keys) {
    if (committer == null || !keys.signs()) {
      return null;
    }
    CompletionThread thread =
        config.deterministic()
            ? null
            : new CompletionThread(
                "batpak-signer " + config.directory().getFileName(), config.clock());
    committer.signWith(new GroupSigner(keys, thread == null ? Runnable::run : thread));
    return thread;
  }

  // --- projections ---

  @Override
  public <S> ProjectionResult<S> project(
      String entity, Projection<S> projection, Freshness freshness) {
    nonNull(entity, "entity");
    nonNull(projection, "projection");
    nonNull(freshness, "freshness");
    checkOpen();
    return projections.project(entity, projection, freshness);
  }

  @Override
  public <S> ProjectionResult<S> project(Region region, Projection<S> projection) {
    nonNull(region, "region");
    nonNull(projection, "projection");
    checkOpen();
    return projections.project(region, projection);
  }

  @Override
  public <S> Optional<ProjectionResult<S>> projectIfChanged(
      String entity, Projection<S> projection, long lastSeen) {
    nonNull(entity, "entity");
    nonNull(projection, "projection");
    checkOpen();
    return projections.projectIfChanged(entity, projection, lastSeen);
  }

  @Override
  public ProjectionCacheStats projectionCacheStats() {
    checkOpen();
    return projections.stats();
  }

  // --- cursors, workers, reactors and the applied watermark ---

  @Override
  public io.batpak.Cursor cursor(Region region) {
    nonNull(region, "region");
    checkOpen();
    return delivery.cursor(region);
  }

  @Override
  public io.batpak.Cursor cursor(Region region, String checkpointId) {
    nonNull(region, "region");
    nonNull(checkpointId, "checkpointId");
    checkOpen();
    return delivery.cursor(region, checkpointId);
  }

  @Override
  public io.batpak.CursorWorker cursorWorker(
      Region region,
      String checkpointId,
      io.batpak.CursorWorkerConfig config,
      io.batpak.CursorHandler handler) {
    nonNull(region, "region");
    nonNull(checkpointId, "checkpointId");
    nonNull(config, "config");
    nonNull(handler, "handler");
    checkOpen();
    return delivery.worker(region, checkpointId, config, handler);
  }

  @Override
  public io.batpak.CursorWorker reactor(
      Region region,
      String checkpointId,
      io.batpak.CursorWorkerConfig config,
      io.batpak.Reactor reactor) {
    nonNull(region, "region");
    nonNull(checkpointId, "checkpointId");
    nonNull(config, "config");
    nonNull(reactor, "reactor");
    checkOpen();
    return delivery.reactor(region, checkpointId, config, reactor);
  }

  @Override
  public io.batpak.AppliedHandle consumer(String name) {
    nonNull(name, "name");
    checkOpen();
    return delivery.consumer(name);
  }

  // --- subscriptions and the outbox ---

  @Override
  public Subscription subscribe(Region region, SubscriptionOptions options) {
    nonNull(region, "region");
    nonNull(options, "options");
    checkOpen();
    return subscriptions.open(region, index.visible() - 1L, options);
  }

  @Override
  public Subscription subscribeFrom(
      Region region, long afterGlobalSequence, SubscriptionOptions options) {
    nonNull(region, "region");
    nonNull(options, "options");
    checkOpen();
    if (afterGlobalSequence < -1) {
      throw new ValidationException(
          "subscribeFrom needs afterGlobalSequence >= -1 (-1 for the start of the journal), got "
              + afterGlobalSequence);
    }
    return subscriptions.open(region, afterGlobalSequence, options);
  }

  @Override
  public Outbox outbox() {
    writable();
    return new StagedOutbox(
        () -> {
          AppendValidator.BatchBuilder b = validator.new BatchBuilder(true);
          return new StagedOutbox.Batch() {
            @Override
            public void add(BatchItem item) {
              b.add(item);
            }

            @Override
            public int size() {
              return b.size();
            }

            @Override
            public List<AppendReceipt> commit() {
              return EngineStore.this.commit(b.finish());
            }
          };
        });
  }

  // --- event types ---

  @Override
  public <T> T decode(StoredEvent event, Class<T> type) {
    nonNull(event, "event");
    nonNull(type, "type");
    checkOpen();
    if (codec == null) {
      // Throws, saying why this store has no codec and what to do.
      return Codecs.decode(null, codecName, event.header().eventId(), event.payload(), type);
    }
    return types.decode(codec, event, type);
  }

  /**
   * Closes in this order: the commit pipeline (drain within {@code closeTimeout}, fail the rest,
   * final fsync), the signing thread (it completes the appends it holds), the completion thread,
   * the journal, the lock, the backend. Everything is released even when a step fails; then the
   * first failure is thrown. When the final fsync failed, a write or fsync failed while close
   * drained the queue, or a poisoned store holds visible events that are not durable, close throws
   * {@link OutcomeUnknownException} naming the global sequences whose durability is unknown. When
   * the committer is stuck in an I/O call past the timeout, the journal and the lock stay held
   * (releasing them under a write in progress could let another owner in while it lands) and close
   * says so.
   *
   * <p>A caller whose interrupt status is set (a task cancelled by {@code shutdownNow()} that
   * closes its store in a {@code finally}) gets an ordinary close: the waits of a close are bounded
   * by {@code closeTimeout} already, so the status is cleared for them and set again on return; an
   * interrupt must not pass for a committer stuck in an I/O call.
   */
  @Override
  public void close() {
    if (committer != null) {
      committer.refuseFromAGate("close()"); // the store stays open
    }
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    boolean interrupted = Thread.interrupted();
    try {
      closeOnce();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private void closeOnce() {
    StoreException failure = null;
    boolean stuck = false;
    delivery.close(
        Durations.nanos(config.closeTimeout())); // workers first: they may append and save
    compactor.stop();
    if (committer != null) {
      Committer.Closed c = committer.close(Durations.nanos(config.closeTimeout()));
      failure = durabilityFailure(c);
      stuck = !c.stopped();
      if (failure == null && c.sealFailure() != null) {
        failure =
            new StoreIoException(
                "closing "
                    + config.directory()
                    + ": every event is durable in the journal, but "
                    + c.sealFailure().getMessage()
                    + ". No event is affected; the next open reads the journal instead (slower),"
                    + " and reports it. Check the device.",
                c.sealFailure());
      }
    }
    progress
        .end(); // waits for a watermark end: the committer's close did, a read-only store has none
    subscriptions.close(config.closeTimeout()); // after the last commit, before the journal closes
    if (signerThread != null) {
      signerThread.stop(config.closeTimeout()); // before completions: signing completes appends
    }
    if (completionThread != null) {
      completionThread.stop(config.closeTimeout());
    }
    if (stuck) {
      // Releasing the journal and the lock under a write in progress could let another owner in
      // while it lands: the committer thread releases them when that call returns.
      committer.whenStopped(() -> release(null));
      throw new OutcomeUnknownException(
          "the committer of "
              + config.directory()
              + " is stuck in an I/O call for longer than closeTimeout ("
              + config.closeTimeout()
              + "); every append in flight was failed as outcome-unknown, and the journal and"
              + " the directory lock are released only when that call returns",
          failure);
    }
    failure = release(failure);
    ListenerGuard.closed(listener);
    if (failure != null) {
      throw failure;
    }
  }

  private StoreException release(StoreException failure) {
    failure = closeStep(failure, journal, "closing the journal");
    if (lock != null) {
      failure = closeStep(failure, lock, "releasing the lock on " + config.directory());
    }
    if (ownsFs) {
      failure = closeStep(failure, fs, "closing the " + fs.name() + " backend");
    }
    return failure;
  }

  private StoreException durabilityFailure(Committer.Closed c) {
    Watermarks w = progress.snapshot();
    if (c.syncFailure() == null && committer.poison() == null) {
      return null;
    }
    Throwable cause = c.syncFailure() != null ? c.syncFailure() : committer.poison();
    String which =
        w.written() > w.durable()
            ? "the events at global sequences "
                + w.durable()
                + " to "
                + (w.written() - 1)
                + " were written but are not known to be durable (a poisoned store cuts"
                + " them away; after a crash a reopen may or may not show them)"
            : "no acknowledged event is affected (the appends the failure concerned were told so)";
    return new OutcomeUnknownException(
        "closing "
            + config.directory()
            + ": "
            + (c.syncFailure() != null ? "the final fsync failed" : "the store was poisoned")
            + "; "
            + which
            + ". Reopen and read them back (a crash may still take them). Cause: "
            + cause.getMessage(),
        cause);
  }

  private static StoreException closeStep(StoreException failure, AutoCloseable c, String what) {
    try {
      c.close();
    } catch (Exception e) {
      StoreException x = new StoreIoException(what + " failed: " + e.getMessage(), e);
      if (failure == null) {
        return x;
      }
      failure.addSuppressed(x);
    }
    return failure;
  }
}
