package io.batpak.bench.harness;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Durability;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.fs.posix.PosixStoreFsProvider;
import io.batpak.fs.spi.ForwardingFileHandle;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import io.batpak.spi.FsOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * batpak through its public API on the {@code posix} backend, in {@code DURABLE} or {@code VISIBLE}
 * mode. The backend instance is wrapped in a {@link ForwardingStoreFs} that counts the writes and
 * syncs of segment files (two atomic increments per call), so the harness can report events per
 * fsync and writes per batch.
 */
public final class BatpakSystem implements SystemUnderTest {
  /** The kind of every benchmark event. */
  public static final EventKind KIND = EventKind.custom(0x1, 0x001);

  private final boolean visible;
  private final Signing signing;

  /**
   * How receipts are signed (issue 12, docs/performance.md "Signed receipts"): not at all; by the
   * engine, one Ed25519 signature per group commit over its receipt tree; or one Ed25519 signature
   * per event, made by the appending thread right after its append returns (Bouncy Castle), the
   * per-event cost on the cores that run the producers.
   */
  public enum Signing {
    NONE,
    GROUP,
    PER_EVENT
  }

  /** The fixed Ed25519 seed of the signing systems (bytes 1..32). */
  private static final byte[] SEED = new byte[32];

  static {
    for (int i = 0; i < 32; i++) {
      SEED[i] = (byte) (i + 1);
    }
  }

  private static final org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters KEY =
      new org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters(SEED, 0);
  private final AtomicLong syncs = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private StoreFs fs;
  private Store store;

  /** batpak in {@code DURABLE} mode, or in {@code VISIBLE} mode (sync every 1000 events/100 ms). */
  public BatpakSystem(boolean visible) {
    this(visible, Signing.NONE);
  }

  /** batpak in {@code DURABLE} mode with receipts signed as {@code signing} says. */
  public BatpakSystem(boolean visible, Signing signing) {
    this.visible = visible;
    this.signing = signing;
  }

  @Override
  public String name() {
    String base = visible ? "batpak-visible" : "batpak-durable";
    return switch (signing) {
      case NONE -> base;
      case GROUP -> "batpak-signed";
      case PER_EVENT -> "batpak-signed-per-event";
    };
  }

  /** One Ed25519 signature over the receipt's event id and hashes (PER_EVENT). */
  private static void signOne(AppendReceipt r) {
    org.bouncycastle.crypto.signers.Ed25519Signer s =
        new org.bouncycastle.crypto.signers.Ed25519Signer();
    s.init(true, KEY);
    byte[] id = r.eventId().toBytes();
    s.update(id, 0, id.length);
    byte[] h = r.eventHash().toByteArray();
    s.update(h, 0, h.length);
    byte[] c = r.contentHash().toByteArray();
    s.update(c, 0, c.length);
    if (s.generateSignature().length != 64) {
      throw new IllegalStateException("an Ed25519 signature is 64 bytes");
    }
  }

  @Override
  public String durability() {
    return visible
        ? "VISIBLE: acknowledged after the write; fsync every 1000 events or 100 ms (a crash may"
            + " lose the last acknowledged events)"
        : "DURABLE: acknowledged after the fdatasync that covers the event (survives power loss)";
  }

  private StoreConfig config(Path dir) throws IOException {
    StoreFs posix = new PosixStoreFsProvider().open(FsOptions.defaults());
    fs =
        new ForwardingStoreFs(posix) {
          @Override
          protected FileHandle onHandle(FileHandle handle) {
            if (!handle.path().toString().endsWith(".seg")) {
              return handle;
            }
            return new ForwardingFileHandle(handle) {
              @Override
              public void write(ByteBuffer src, long position) throws IOException {
                writes.incrementAndGet();
                super.write(src, position);
              }

              @Override
              public void sync(SyncMode mode) throws IOException {
                syncs.incrementAndGet();
                super.sync(mode);
              }
            };
          }
        };
    StoreConfig.Builder b = StoreConfig.builder(dir).fs(fs).durability(Durability.DURABLE);
    if (visible) {
      b.visible(1000, Duration.ofMillis(100));
    }
    if (signing == Signing.GROUP) {
      b.signingKey(io.batpak.Bytes.of(SEED));
    }
    return b.build();
  }

