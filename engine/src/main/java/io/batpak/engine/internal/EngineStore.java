package io.batpak.engine.internal;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.EventNotFoundException;
import io.batpak.EventTypes;
import io.batpak.ExtensionKey;
import io.batpak.OpenReport;
import io.batpak.OutcomeUnknownException;
import io.batpak.Payload;
import io.batpak.ReadOnlyStoreException;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.StoreConfig;
import io.batpak.StoreException;
import io.batpak.StoreIoException;
import io.batpak.StoreLockedException;
import io.batpak.StoreStats;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import io.batpak.VerificationProgress;
import io.batpak.Watermark;
import io.batpak.Watermarks;
import io.batpak.engine.internal.commit.Committer;
import io.batpak.engine.internal.commit.Draft;
import io.batpak.engine.internal.commit.Pending;
import io.batpak.engine.internal.commit.Progress;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.index.StreamState;
import io.batpak.engine.internal.recovery.Recovery;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.fs.spi.FsOptions;
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.Codec;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** The {@link Store} implementation: open, append, read, verify, close. */
public final class EngineStore implements Store {
  /** The lock file's name, shared with other batpak runtimes so they exclude each other. */
  public static final String LOCK_FILE = ".batpak.lock";

  /** The codec name recorded for stores without a payload codec. */
  public static final String NO_CODEC = "bytes";

  private static final System.Logger LOG = System.getLogger(EngineStore.class.getName());

  private static final ThreadLocal<Blake3> HASHERS = ThreadLocal.withInitial(Blake3::new);

  private final StoreConfig config;
  private final StoreFs fs;
  private final boolean ownsFs;
  private final StoreLock lock;
  private final Journal journal;
  private final Index index;
  private final Progress progress;
  private final Committer committer;
  private final CompletionThread completionThread;
  private final Codec codec;
  private final String codecName;
  private final OpenReport openReport;
  private final ReceiptChecks receipts;
  private volatile boolean closed;

  private EngineStore(
      StoreConfig config,
      StoreFs fs,
      boolean ownsFs,
      StoreLock lock,
      Journal journal,
      Index index,
      Progress progress,
      Committer committer,
      CompletionThread completionThread,
      Codec codec,
      String codecName,
      OpenReport openReport) {
    this.config = config;
    this.fs = fs;
    this.ownsFs = ownsFs;
    this.lock = lock;
    this.journal = journal;
    this.index = index;
    this.progress = progress;
    this.committer = committer;
    this.completionThread = completionThread;
    this.codec = codec;
    this.codecName = codecName;
    this.openReport = openReport;
    this.receipts = new ReceiptChecks(index, this::read);
  }

