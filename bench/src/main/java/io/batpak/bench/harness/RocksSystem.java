package io.batpak.bench.harness;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.BloomFilter;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.RocksObject;
import org.rocksdb.Statistics;
import org.rocksdb.TickerType;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * RocksDB (rocksdbjni) used as an event store, the way a performance-minded application would embed
 * it: one database, default options plus a Bloom filter of 10 bits per key, and two kinds of keys
 * in its one key space.
 *
 * <ul>
 *   <li>{@code 'e' ‖ u16 length ‖ stream (UTF-8) ‖ u64 stream sequence}, big-endian, so one
 *       stream's events are adjacent and in order; the value is {@code event id (16 B) ‖ timestamp
 *       (8 B) ‖ kind (4 B) ‖ payload} (the columns the SQL peers store).
 *   <li>{@code 'i' ‖ event id (16 B)}: the secondary key for point reads; its value is the event's
 *       {@code 'e'} key.
 * </ul>
 *
 * <p>One append, or one batch, is one {@link WriteBatch} holding both keys of every event, written
 * with {@link WriteOptions#setSync(boolean) sync = true}: it returns after the write-ahead log's
 * fsync, so an acknowledged event survives power loss, as batpak's {@code DURABLE} appends do.
 * Concurrent writers are grouped by RocksDB's write leader into one WAL write and one fsync (its
 * group commit, counted in {@link #counters()} as {@code syncs}).
 *
 * <p>The expected-version check: RocksDB has no unique constraint, so each append takes a lock per
 * stream (every stream of a batch, in sorted order), reads the stream's head inside it (sequence
 * {@code version - 1} must exist and {@code version} must not) and holds the lock until its write
 * returns. Producers own disjoint streams, so the locks never wait on each other and writers of
 * different streams still share a group commit.
 */
public final class RocksSystem implements SystemUnderTest {
  static {
    RocksDB.loadLibrary();
  }

  /** Bytes of the value before the payload: event id, timestamp, kind. */
  static final int VALUE_HEADER = 16 + 8 + 4;

  private static final byte EVENT = 'e';
  private static final byte ID = 'i';

  private final ConcurrentHashMap<String, ReentrantLock> streamLocks = new ConcurrentHashMap<>();
  private Statistics stats;
  private BloomFilter bloom;
  private Options options;
  private WriteOptions sync;
  private RocksDB db;

  @Override
  public String name() {
    return "rocksdb";
  }

  @Override
  public String durability() {
    return "a WriteBatch per append or batch, WriteOptions.sync=true: returns after the WAL's fsync"
        + " (survives power loss); concurrent writers share one WAL write and fsync (group commit)";
  }

  @Override
  public String openAndCountHow() {
    return "RocksDB.open (replays the WAL) + an iteration over every event key of ";
  }

  @Override
  public void open(Path dir) throws Exception {
    stats = new Statistics();
    bloom = new BloomFilter(10);
    options =
        new Options()
            .setCreateIfMissing(true)
            .setStatistics(stats)
            .setTableFormatConfig(new BlockBasedTableConfig().setFilterPolicy(bloom));
    sync = new WriteOptions().setSync(true);
    db = RocksDB.open(options, dir.toString());
  }

  /** The key of {@code stream}'s event at {@code version}. */
  static byte[] eventKey(String stream, long version) {
    byte[] s = stream.getBytes(StandardCharsets.UTF_8);
    byte[] k = Arrays.copyOf(streamPrefix(s), 3 + s.length + 8);
    for (int i = 0; i < 8; i++) {
      k[3 + s.length + i] = (byte) (version >>> (56 - 8 * i));
    }
    return k;
  }

  private static byte[] streamPrefix(byte[] s) {
    if (s.length > 0xFFFF) {
      throw new IllegalArgumentException(
          "rocksdb: a stream name of " + s.length + " UTF-8 bytes is longer than 65535");
    }
    byte[] k = new byte[3 + s.length];
    k[0] = EVENT;
    k[1] = (byte) (s.length >>> 8);
    k[2] = (byte) s.length;
    System.arraycopy(s, 0, k, 3, s.length);
    return k;
  }

  private static byte[] idKey(byte[] id) {
    byte[] k = new byte[1 + id.length];
    k[0] = ID;
    System.arraycopy(id, 0, k, 1, id.length);
    return k;
  }

  private static byte[] value(EventToAppend e, byte[] id) {
    byte[] p = e.bytes();
    byte[] v = new byte[VALUE_HEADER + p.length];
    System.arraycopy(id, 0, v, 0, 16);
    long ts = e.idHi() >>> 20;
    for (int i = 0; i < 8; i++) {
      v[16 + i] = (byte) (ts >>> (56 - 8 * i));
    }
    int kind = BatpakSystem.KIND.raw();
    for (int i = 0; i < 4; i++) {
      v[24 + i] = (byte) (kind >>> (24 - 8 * i));
    }
    System.arraycopy(p, 0, v, VALUE_HEADER, p.length);
    return v;
  }

  private boolean has(byte[] key) throws RocksDBException {
    return db.get(key, new byte[0]) != RocksDB.NOT_FOUND;
  }

  /** Throws unless {@code stream}'s head is {@code version - 1} (no stream when 0). */
  private void checkHead(String stream, long version) throws RocksDBException {
    boolean prior = version == 0 || has(eventKey(stream, version - 1));
    if (!prior || has(eventKey(stream, version))) {
      throw new IllegalStateException(
          "rocksdb: stream '"
              + stream
              + "' is not at the expected version: appending sequence "
              + version
              + " needs sequence "
              + (version - 1)
              + " as the head ("
              + (prior ? "a later sequence exists" : "it is missing")
              + "); the producer must read the stream again");
    }
  }

  private ReentrantLock lockOf(String stream) {
    return streamLocks.computeIfAbsent(stream, s -> new ReentrantLock());
  }

  @Override
  public Object append(EventToAppend e) throws Exception {
    byte[] id = e.idBytes();
    ReentrantLock lock = lockOf(e.stream());
    lock.lock();
    try {
      checkHead(e.stream(), e.version());
      try (WriteBatch b = new WriteBatch()) {
        byte[] key = eventKey(e.stream(), e.version());
        b.put(key, value(e, id));
        b.put(idKey(id), key);
        db.write(sync, b);
      }
    } finally {
      lock.unlock();
    }
    return id;
  }

  @Override
  public List<Object> appendBatch(List<EventToAppend> events) throws Exception {
    TreeMap<String, ReentrantLock> locks = new TreeMap<>();
    for (EventToAppend e : events) {
      locks.computeIfAbsent(e.stream(), this::lockOf);
    }
    List<ReentrantLock> held = new ArrayList<>(locks.size());
    List<Object> keys = new ArrayList<>(events.size());
    try (WriteBatch b = new WriteBatch()) {
      for (ReentrantLock l : locks.values()) {
        l.lock();
        held.add(l);
      }
      Map<String, Long> heads = new HashMap<>();
      for (EventToAppend e : events) {
        Long head = heads.get(e.stream());
        if (head == null) {
          checkHead(e.stream(), e.version());
        } else if (e.version() != head + 1) {
          throw new IllegalStateException(
              "rocksdb: the batch appends sequence "
                  + e.version()
                  + " of stream '"
                  + e.stream()
                  + "' right after sequence "
                  + head
                  + "; a stream's events in one batch must be consecutive");
        }
        heads.put(e.stream(), e.version());
        byte[] id = e.idBytes();
        byte[] key = eventKey(e.stream(), e.version());
        b.put(key, value(e, id));
        b.put(idKey(id), key);
        keys.add(id);
      }
      db.write(sync, b);
    } finally {
      for (ReentrantLock l : held) {
        l.unlock();
      }
    }
    return keys;
  }

  @Override
  public int readPoint(Object key) throws Exception {
    byte[] eventKey = db.get(idKey((byte[]) key));
    if (eventKey == null) {
      throw new IllegalStateException("rocksdb: no event with that id");
    }
    byte[] v = db.get(eventKey);
    if (v == null) {
      throw new IllegalStateException("rocksdb: the id key names an event key that is missing");
    }
    return v.length - VALUE_HEADER;
  }

  @Override
  public int readStream(String stream) {
    byte[] prefix = streamPrefix(stream.getBytes(StandardCharsets.UTF_8));
    int n = 0;
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
        n += it.value().length > VALUE_HEADER ? 1 : 0;
      }
    }
    return n;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    return key.length >= prefix.length
        && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
  }

  @Override
  public EventChecksum scan() {
    EventChecksum.Accumulator acc = new EventChecksum.Accumulator();
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(new byte[] {EVENT}); it.isValid() && it.key()[0] == EVENT; it.next()) {
        byte[] k = it.key();
        int len = ((k[1] & 0xFF) << 8) | (k[2] & 0xFF);
        long version = 0;
        for (int i = 0; i < 8; i++) {
          version = (version << 8) | (k[3 + len + i] & 0xFF);
        }
        byte[] v = it.value();
        acc.add(
            new String(k, 3, len, StandardCharsets.UTF_8),
            version,
            Arrays.copyOfRange(v, VALUE_HEADER, v.length));
      }
    }
    return acc.result();
  }

  @Override
  public long openAndCount(Path dir) throws Exception {
    open(dir);
    long n = 0;
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(new byte[] {EVENT}); it.isValid() && it.key()[0] == EVENT; it.next()) {
        n++;
      }
    }
    return n;
  }

  /** {@code syncs}: the WAL fsyncs RocksDB made since {@link #open} (its statistics). */
  @Override
  public Map<String, Long> counters() {
    return stats == null
        ? Map.of()
        : Map.of("syncs", stats.getTickerCount(TickerType.WAL_FILE_SYNCED));
  }

  @Override
  public void close() {
    if (db != null) {
      db.close();
      db = null;
    }
    for (RocksObject o : new RocksObject[] {sync, options, bloom, stats}) {
      if (o != null) {
        o.close();
      }
    }
    sync = null;
    options = null;
    bloom = null;
    stats = null;
    streamLocks.clear();
  }
}