  @Override
  public void open(Path dir) throws Exception {
    store = Store.open(config(dir));
  }

  /** The open store (for batpak-only workloads). */
  public Store store() {
    return store;
  }

  private static final AppendOptions FIRST =
      AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream());

  /** Options that append at stream sequence {@code version} (the last event is version - 1). */
  static AppendOptions at(long version) {
    return version == 0
        ? FIRST
        : AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(version - 1));
  }

  /** Appends {@code e} to {@code store} at its expected version (every batpak system). */
  static AppendReceipt append(Store store, EventToAppend e) {
    return store.append(
        e.source().coordinate(e.entity()), KIND, e.source().wrapped(e.payload()), at(e.version()));
  }

  /** {@code events} as batch items, each at its expected version (every batpak system). */
  static List<BatchItem> batchItems(List<EventToAppend> events) {
    List<BatchItem> items = new ArrayList<>(events.size());
    for (EventToAppend e : events) {
      items.add(
          BatchItem.of(e.source().coordinate(e.entity()), KIND, e.source().wrapped(e.payload()))
              .withOptions(at(e.version())));
    }
    return items;
  }

  @Override
  public Object append(EventToAppend e) {
    AppendReceipt r = append(store, e);
    if (signing == Signing.PER_EVENT) {
      signOne(r);
    }
    return r.eventId();
  }

  @Override
  public List<Object> appendBatch(List<EventToAppend> events) {
    List<Object> keys = new ArrayList<>(events.size());
    for (AppendReceipt r : store.appendBatch(batchItems(events))) {
      if (signing == Signing.PER_EVENT) {
        signOne(r);
      }
      keys.add(r.eventId());
    }
    return keys;
  }

  @Override
  public boolean hasSubmit() {
    return true;
  }

  @Override
  public CompletableFuture<AppendReceipt> submit(EventToAppend e) {
    CompletableFuture<AppendReceipt> f =
        store.submit(
            e.source().coordinate(e.entity()),
            KIND,
            e.source().wrapped(e.payload()),
            at(e.version()));
    if (signing != Signing.PER_EVENT) {
      return f;
    }
    return f.thenApply(
        r -> {
          signOne(r);
          return r;
        });
  }

  @Override
  public int readPoint(Object key) {
    return store.get((EventId) key).payload().size();
  }

  /** {@code get} with decode of the JSON payload into a record (W5 get). */
  public int readPointDecoded(Object key) {
    BenchEvent ev = store.get((EventId) key, BenchEvent.class);
    return ev.note().length();
  }

  @Override
  public int readStream(String stream) {
    return readStream(store, stream);
  }

  /** Reads every event of {@code stream} in {@code store}, payloads included; returns how many. */
  static int readStream(Store store, String stream) {
    int n = 0;
    for (StoredEvent e : store.streamEvents(stream, 0, Integer.MAX_VALUE)) {
      n += e.payload().size() > 0 ? 1 : 0;
    }
    return n;
  }

  /** Headers only (W6 headers). */
  public int readStreamHeaders(String stream) {
    return store.stream(stream).size();
  }

  @Override
  public EventChecksum scan() {
    return scan(store);
  }

  /** Every event {@code store} holds, as a count and checksum (the fairness check). */
  static EventChecksum scan(Store store) {
    EventChecksum.Accumulator acc = new EventChecksum.Accumulator();
    long after = -1;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), after, 4096);
      if (page.isEmpty()) {
        break;
      }
      for (EventHeader h : page) {
        acc.add(h.entity(), h.streamSequence(), store.get(h.eventId()).payload().toByteArray());
        after = h.globalSequence();
      }
    }
    return acc.result();
  }

  @Override
  public String openAndCountHow() {
    return "Store.open after a clean close (index checkpoint; W8-open has the other paths) of ";
  }

  @Override
  public long openAndCount(Path dir) throws Exception {
    open(dir);
    return store.stats().eventCount();
  }

  @Override
  public Map<String, Long> counters() {
    return Map.of("syncs", syncs.get(), "writes", writes.get());
  }

  /** Clears the counters. */
  public void resetCounters() {
    syncs.set(0);
    writes.set(0);
  }

  @Override
  public void close() throws Exception {
    if (store != null) {
      store.close();
      store = null;
    }
    if (fs != null) {
      fs.close();
      fs = null;
    }
  }
}