  /** Opens the store {@code config} describes; see {@link Store#open}. */
  public static EngineStore open(StoreConfig config) {
    long started = config.clock().monoNanos();
    FrameCodec.checkBatchLimit(config.maxBatchBytes());
    StoreFsResolver.Resolution resolution =
        config.fs().isPresent()
            ? StoreFsResolver.resolve(config.fs().get())
            : StoreFsResolver.resolve(
                config.fsBackend().orElse(null), EngineStore.class.getClassLoader());
    StoreFs fs;
    try {
      fs = resolution.open(FsOptions.defaults());
    } catch (IOException e) {
      throw new StoreIoException(
          "opening filesystem backend " + resolution.name() + " failed: " + e.getMessage(), e);
    }
    boolean ownsFs = config.fs().isEmpty();
    Path dir = config.directory().toAbsolutePath().normalize();
    StoreLock lock = null;
    Journal journal = null;
    try {
      boolean mutable = !config.readOnly();
      if (mutable) {
        createDurably(fs, dir);
      } else if (!fs.exists(dir)) {
        throw new StoreIoException(
            "cannot open " + dir + " read-only: the directory does not exist");
      }
      lock = takeLock(fs, dir, mutable);
      Index index = new Index();
      journal = new Journal(fs, dir, config.syncMode());
      Recovery.Result found = new Recovery(fs, dir, mutable, index, journal).run();
      String codecName = chooseCodecName(config, found.codec());
      Codec codec = findCodec(codecName);
      Progress progress = new Progress(config.clock(), index.size());
      CompletionThread completions = null;
      Committer committer = null;
      if (mutable) {
        completions =
            config.deterministic()
                ? null
                : new CompletionThread("batpak-completions " + dir.getFileName());
        Executor exec = completions == null ? Runnable::run : completions;
        committer = new Committer(config, index, journal, progress, exec, codecName);
        if (found.lastSegmentId() == 0) {
          committer.createFirstSegment(1, 0);
        } else {
          journal.resume(found.lastSegmentId(), found.lastSegmentEnd());
        }
        if (!config.deterministic()) {
          committer.start("batpak-committer " + dir.getFileName());
        }
      }
      OpenReport report =
          new OpenReport(
              fs.name(),
              resolution.explanation(),
              !mutable,
              codecName,
              found.segments(),
              index.size(),
              found.framesScanned(),
              found.tornTail(),
              (config.clock().monoNanos() - started) / 1_000);
      return new EngineStore(
          config,
          fs,
          ownsFs,
          lock,
          journal,
          index,
          progress,
          committer,
          completions,
          codec,
          codecName,
          report);
    } catch (IOException e) {
      closeQuietly(journal, lock, ownsFs ? fs : null);
      throw ioFailure("opening the store in " + dir + " failed: " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(journal, lock, ownsFs ? fs : null);
      throw e;
    }
  }

  /**
   * Creates {@code dir} and any missing parents, and syncs the parent of each directory it created,
   * so the store's directory entry is as durable as the first segment in it. For a directory that
   * exists but holds no segment, the parents are synced again (see below).
   */
  private static void createDurably(StoreFs fs, Path dir) throws IOException {
    Path existing = dir;
    while (existing != null && !fs.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == dir) {
      if (hasSegments(fs, dir)) {
        return;
      }
      // A store without segments may be the leftover of an open that created these directories
      // and failed before their entries were durable (a failed directory fsync): "exists" is not
      // "survives a crash". Treat the store directory and every ancestor that holds nothing but
      // the path to it as created by such an open, and sync their parents again.
      Path top = dir;
      while (top.getParent() != null
          && top.getParent().getParent() != null
          && fs.list(top.getParent()).equals(List.of(top.getFileName().toString()))) {
        top = top.getParent();
      }
      existing = top.getParent();
      if (existing == null) {
        return;
      }
    } else {
      fs.createDirectories(dir);
    }
    for (Path created = dir; created != null && !created.equals(existing); ) {
      Path parent = created.getParent();
      fs.syncDirectory(parent);
      created = parent;
    }
  }

  private static boolean hasSegments(StoreFs fs, Path dir) throws IOException {
    for (String name : fs.list(dir)) {
      if (Journal.idOf(name) > 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * Takes the directory's lock: exclusive for a mutable open (creating the lock file), shared for a
   * read-only one. A read-only open never creates the lock file (it changes nothing on disk, and
   * read-only media refuse it): when there is none, it proceeds without a lock, which only a writer
   * opening the directory at the same time could notice. Returns null then.
   */
  private static StoreLock takeLock(StoreFs fs, Path dir, boolean mutable) throws IOException {
    Path lockFile = dir.resolve(LOCK_FILE);
    try {
      return fs.lock(lockFile, mutable ? LockMode.EXCLUSIVE : LockMode.SHARED);
    } catch (java.nio.file.NoSuchFileException e) {
      if (mutable) {
        throw e;
      }
      LOG.log(
          System.Logger.Level.INFO,
          "{0} has no lock file; opening it read-only without a lock (a read-only open never"
              + " creates one)",
          dir);
      return null;
    } catch (LockUnavailableException e) {
      throw new StoreLockedException(
          dir
              + " is in use by another store instance (in this process or another one) that"
              + " holds "
              + lockFile
              + "; close it first"
              + (mutable ? ", or open read-only to share it with other readers" : "")
              + ". ("
              + e.getMessage()
              + ")",
          e);
    }
  }

  private static String chooseCodecName(StoreConfig config, Optional<String> stored) {
    return Codecs.chooseName(config, stored);
  }

  private static Codec findCodec(String name) {
    return Codecs.find(name);
  }

  /**
   * The typed failure for {@code e}: {@link io.batpak.SymlinkRefusedException} when a file the
   * store owns is a symbolic link (anywhere in the cause chain), else {@link StoreIoException}.
   */
  static StoreIoException ioFailure(String message, IOException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof io.batpak.port.SymlinkRefusedException link) {
        return new io.batpak.SymlinkRefusedException(link.getFile(), e);
      }
    }
    return new StoreIoException(message, e);
  }

  private static void closeQuietly(Journal journal, StoreLock lock, StoreFs fs) {
    for (AutoCloseable c : new AutoCloseable[] {journal, lock, fs}) {
      if (c != null) {
        try {
          c.close();
        } catch (Exception ignored) {
          // Already failing; the original exception is what the caller needs.
        }
      }
    }
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
    Draft d = draft(coordinate, kind, Payload.raw(payload), options, 0, -1, -1);
    return commit(List.of(d)).get(0);
  }

  @Override
  public AppendReceipt appendEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    nonNull(coordinate, kind, value, "value", options);
    Draft d = draft(coordinate, kind, Payload.encoded(value), options, 0, -1, -1);
    return commit(List.of(d)).get(0);
  }

  @Override
  public AppendReceipt appendTyped(Coordinate coordinate, Object record, AppendOptions options) {
    nonNull(coordinate, "coordinate");
    nonNull(record, "record");
    nonNull(options, "options");
    EventKind kind = EventTypes.kindOf(record.getClass());
    int version = EventTypes.versionOf(record.getClass());
    Draft d = draft(coordinate, kind, Payload.encoded(record), options, version, -1, -1);
    return commit(List.of(d)).get(0);
  }

  @Override
  public List<AppendReceipt> appendBatch(List<BatchItem> items) {
    nonNull(items, "items");
    for (int i = 0; i < items.size(); i++) {
      nonNull(items.get(i), "items[" + i + "]");
    }
    if (items.isEmpty()) {
      throw new ValidationException("a batch needs at least one item");
    }
    if (items.size() > config.maxBatchEvents()) {
      throw new ValidationException(
          "a batch of "
              + items.size()
              + " items exceeds maxBatchEvents ("
              + config.maxBatchEvents()
              + "); split it or raise the limit");
    }
    List<Draft> drafts = new ArrayList<>(items.size());
    Map<EventId, Integer> keys = new HashMap<>();
    long bytes = 0;
    int keyed = 0;
    for (int i = 0; i < items.size(); i++) {
      BatchItem item = items.get(i);
      if (item.causedByItem() >= i) {
        throw new ValidationException(
            "batch item "
                + i
                + " names item "
                + item.causedByItem()
                + " as its cause; a cause must be an earlier item");
      }
      Draft d;
      try {
        d =
            draft(
                item.coordinate(),
                item.kind(),
                item.payload(),
                item.options(),
                0,
                item.causedByItem(),
                i);
      } catch (ValidationException | CodecException e) {
        throw new ValidationException("batch item " + i + ": " + e.getMessage(), e);
      }
      if (d.keyed()) {
        Integer earlier = keys.putIfAbsent(new EventId(d.record().idHi(), d.record().idLo()), i);
        if (earlier != null) {
          throw new ValidationException(
              "batch items "
                  + earlier
                  + " and "
                  + i
                  + " carry the same idempotency key "
                  + item.options().idempotencyKey()
                  + "; every event of a batch needs its own key");
        }
      }
      bytes += d.record().payload().length;
      keyed += d.keyed() ? 1 : 0;
      drafts.add(d);
    }
    List<EventRecord> records = new ArrayList<>(drafts.size());
    for (Draft d : drafts) {
      records.add(d.record());
    }
    long encoded = FrameCodec.encodedSize(records);
    if (encoded > config.maxBatchBytes()) {
      throw new ValidationException(
          "the batch encodes to "
              + encoded
              + " bytes ("
              + bytes
              + " of payload, the rest coordinates, extensions and headers), over maxBatchBytes ("
              + config.maxBatchBytes()
              + "); nothing was written. Split it or raise the limit");
    }
    FrameCodec.checkFits(encoded);
    if (keyed != 0 && keyed != drafts.size()) {
      throw new ValidationException(
          "idempotency keys must be on every item of a batch or on none ("
              + keyed
              + " of "
              + drafts.size()
              + " have one), so a retry can be recognised as a whole");
    }
    return commit(drafts);
  }

  @Override
  public CompletableFuture<AppendReceipt> submit(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    nonNull(coordinate, kind, payload, "payload", options);
    return submit(draft(coordinate, kind, Payload.raw(payload), options, 0, -1, -1));
  }

  @Override
  public CompletableFuture<AppendReceipt> submitEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options) {
    nonNull(coordinate, kind, value, "value", options);
    return submit(draft(coordinate, kind, Payload.encoded(value), options, 0, -1, -1));
  }

