package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.port.StoreClock;
import io.batpak.port.StoreEntropy;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * How to open a store. Immutable; build one with {@link #builder(Path)}, which checks every option
 * at once and reports every bad value together.
 *
 * <p>Thread-safe (immutable).
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class StoreConfig {

  /** Largest payload of one event: 64 MiB. */
  public static final int MAX_PAYLOAD_BYTES_LIMIT = 64 << 20;

  /** Most events in one batch. */
  public static final int MAX_BATCH_EVENTS_LIMIT = 4096;

  /**
   * Largest encoded size of one batch: 96 MiB, so a batch always fits one journal frame (the
   * format's limit, 128 MiB, belongs to the journal format; a store checks the two agree when it
   * opens).
   */
  public static final int MAX_BATCH_BYTES_LIMIT = 96 << 20;

  /** Most extensions on one event. */
  public static final int MAX_EXTENSIONS = 32;

  /** Largest total size of one event's extension keys and values: 64 KiB. */
  public static final int MAX_EXTENSION_BYTES = 64 << 10;

  private final Path directory;
  private final Durability durability;
  private final int visibleSyncEveryEvents;
  private final Duration visibleSyncInterval;
  private final SyncMode syncMode;
  private final long segmentMaxBytes;
  private final int queueCapacity;
  private final QueueFullPolicy queueFullPolicy;
  private final Duration queueFullTimeout;
  private final int maxGroupEvents;
  private final int maxPayloadBytes;
  private final int maxBatchEvents;
  private final int maxBatchBytes;
  private final StoreClock clock;
  private final StoreEntropy entropy;
  private final @Nullable StoreFs fs;
  private final @Nullable String fsBackend;
  private final @Nullable String codec;
  private final boolean readOnly;
  private final boolean deterministic;
  private final Duration closeTimeout;
  private final long checkpointEveryBytes;

  // --- gates ---
  private final Duration gateBudget;
  // --- signing ---
  private final List<Bytes> signingKeys;
  private final List<Bytes> verifyingKeys;
  private final SigningPolicy signingPolicy;
  // --- projections ---
  private final boolean projectionCache;
  private final int projectionCacheEvery;
  // --- event types ---
  private final List<Class<?>> eventTypes;
  private final List<Upcaster> upcasters;
  // --- compression ---
  private final String compression;
  private final int compressionThreshold;
  private final int compressionDictionaryBytes;
  // --- mapped reads ---
  private final boolean mappedReads;
  // --- listener ---
  private final StoreListener listener;

  // --- end listener ---

  private StoreConfig(Builder b) {
    this.directory = b.directory;
    this.durability = b.durability;
    this.visibleSyncEveryEvents = b.visibleSyncEveryEvents;
    this.visibleSyncInterval = b.visibleSyncInterval;
    this.syncMode = b.syncMode;
    this.segmentMaxBytes = b.segmentMaxBytes;
    this.queueCapacity = b.queueCapacity;
    this.queueFullPolicy = b.queueFullPolicy;
    this.queueFullTimeout = b.queueFullTimeout;
    this.maxGroupEvents = b.maxGroupEvents;
    this.maxPayloadBytes = b.maxPayloadBytes;
    this.maxBatchEvents = b.maxBatchEvents;
    this.maxBatchBytes = b.maxBatchBytes;
    this.clock = b.clock;
    this.entropy = b.entropy;
    this.fs = b.fs;
    this.fsBackend = b.fsBackend;
    this.codec = b.codec;
    this.readOnly = b.readOnly;
    this.deterministic = b.deterministic;
    this.closeTimeout = b.closeTimeout;
    this.checkpointEveryBytes = b.checkpointEveryBytes;
    // --- gates ---
    this.gateBudget = b.gateBudget;
    // --- signing ---
    this.signingKeys = List.copyOf(b.signingKeys);
    this.verifyingKeys = List.copyOf(b.verifyingKeys);
    this.signingPolicy = b.signingPolicy;
    // --- projections ---
    this.projectionCache = b.projectionCache;
    this.projectionCacheEvery = b.projectionCacheEvery;
    // --- event types ---
    this.eventTypes = List.copyOf(b.eventTypes);
    this.upcasters = List.copyOf(b.upcasters);
    // --- compression ---
    this.compression = b.compression;
    this.compressionThreshold = b.compressionThreshold;
    this.compressionDictionaryBytes = b.compressionDictionaryBytes;
    // --- mapped reads ---
    this.mappedReads = b.mappedReads;
    // --- listener ---
    this.listener = b.listener;
    // --- end listener ---
  }

  /** A builder for a store in {@code directory}, created on first open if missing. */
  public static Builder builder(Path directory) {
    return new Builder(directory);
  }

  /** A builder that starts from this configuration. */
  public Builder toBuilder() {
    Builder b = new Builder(directory);
    b.durability = durability;
    b.visibleSyncEveryEvents = visibleSyncEveryEvents;
    b.visibleSyncInterval = visibleSyncInterval;
    b.syncMode = syncMode;
    b.segmentMaxBytes = segmentMaxBytes;
    b.queueCapacity = queueCapacity;
    b.queueFullPolicy = queueFullPolicy;
    b.queueFullTimeout = queueFullTimeout;
    b.maxGroupEvents = maxGroupEvents;
    b.maxPayloadBytes = maxPayloadBytes;
    b.maxBatchEvents = maxBatchEvents;
    b.maxBatchBytes = maxBatchBytes;
    b.clock = clock;
    b.entropy = entropy;
    b.fs = fs;
    b.fsBackend = fsBackend;
    b.codec = codec;
    b.readOnly = readOnly;
    b.deterministic = deterministic;
    b.closeTimeout = closeTimeout;
    b.checkpointEveryBytes = checkpointEveryBytes;
    // --- gates ---
    b.gateBudget = gateBudget;
    // --- signing ---
    b.signingKeys.addAll(signingKeys);
    b.verifyingKeys.addAll(verifyingKeys);
    b.signingPolicy = signingPolicy;
    // --- projections ---
    b.projectionCache = projectionCache;
    b.projectionCacheEvery = projectionCacheEvery;
    // --- event types ---
    b.eventTypes.addAll(eventTypes);
    b.upcasters.addAll(upcasters);
    // --- compression ---
    b.compression = compression;
    b.compressionThreshold = compressionThreshold;
    b.compressionDictionaryBytes = compressionDictionaryBytes;
    // --- mapped reads ---
    b.mappedReads = mappedReads;
    // --- listener ---
    b.listener = listener;
    // --- end listener ---
    return b;
  }

  /** The data directory. */
  public Path directory() {
    return directory;
  }

  /** When appends return and events become visible. Default {@link Durability#DURABLE}. */
  public Durability durability() {
    return durability;
  }

  /** In {@link Durability#VISIBLE} mode, fsync after this many events. Default 1000. */
  public int visibleSyncEveryEvents() {
    return visibleSyncEveryEvents;
  }

  /** In {@link Durability#VISIBLE} mode, fsync at least this often. Default 100 ms. */
  public Duration visibleSyncInterval() {
    return visibleSyncInterval;
  }

  /** How journal files are synced. Default {@link SyncMode#DATA}. */
  public SyncMode syncMode() {
    return syncMode;
  }

  /** A segment rotates once it reaches this size. Default 64 MiB. */
  public long segmentMaxBytes() {
    return segmentMaxBytes;
  }

  /** Appends that may wait for the committer. Default 4096. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** What an append does when the queue is full. Default {@link QueueFullPolicy#BLOCK}. */
  public QueueFullPolicy queueFullPolicy() {
    return queueFullPolicy;
  }

  /** How long a {@link QueueFullPolicy#BLOCK} append waits for room. Default 30 s. */
  public Duration queueFullTimeout() {
    return queueFullTimeout;
  }

  /** Most events one group commit writes with one write and one fsync. Default 1024. */
  public int maxGroupEvents() {
    return maxGroupEvents;
  }

  /** Largest payload of one event. Default 16 MiB. */
  public int maxPayloadBytes() {
    return maxPayloadBytes;
  }

  /** Most events in one batch. Default 1024. */
  public int maxBatchEvents() {
    return maxBatchEvents;
  }

  /**
   * Largest encoded size of one batch: its frame, with payloads, coordinates, extensions and
   * headers, not only the payloads. Default 16 MiB.
   */
  public int maxBatchBytes() {
    return maxBatchBytes;
  }

  /** The time port. Default {@link StoreClock#system()}. */
  public StoreClock clock() {
    return clock;
  }

  /** The randomness port. Default {@link StoreEntropy#secure()}. */
  public StoreEntropy entropy() {
    return entropy;
  }

  /**
   * A filesystem backend instance to use instead of discovery, if one was given. The store uses it
   * but does not own it: {@link Store#close()} leaves it open, and the caller closes it after the
   * store (a backend found by discovery is the store's, and closes with it).
   */
  public Optional<StoreFs> fs() {
    return Optional.ofNullable(fs);
  }

  /** The name of the filesystem backend to use, if one was given. */
  public Optional<String> fsBackend() {
    return Optional.ofNullable(fsBackend);
  }

  /**
   * The payload codec's name, if one was given. Without one, a new store uses {@code json} when
   * that codec is on the class path and otherwise accepts only {@link Bytes} payloads; an existing
   * store uses the codec its segments name.
   */
  public Optional<String> codec() {
    return Optional.ofNullable(codec);
  }

  /**
   * Whether the store is opened read-only: no truncation, no writes, a shared lock that lets other
   * read-only opens in but keeps a writer out. A torn tail is skipped, not cut, and reported. The
   * one file a read-only open may create is the empty lock file, when the directory has never been
   * opened for writing.
   */
  public boolean readOnly() {
    return readOnly;
  }

  /**
   * Whether the committer runs on the calling thread (for simulation: one seed, one history).
   * Default false.
   */
  public boolean deterministic() {
    return deterministic;
  }

  /** How long {@link Store#close()} waits for queued appends to commit. Default 10 s. */
  public Duration closeTimeout() {
    return closeTimeout;
  }

  /**
   * How much journal, in bytes, is appended between two index checkpoints written while the store
   * is open; {@code 0} writes one only on a clean close. Default 256 MiB. A checkpoint holds the
   * whole index (about 42 bytes per event) and is written by the committer after a sync, so appends
   * wait while it is written; an open after a crash loads the newest checkpoint and reads only the
   * journal after it. A clean close always writes one.
   */
  public long checkpointEveryBytes() {
    return checkpointEveryBytes;
  }

  // --- gates ---

  /**
   * How long one atomic gate ({@link AppendOptions#withGate}) may run, fold included, before the
   * writer gives up on it and denies the append with {@link Denial#GATE_TIMEOUT}. Measured on
   * {@link #clock()}. Every append of the group waits while a gate runs, so keep it short. In
   * threaded mode the gate runs on the store's gate thread and the writer stops waiting at the
   * budget (a runaway gate's thread is left to finish, see docs/gates.md); in {@link
   * #deterministic()} mode it runs on the committing thread and is measured when it returns.
   * Default 100 ms.
   *
   * @since 0.3
   */
  public Duration gateBudget() {
    return gateBudget;
  }

  // --- signing ---

  /**
   * The Ed25519 private keys (32-byte seeds, RFC 8032), oldest first: the last one signs, every one
   * verifies. Empty by default. Never printed ({@link #toString()} leaves them out).
   */
  public List<Bytes> signingKeys() {
    return signingKeys;
  }

  /**
   * Ed25519 public keys (32 bytes) that verify receipts but never sign: keys rotated out of {@link
   * #signingKeys()}, whose receipts should still verify.
   */
  public List<Bytes> verifyingKeys() {
    return verifyingKeys;
  }

  /** Whether receipts are signed and which {@link Store#verifyReceipt} accepts. */
  public SigningPolicy signingPolicy() {
    return signingPolicy;
  }

  // --- projections ---

  /**
   * Whether the projection cache is on: {@link Store#project(String, Projection)} keeps the state
   * of each (projection id, stream) in a file under {@code projections/} in the store directory,
   * encoded with the store's codec, and later calls fold only the newer events. Off by default. A
   * store without a codec cannot cache: opening one with the cache on throws {@link
   * CodecException}. See docs/projections.md.
   *
   * @since 0.13
   */
  public boolean projectionCache() {
    return projectionCache;
  }

  /**
   * How many events a projection call must fold before it writes its state to the cache (each write
   * is a small file published with two fsyncs and a directory fsync, so a store that projects often
   * after a few appends should not write every time). Default 1000; 1 writes after every call that
   * folded anything.
   *
   * @since 0.13
   */
  public int projectionCacheEvery() {
    return projectionCacheEvery;
  }

  // --- event types ---

  /**
   * The typed event classes registered for schema evolution, in registration order, each carrying
   * {@link EventType}. When the store opens it builds its type registry from them and checks it:
   * two types claiming one kind, a class without a valid {@link EventType}, or an incomplete
   * upcaster chain fail the open with {@link ValidationException}. Reading an event as a registered
   * type ({@link Store#get(EventId, Class)}, {@link Store#decode(StoredEvent, Class)}) applies the
   * version rules of docs/schema-evolution.md. Empty by default.
   *
   * @since 0.1
   */
  public List<Class<?>> eventTypes() {
    return eventTypes;
  }

  /**
   * The upcasters registered for the {@linkplain #eventTypes() event types}, in registration order:
   * one per type and version step. See {@link Upcaster}.
   *
   * @since 0.1
   */
  public List<Upcaster> upcasters() {
    return upcasters;
  }

  // --- compression ---

  /** The compression name that turns payload compression off, the default. */
  public static final String NO_COMPRESSION = "none";

  /**
   * The compressor new frames' payloads are written with: {@value #NO_COMPRESSION} (the default) or
   * a compressor's name, {@code lz4} or {@code zstd} with {@code io.batpak:batpak-compress} on the
   * class path. A payload of at least {@link #compressionThreshold()} bytes is stored compressed
   * when that makes it shorter; hashes, receipts and signatures are always over the uncompressed
   * bytes. The setting may change from one open to the next: each segment names the compressor it
   * was written with, and reads handle a mix. Opening a store with a compressor that is not on the
   * class path throws {@link ProviderException} ({@code BATPAK-COMPRESS-002}). See docs/codecs.md,
   * "Compression".
   *
   * @return the compressor's name, or {@value #NO_COMPRESSION}
   * @since 0.1
   */
  public String compression() {
    return compression;
  }

  /**
   * The smallest payload, in bytes, that is compressed (when {@link #compression()} names a
   * compressor): smaller payloads are stored as they are, byte for byte as without compression.
   * Between 1 and {@link #MAX_PAYLOAD_BYTES_LIMIT}; default 256.
   *
   * @return the threshold in bytes
   * @since 0.1
   */
  public int compressionThreshold() {
    return compressionThreshold;
  }

  /** The smallest dictionary {@link #compressionDictionaryBytes()} allows, besides 0 (off). */
  public static final int MIN_COMPRESSION_DICTIONARY_BYTES = 1024;

  /** The largest dictionary {@link #compressionDictionaryBytes()} allows. */
  public static final int MAX_COMPRESSION_DICTIONARY_BYTES = 1 << 20;

  /**
   * The size of the zstd dictionary the store trains from its own payloads, in bytes, or 0 (the
   * default) for none. Only {@link #compression()} {@code zstd} uses one. When it is set, a
   * read-write open uses the store's newest dictionary if it was trained for this size; otherwise
   * the store collects the payloads it appends (those of at least {@link #compressionThreshold()}
   * bytes) until they total 100 times this size, trains a dictionary from them, publishes it
   * durably as a new file beside the segments, and compresses every later payload with it. Each
   * compressed payload names the dictionary it was written with, and dictionary files are never
   * rewritten or removed, so changing this setting trains a new dictionary and older payloads read
   * with theirs. Between {@value #MIN_COMPRESSION_DICTIONARY_BYTES} and {@value
   * #MAX_COMPRESSION_DICTIONARY_BYTES}, or 0. See docs/codecs.md, "Compression".
   *
   * @return the dictionary size in bytes, or 0
   * @since 0.1
   */
  public int compressionDictionaryBytes() {
    return compressionDictionaryBytes;
  }

  // --- mapped reads ---

  /**
   * Whether reads go through memory mappings ({@link io.batpak.port.FileHandle#map}): a frame is
   * copied out of the mapping instead of read with a system call. On by default; it takes effect
   * only when the filesystem backend offers mappings ({@link
   * io.batpak.port.FsCapabilities#mappedReads()}), else reads use {@code pread} as they do when
   * this is off. Only bytes that never change are mapped: sealed segments whole (ADR 0030), and the
   * active segment in aligned chunks (a sixteenth of {@link #segmentMaxBytes()}, 64 KiB to 8 MiB)
   * once a completed fsync covers them whole (ADR 0031); its newest bytes are read with {@code
   * pread}. A mapping holds the pages (and, after compaction removed its file, the disk space) of
   * its segment until the garbage collector releases it. {@link OpenReport#mappedReads()} says
   * whether the open store uses mappings.
   *
   * @since 0.2
   */
  public boolean mappedReads() {
    return mappedReads;
  }

  // --- listener ---

  /**
   * What the store reports its work to (group commits, fsyncs, queue depth, watermarks, opens,
   * cursor checkpoints, compaction progress); {@link StoreListener#none()} by default. See {@link
   * StoreListener} for when and on which thread it is called, and what happens when it throws.
   *
   * @since 0.2
   */
  public StoreListener listener() {
    return listener;
  }

  // --- end listener ---

  @Override
  public String toString() {
    return "StoreConfig{directory="
        + directory
        + ", durability="
        + durability
        + ", syncMode="
        + syncMode
        + ", segmentMaxBytes="
        + segmentMaxBytes
        + ", readOnly="
        + readOnly
        + ", deterministic="
        + deterministic
        + "}";
  }

  /**
   * Collects options; {@link #build()} validates all of them at once. Not thread-safe.
   *
   * @since 0.1
   */
  public static final class Builder {
    private final Path directory;
    private Durability durability = Durability.DURABLE;
    private int visibleSyncEveryEvents = 1000;
    private Duration visibleSyncInterval = Duration.ofMillis(100);
    private SyncMode syncMode = SyncMode.DATA;
    private long segmentMaxBytes = 64L << 20;
    private int queueCapacity = 4096;
    private QueueFullPolicy queueFullPolicy = QueueFullPolicy.BLOCK;
    private Duration queueFullTimeout = Duration.ofSeconds(30);
    private int maxGroupEvents = 1024;
    private int maxPayloadBytes = 16 << 20;
    private int maxBatchEvents = 1024;
    private int maxBatchBytes = 16 << 20;
    private @Nullable StoreClock clock;
    private @Nullable StoreEntropy entropy;
    private @Nullable StoreFs fs;
    private @Nullable String fsBackend;
    private @Nullable String codec;
    private boolean readOnly;
    private boolean deterministic;
    private Duration closeTimeout = Duration.ofSeconds(10);
    private long checkpointEveryBytes = 256L << 20;
    // --- signing ---
    private final List<Bytes> signingKeys = new ArrayList<>();
    private final List<Bytes> verifyingKeys = new ArrayList<>();
    private SigningPolicy signingPolicy = SigningPolicy.OPTIONAL;
    // --- projections ---
    private boolean projectionCache;
    private int projectionCacheEvery = 1000;
    // --- event types ---
    private final List<Class<?>> eventTypes = new ArrayList<>();
    private final List<Upcaster> upcasters = new ArrayList<>();
    // --- compression ---
    private String compression = NO_COMPRESSION;
    private int compressionThreshold = 256;
    private int compressionDictionaryBytes;
    // --- mapped reads ---
    private boolean mappedReads = true;
    // --- listener ---
    private StoreListener listener = StoreListener.none();
    // --- end listener ---

    // --- gates ---
    private Duration gateBudget = Duration.ofMillis(100);

    private Builder(Path directory) {
      this.directory = directory;
    }

    /** See {@link StoreConfig#durability()}. */
    public Builder durability(Durability durability) {
      this.durability = durability;
      return this;
    }

    /**
     * {@link Durability#VISIBLE} mode with an fsync after {@code everyEvents} events or {@code
     * interval}, whichever comes first.
     */
    public Builder visible(int everyEvents, Duration interval) {
      this.durability = Durability.VISIBLE;
      this.visibleSyncEveryEvents = everyEvents;
      this.visibleSyncInterval = interval;
      return this;
    }

    /** See {@link StoreConfig#syncMode()}. */
    public Builder syncMode(SyncMode syncMode) {
      this.syncMode = syncMode;
      return this;
    }

    /** See {@link StoreConfig#segmentMaxBytes()}; 4 KiB to 1 GiB. */
    public Builder segmentMaxBytes(long bytes) {
      this.segmentMaxBytes = bytes;
      return this;
    }

    /** See {@link StoreConfig#checkpointEveryBytes()}; 0 (only on close) or 4 KiB to 1 TiB. */
    public Builder checkpointEveryBytes(long bytes) {
      this.checkpointEveryBytes = bytes;
      return this;
    }

    /** See {@link StoreConfig#queueCapacity()}; 1 to 1,048,576. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /** What happens when the queue is full; {@code timeout} applies to {@code BLOCK}. */
    public Builder whenQueueFull(QueueFullPolicy policy, Duration timeout) {
      this.queueFullPolicy = policy;
      this.queueFullTimeout = timeout;
      return this;
    }

    /** See {@link StoreConfig#maxGroupEvents()}; 1 to 65,536. */
    public Builder maxGroupEvents(int events) {
      this.maxGroupEvents = events;
      return this;
    }

    /** See {@link StoreConfig#maxPayloadBytes()}; 1 to {@link #MAX_PAYLOAD_BYTES_LIMIT}. */
    public Builder maxPayloadBytes(int bytes) {
      this.maxPayloadBytes = bytes;
      return this;
    }

    /** See {@link StoreConfig#maxBatchEvents()}; 1 to {@link #MAX_BATCH_EVENTS_LIMIT}. */
    public Builder maxBatchEvents(int events) {
      this.maxBatchEvents = events;
      return this;
    }

    /** See {@link StoreConfig#maxBatchBytes()}; 1 to {@link #MAX_BATCH_BYTES_LIMIT}. */
    public Builder maxBatchBytes(int bytes) {
      this.maxBatchBytes = bytes;
      return this;
    }

    /** See {@link StoreConfig#clock()}. */
    public Builder clock(@Nullable StoreClock clock) {
      this.clock = clock;
      return this;
    }

    /** See {@link StoreConfig#entropy()}. */
    public Builder entropy(@Nullable StoreEntropy entropy) {
      this.entropy = entropy;
      return this;
    }

    /**
     * Use this filesystem backend instance (no discovery), for example a {@code SimStoreFs} in a
     * test or a decorator around a real backend. The caller keeps ownership: the store never closes
     * it; close it after the store. Null goes back to discovery.
     */
    public Builder fs(@Nullable StoreFs fs) {
      this.fs = fs;
      return this;
    }

    /** Use the filesystem backend registered under {@code name}. */
    public Builder fsBackend(@Nullable String name) {
      this.fsBackend = name;
      return this;
    }

    /** See {@link StoreConfig#codec()}. */
    public Builder codec(@Nullable String name) {
      this.codec = name;
      return this;
    }

    /** See {@link StoreConfig#readOnly()}. */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /** See {@link StoreConfig#deterministic()}. */
    public Builder deterministic(boolean deterministic) {
      this.deterministic = deterministic;
      return this;
    }

    /** See {@link StoreConfig#closeTimeout()}. */
    public Builder closeTimeout(Duration timeout) {
      this.closeTimeout = timeout;
      return this;
    }

    // --- gates ---

    /** See {@link StoreConfig#gateBudget()}; between 1 µs and 1 hour. */
    public Builder gateBudget(Duration budget) {
      this.gateBudget = budget;
      return this;
    }

    // --- signing ---

    /**
     * Adds an Ed25519 signing key, a 32-byte private seed (RFC 8032). Call it once per key, oldest
     * first: the last key added signs, every key added verifies (key rotation). Copied; never
     * printed.
     *
     * @throws NullPointerException if {@code seed} is null
     */
    public Builder signingKey(Bytes seed) {
      signingKeys.add(Objects.requireNonNull(seed, "seed"));
      return this;
    }

    /**
     * Adds an Ed25519 public key (32 bytes) that verifies receipts but never signs, for a key
     * rotated out of {@link #signingKey}.
     *
     * @throws NullPointerException if {@code publicKey} is null
     */
    public Builder verifyingKey(Bytes publicKey) {
      verifyingKeys.add(Objects.requireNonNull(publicKey, "publicKey"));
      return this;
    }

    /** See {@link StoreConfig#signingPolicy()}; {@link SigningPolicy#OPTIONAL} by default. */
    public Builder signingPolicy(SigningPolicy policy) {
      this.signingPolicy = policy;
      return this;
    }

    // --- projections ---

    /** See {@link StoreConfig#projectionCache()}; off by default. */
    public Builder projectionCache(boolean enabled) {
      this.projectionCache = enabled;
      return this;
    }

    /** See {@link StoreConfig#projectionCacheEvery()}; between 1 and 2^30, default 1000. */
    public Builder projectionCacheEvery(int events) {
      this.projectionCacheEvery = events;
      return this;
    }

    // --- event types ---

    /**
     * Registers typed event classes (each annotated with {@link EventType}); see {@link
     * StoreConfig#eventTypes()}. May be called more than once; a class registered twice counts
     * once. Checked when the store opens.
     *
     * @throws NullPointerException if {@code types} or one of its elements is null
     */
    public Builder eventTypes(Class<?>... types) {
      Objects.requireNonNull(types, "types");
      for (int i = 0; i < types.length; i++) {
        Class<?> type = Objects.requireNonNull(types[i], "types[" + i + "]");
        if (!eventTypes.contains(type)) {
          eventTypes.add(type);
        }
      }
      return this;
    }

    /**
     * Registers one upcaster step for a registered event type; see {@link Upcaster} and {@link
     * StoreConfig#upcasters()}. Checked when the store opens.
     *
     * @throws NullPointerException if {@code upcaster} is null
     */
    public Builder upcaster(Upcaster upcaster) {
      upcasters.add(Objects.requireNonNull(upcaster, "upcaster"));
      return this;
    }

    // --- compression ---

    /**
     * See {@link StoreConfig#compression()}; {@value StoreConfig#NO_COMPRESSION} by default.
     *
     * @param name {@code none}, {@code lz4}, {@code zstd} or another compressor's name
     * @return this builder
     */
    public Builder compression(String name) {
      this.compression = name;
      return this;
    }

    /**
     * See {@link StoreConfig#compressionThreshold()}; between 1 and {@link
     * StoreConfig#MAX_PAYLOAD_BYTES_LIMIT} bytes, default 256.
     *
     * @param bytes the smallest payload that is compressed
     * @return this builder
     */
    public Builder compressionThreshold(int bytes) {
      this.compressionThreshold = bytes;
      return this;
    }

    // --- mapped reads ---

    /**
     * See {@link StoreConfig#mappedReads()}; on by default.
     *
     * @param enabled whether segments are read through memory mappings where the backend offers
     *     them
     * @return this builder
     * @since 0.2
     */
    public Builder mappedReads(boolean enabled) {
      this.mappedReads = enabled;
      return this;
    }

    // --- listener ---

    /**
     * See {@link StoreConfig#listener()}; {@link StoreListener#none()} by default. One listener per
     * store: a later call replaces an earlier one.
     *
     * @param listener what the store reports its work to
     * @return this builder
     * @throws NullPointerException if {@code listener} is null (pass {@link StoreListener#none()}
     *     for no listener)
     * @since 0.2
     */
    public Builder listener(StoreListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener");
      return this;
    }

    // --- end listener ---

    /**
     * See {@link StoreConfig#compressionDictionaryBytes()}; 0 (no dictionary) by default, else
     * between {@value StoreConfig#MIN_COMPRESSION_DICTIONARY_BYTES} and {@value
     * StoreConfig#MAX_COMPRESSION_DICTIONARY_BYTES}, with {@code compression("zstd")}.
     *
     * @param bytes the dictionary size, or 0 for none
     * @return this builder
     */
    public Builder compressionDictionaryBytes(int bytes) {
      this.compressionDictionaryBytes = bytes;
      return this;
    }

    /**
     * Validates every option and builds the configuration.
     *
     * @throws ValidationException listing every bad option, its value and the allowed range
     */
    public StoreConfig build() {
      List<String> problems = new ArrayList<>();
      if (directory == null) {
        problems.add("directory: must be set");
      }
      nonNull(problems, "durability", durability);
      nonNull(problems, "syncMode", syncMode);
      nonNull(problems, "queueFullPolicy", queueFullPolicy);
      range(problems, "visibleSyncEveryEvents", visibleSyncEveryEvents, 1, 1 << 30);
      positive(problems, "visibleSyncInterval", visibleSyncInterval);
      range(problems, "segmentMaxBytes", segmentMaxBytes, 4096, 1L << 30);
      range(problems, "queueCapacity", queueCapacity, 1, 1 << 20);
      if (checkpointEveryBytes != 0
          && (checkpointEveryBytes < 4096 || checkpointEveryBytes > 1L << 40)) {
        problems.add(
            "checkpointEveryBytes: must be 0 (a checkpoint only on close) or between "
                + 4096
                + " and "
                + (1L << 40)
                + ", got "
                + checkpointEveryBytes);
      }
      if (queueFullTimeout == null || queueFullTimeout.isNegative()) {
        problems.add("queueFullTimeout: must be zero or positive, got " + queueFullTimeout);
      }
      range(problems, "maxGroupEvents", maxGroupEvents, 1, 65_536);
      range(problems, "maxPayloadBytes", maxPayloadBytes, 1, MAX_PAYLOAD_BYTES_LIMIT);
      range(problems, "maxBatchEvents", maxBatchEvents, 1, MAX_BATCH_EVENTS_LIMIT);
      range(problems, "maxBatchBytes", maxBatchBytes, 1, MAX_BATCH_BYTES_LIMIT);
      positive(problems, "closeTimeout", closeTimeout);
      // --- gates ---
      if (gateBudget == null
          || gateBudget.compareTo(Duration.ofNanos(1000)) < 0
          || gateBudget.compareTo(Duration.ofHours(1)) > 0) {
        problems.add("gateBudget: must be between 1 µs and 1 hour, got " + gateBudget);
      }
      if (fs != null && fsBackend != null) {
        problems.add(
            "fs and fsBackend: give a backend instance or a backend name, not both (name '"
                + fsBackend
                + "')");
      }
      if (codec != null && !codec.matches("[a-z0-9][a-z0-9-]{0,31}")) {
        problems.add(
            "codec: a codec name is 1-32 lowercase ASCII letters, digits or '-', got '"
                + codec
                + "'");
      }
      // --- projections ---
      range(problems, "projectionCacheEvery", projectionCacheEvery, 1, 1 << 30);
      // --- compression ---
      if (compression == null || !compression.matches("[a-z][a-z0-9-]{0,31}")) {
        problems.add(
            "compression: '"
                + NO_COMPRESSION
                + "' or a compressor name (1-32 lowercase ASCII letters, digits or '-', starting"
                + " with a letter, such as lz4 or zstd), got "
                + (compression == null ? "null" : "'" + compression + "'"));
      }
      range(problems, "compressionThreshold", compressionThreshold, 1, MAX_PAYLOAD_BYTES_LIMIT);
      if (compressionDictionaryBytes != 0) {
        if (compressionDictionaryBytes < MIN_COMPRESSION_DICTIONARY_BYTES
            || compressionDictionaryBytes > MAX_COMPRESSION_DICTIONARY_BYTES) {
          problems.add(
              "compressionDictionaryBytes: must be 0 (no dictionary) or between "
                  + MIN_COMPRESSION_DICTIONARY_BYTES
                  + " and "
                  + MAX_COMPRESSION_DICTIONARY_BYTES
                  + ", got "
                  + compressionDictionaryBytes);
        }
        if (!"zstd".equals(compression)) {
          problems.add(
              "compressionDictionaryBytes: "
                  + compressionDictionaryBytes
                  + " asks for a dictionary, which only compression 'zstd' uses, but compression is "
                  + (compression == null ? "null" : "'" + compression + "'")
                  + "; set compression(\"zstd\") or compressionDictionaryBytes(0)");
        }
      }
      // --- signing ---
      nonNull(problems, "signingPolicy", signingPolicy);
      for (int i = 0; i < signingKeys.size(); i++) {
        if (signingKeys.get(i).size() != 32) {
          problems.add(
              "signingKey "
                  + i
                  + ": an Ed25519 private key is a 32-byte seed, got "
                  + signingKeys.get(i).size()
                  + " bytes");
        }
      }
      for (int i = 0; i < verifyingKeys.size(); i++) {
        if (verifyingKeys.get(i).size() != 32) {
          problems.add(
              "verifyingKey "
                  + i
                  + ": an Ed25519 public key is 32 bytes, got "
                  + verifyingKeys.get(i).size()
                  + " bytes");
        }
      }
      if (signingPolicy == SigningPolicy.REQUIRED && signingKeys.isEmpty()) {
        problems.add(
            "signingPolicy: REQUIRED needs at least one signingKey (add one with"
                + " StoreConfig.Builder.signingKey, or choose OPTIONAL)");
      }
      if (!problems.isEmpty()) {
        throw new ValidationException(
            "invalid store configuration for "
                + directory
                + ":\n  "
                + String.join("\n  ", problems));
      }
      if (clock == null) {
        clock = StoreClock.system();
      }
      if (entropy == null) {
        entropy = StoreEntropy.secure();
      }
      return new StoreConfig(this);
    }

    private static void nonNull(List<String> problems, String name, @Nullable Object value) {
      if (value == null) {
        problems.add(name + ": must not be null");
      }
    }

    private static void range(List<String> problems, String name, long value, long min, long max) {
      if (value < min || value > max) {
        problems.add(name + ": must be between " + min + " and " + max + ", got " + value);
      }
    }

    private static void positive(List<String> problems, String name, @Nullable Duration value) {
      if (value == null || value.isNegative() || value.isZero()) {
        problems.add(name + ": must be a positive duration, got " + value);
      }
    }
  }
}