  private CompletableFuture<AppendReceipt> submit(Draft d) {
    CompletableFuture<List<AppendReceipt>> f = new CompletableFuture<>();
    writable().submit(Pending.async(List.of(d), f));
    return f.thenApply(list -> list.get(0));
  }

  private List<AppendReceipt> commit(List<Draft> drafts) {
    Pending p = Pending.blocking(drafts);
    writable().submit(p);
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

  private Draft draft(
      Coordinate coordinate,
      EventKind kind,
      Payload payload,
      AppendOptions options,
      int payloadVersion,
      int causedByItem,
      int itemIndex) {
    checkOpen();
    if (kind.isReserved()) {
      throw new ValidationException(
          "kind "
              + kind
              + " is in a reserved category (0x0 system, 0xD effect) that only the store itself"
              + " writes; use EventKind.custom with category 0x1-0xC or 0xE-0xF");
    }
    byte[] bytes = encode(payload);
    if (bytes.length > config.maxPayloadBytes()) {
      throw new ValidationException(
          "payload of "
              + bytes.length
              + " bytes exceeds maxPayloadBytes ("
              + config.maxPayloadBytes()
              + ")"
              + (itemIndex >= 0 ? " in batch item " + itemIndex : ""));
    }
    Map<ExtensionKey, Bytes> ext = options.extensions();
    if (ext.size() > StoreConfig.MAX_EXTENSIONS) {
      throw new ValidationException(
          ext.size() + " extensions exceed the limit of " + StoreConfig.MAX_EXTENSIONS);
    }
    String[] keys = new String[ext.size()];
    byte[][] values = new byte[ext.size()][];
    int extBytes = 0;
    int i = 0;
    for (Map.Entry<ExtensionKey, Bytes> e : ext.entrySet()) {
      keys[i] = e.getKey().value();
      values[i] = e.getValue().toByteArray();
      extBytes += keys[i].length() + values[i].length;
      i++;
    }
    if (extBytes > StoreConfig.MAX_EXTENSION_BYTES) {
      throw new ValidationException(
          "extensions total "
              + extBytes
              + " bytes, over the limit of "
              + StoreConfig.MAX_EXTENSION_BYTES);
    }
    boolean keyed = options.idempotencyKey() != null;
    EventId id =
        keyed
            ? EventId.of(options.idempotencyKey())
            : EventId.generate(config.clock(), config.entropy());
    CorrelationId correlation =
        options.correlationId() != null ? options.correlationId() : CorrelationId.of(id);
    CausationId causation = options.causationId();
    byte[] contentHash = HASHERS.get().hash(bytes, 0, bytes.length);
    EventRecord r =
        new EventRecord(
            id.high(),
            id.low(),
            correlation.high(),
            correlation.low(),
            causation != null,
            causation == null ? 0 : causation.high(),
            causation == null ? 0 : causation.low(),
            coordinate.entity(),
            coordinate.scope(),
            kind.raw(),
            0,
            0,
            config.clock().wallMicros(),
            payloadVersion,
            options.flags(),
            keys,
            values,
            FrameCodec.ZERO_HASH,
            contentHash,
            FrameCodec.ZERO_HASH,
            bytes);
    return new Draft(r, options.expectedVersion(), keyed, causedByItem);
  }

  private byte[] encode(Payload payload) {
    if (payload instanceof Payload.Raw raw) {
      return raw.bytes().toByteArray();
    }
    return Codecs.encode(codec, codecName, ((Payload.Encoded) payload).value());
  }

  // ---------------------------------------------------------------- reads

  @Override
  public StoredEvent get(EventId id) {
    nonNull(id, "id");
    int row = rowOf(id);
    EventRecord r = read(row);
    return new StoredEvent(header(r), Bytes.ofOwned(r.payload()));
  }

  @Override
  public <T> T get(EventId id, Class<T> type) {
    nonNull(id, "id");
    nonNull(type, "type");
    return Codecs.decode(codec, codecName, id, get(id).payload(), type);
  }

  private int rowOf(EventId id) {
    checkOpen();
    int row = index.find(id.high(), id.low());
    if (row < 0) {
      throw new EventNotFoundException("no visible event has id " + id);
    }
    return row;
  }

  private EventRecord read(int row) {
    Index.View v = index.view();
    try {
      byte[] frame = journal.readFrame(v.segment(row), v.frameOffset(row), v.frameLength(row));
      return FrameCodec.decodeRecord(frame, FrameCodec.PREFIX, v.recordOffset(row), row);
    } catch (IOException e) {
      throw ioFailure(
          "reading the event at global sequence "
              + row
              + " from "
              + journal.path(v.segment(row))
              + " failed: "
              + e.getMessage(),
          e);
    }
  }

  private EventHeader header(EventRecord r) {
    Map<ExtensionKey, Bytes> ext = new HashMap<>();
    for (int i = 0; i < r.extensionKeys().length; i++) {
      ext.put(ExtensionKey.of(r.extensionKeys()[i]), Bytes.ofOwned(r.extensionValues()[i]));
    }
    return new EventHeader(
        new EventId(r.idHi(), r.idLo()),
        new Coordinate(r.entity(), r.scope()),
        EventKind.fromRaw(r.kind()),
        r.streamSequence(),
        r.globalSequence(),
        r.timestampMicros(),
        new CorrelationId(r.correlationHi(), r.correlationLo()),
        r.hasCausation()
            ? Optional.of(new CausationId(r.causationHi(), r.causationLo()))
            : Optional.empty(),
        r.payloadVersion(),
        r.flags(),
        ext,
        r.payload().length,
        Bytes.ofOwned(r.contentHash()),
        Bytes.ofOwned(r.prevHash()),
        Bytes.ofOwned(r.eventHash()));
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
    int row = rowOf(id);
    Index.View v = index.view();
    return at.at(v.segment(row), v.frameOffset(row), v.frameLength(row));
  }

  @Override
  public List<EventHeader> queryAfter(Region region, long afterGlobalSequence, int limit) {
    nonNull(region, "region");
    checkOpen();
    if (limit <= 0 || afterGlobalSequence < -1) {
      throw new ValidationException(
          "queryAfter needs limit > 0 and afterGlobalSequence >= -1, got limit "
              + limit
              + " and after "
              + afterGlobalSequence);
    }
    Index.View v = index.view();
    if (afterGlobalSequence >= v.size() - 1L) {
      return List
          .of(); // past the end (and no overflow for afterGlobalSequence near Long.MAX_VALUE)
    }
    List<EventHeader> out = new ArrayList<>();
    boolean all = region.isAll();
    for (long g = afterGlobalSequence + 1; g < v.size() && out.size() < limit; g++) {
      int row = (int) g;
      if (all || inRegion(region, v, row)) {
        out.add(header(read(row)));
      }
    }
    return out;
  }

  /**
   * Whether the event at {@code row} lies in {@code region}: {@link Region#matches}, the one
   * matcher, over the index's columns (no frame is read for an event outside the region).
   */
  private boolean inRegion(Region region, Index.View v, int row) {
    return region.matches(
        index.streamName(v.stream(row)),
        index.scopeName(v.scope(row)),
        EventKind.fromRaw(v.kind(row)),
        v.streamSequence(row));
  }

  @Override
  public List<EventHeader> stream(String entity) {
    nonNull(entity, "entity");
    checkOpen();
    return streamPage(entity, 0, Integer.MAX_VALUE);
  }

  @Override
  public List<EventHeader> stream(String entity, long fromStreamSequence, int limit) {
    nonNull(entity, "entity");
    checkOpen();
    if (fromStreamSequence < 0 || limit <= 0) {
      throw new ValidationException(
          "stream(entity, fromStreamSequence, limit) needs fromStreamSequence >= 0 and limit > 0,"
              + " got fromStreamSequence "
              + fromStreamSequence
              + " and limit "
              + limit
              + " for stream '"
              + entity
              + "'; the first page starts at 0");
    }
    return streamPage(entity, fromStreamSequence, limit);
  }

  /**
   * Up to {@code limit} visible events of stream {@code entity} from stream sequence {@code from}.
   */
  private List<EventHeader> streamPage(String entity, long from, int limit) {
    int visible = index.visible();
    StreamState s = index.stream(entity);
    if (s == null) {
      return List.of();
    }
    int[] rows = s.rows();
    int n = Math.min(s.count(), rows.length);
    if (from >= n) {
      return List.of();
    }
    List<EventHeader> out = new ArrayList<>(Math.min(limit, n - (int) from));
    for (int i = (int) from; i < n && out.size() < limit && rows[i] < visible; i++) {
      out.add(header(read(rows[i])));
    }
    return out;
  }

  @Override
  public Optional<EventHeader> latest(String entity) {
    nonNull(entity, "entity");
    checkOpen();
    int visible = index.visible();
    StreamState s = index.stream(entity);
    if (s == null) {
      return Optional.empty();
    }
    int n = s.count();
    int[] rows = s.rows();
    for (int i = Math.min(n, rows.length) - 1; i >= 0; i--) {
      if (rows[i] < visible) {
        return Optional.of(header(read(rows[i])));
      }
    }
    return Optional.empty();
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
    return new FullVerification(index, this::read).run(progress);
  }

  // ---------------------------------------------------------------- state

  @Override
  public StoreStats stats() {
    checkOpen();
    long streams = index.streams().stream().filter(s -> s.count() > 0).count();
    long bytes = 0;
    for (long size : journal.segments().values()) {
      bytes += size;
    }
    return new StoreStats(index.visible(), streams, journal.segments().size(), bytes);
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

  /**
   * Closes in this order: the commit pipeline (drain within {@code closeTimeout}, fail the rest,
   * final fsync), the completion thread, the journal, the lock, the backend. Everything is released
   * even when a step fails; then the first failure is thrown. When the final fsync failed, a write
   * or fsync failed while close drained the queue, or a poisoned store holds visible events that
   * are not durable, close throws {@link OutcomeUnknownException} naming the global sequences whose
   * durability is unknown. When the committer is stuck in an I/O call past the timeout, the journal
   * and the lock stay held (releasing them under a write in progress could let another owner in
   * while it lands) and close says so.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    StoreException failure = null;
    boolean stuck = false;
    if (committer != null) {
      Committer.Closed c = committer.close(config.closeTimeout().toNanos());
      failure = durabilityFailure(c);
      stuck = !c.stopped();
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

  /** The store's completion thread: futures complete here, never on a committing thread. */
  private static final class CompletionThread implements Executor {
    private final ExecutorService executor;
    private volatile Thread thread;

    CompletionThread(String name) {
      executor =
          Executors.newSingleThreadExecutor(
              r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                thread = t;
                return t;
              });
    }

    @Override
    public void execute(Runnable task) {
      executor.execute(task);
    }

    /**
     * Runs what it was given (every append already has its outcome, so this completes their
     * futures) and ends; waits for that within {@code timeout}, except when called on this thread
     * (from a future's callback), where it would wait on itself.
     */
    void stop(Duration timeout) {
      executor.shutdown();
      if (Thread.currentThread() == thread) {
        return;
      }
      try {
        executor.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
