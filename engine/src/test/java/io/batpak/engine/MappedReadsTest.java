package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreIoException;
import io.batpak.StoreVerification;
import io.batpak.StoredEvent;
import io.batpak.VerificationProgress;
import io.batpak.fs.sim.ErrorKind;
import io.batpak.fs.sim.FaultAction;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FaultTrigger;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.fs.spi.ForwardingFileHandle;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reads of sealed segments through memory mappings ({@code StoreConfig.mappedReads}, ADR 0030), and
 * of the active segment's durable chunks (ADR 0031): they return exactly what {@code pread}
 * returns, the active segment is mapped only in whole chunks a completed sync covered, a fault on
 * the map call is a typed error naming the segment, and a compaction that replaces mapped segments
 * under concurrent readers never serves a wrong event, on the simulator and on real files.
 */
@ExtendWith(Seeded.class)
class MappedReadsTest {
  private static final Path DIR = Path.of("/stores/mapped");

  @TempDir Path tmp;

  /** Payload of each receipt, in append order. */
  private final Map<AppendReceipt, byte[]> appended = new LinkedHashMap<>();

  private int opens;

  /** Small, so a few hundred events fill several segments. */
  private long segmentMaxBytes = 16384;

  private StoreConfig simConfig(SimStoreFs fs, boolean mapped) {
    opens++;
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(opens * 7919L + 1))
        .deterministic(true)
        .segmentMaxBytes(segmentMaxBytes)
        .mappedReads(mapped)
        .build();
  }

  /** Appends {@code n} events, about half of them in batches, with random payloads. */
  private void append(Store store, Random random, int n) {
    int done = 0;
    while (done < n) {
      if (random.nextBoolean()) {
        List<BatchItem> items = new ArrayList<>();
        List<byte[]> payloads = new ArrayList<>();
        int size = 2 + random.nextInt(8);
        for (int i = 0; i < size; i++) {
          byte[] p = payload(random);
          payloads.add(p);
          items.add(
              BatchItem.of(
                  Coordinate.of("order-" + random.nextInt(5), "s"),
                  StoreFixtures.KIND,
                  Bytes.of(p)));
        }
        List<AppendReceipt> receipts = store.appendBatch(items);
        for (int i = 0; i < size; i++) {
          appended.put(receipts.get(i), payloads.get(i));
        }
        done += size;
      } else {
        byte[] p = payload(random);
        appended.put(
            store.append(
                Coordinate.of("order-" + random.nextInt(5), "s"), StoreFixtures.KIND, Bytes.of(p)),
            p);
        done++;
      }
    }
  }

  private static byte[] payload(Random random) {
    byte[] p = new byte[1 + random.nextInt(random.nextInt(8) == 0 ? 3000 : 400)];
    random.nextBytes(p);
    return p;
  }

  /** Every appended event as the store returns it. */
  private List<StoredEvent> readAll(Store store) {
    List<StoredEvent> all = new ArrayList<>();
    for (Map.Entry<AppendReceipt, byte[]> e : appended.entrySet()) {
      StoredEvent got = store.get(e.getKey().eventId());
      assertArrayEquals(e.getValue(), got.payload().toByteArray(), e.getKey().toString());
      assertEquals(e.getKey().eventHash(), got.header().eventHash());
      all.add(got);
    }
    return all;
  }

  /** The segments the op log shows mapped from operation {@code from} on. */
  private static Set<String> mappedSince(SimStoreFs fs, long from) {
    Set<String> mapped = new TreeSet<>();
    for (OpRecord r : fs.opLog()) {
      if (r.seq() > from && r.op().equals("READ") && r.args().startsWith("map ")) {
        mapped.add(r.path());
      }
    }
    return mapped;
  }

  /** The newest segment's file name: the active one of an open store. */
  private static String newest(SimStoreFs fs) throws IOException {
    return fs.list(DIR).stream().filter(n -> n.endsWith(".seg")).reduce((a, b) -> b).orElseThrow();
  }

  private static long lastSeq(SimStoreFs fs) {
    List<OpRecord> log = fs.opLog();
    return log.isEmpty() ? 0 : log.get(log.size() - 1).seq();
  }

  @Test
  void mappedReadsReturnWhatPreadReturnsAndNeverMapTheActiveSegment(Random random)
      throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    try (Store store = Store.open(simConfig(fs, true))) {
      append(store, random, 250);
    }
    List<StoredEvent> mapped;
    try (Store store = Store.open(simConfig(fs, true))) {
      assertTrue(store.openReport().mappedReads(), "the simulator offers mappings");
      // into the active segment, read with pread: its 16 KiB never fill a 64 KiB chunk
      append(store, random, 40);
      long before = lastSeq(fs);
      mapped = readAll(store);
      Set<String> maps = mappedSince(fs, before);
      List<String> segments = store.openReport().segments();
      assertTrue(segments.size() >= 3, "several sealed segments: " + segments);
      assertFalse(maps.isEmpty(), "sealed segments were read through mappings");
      String active = DIR.resolve(newest(fs)).toString();
      assertFalse(maps.contains(active), "the active segment " + active + " was mapped: " + maps);
    }
    List<StoredEvent> pread;
    try (Store store = Store.open(simConfig(fs, false))) {
      assertFalse(store.openReport().mappedReads(), "mappedReads(false) turns mappings off");
      long before = lastSeq(fs);
      pread = readAll(store);
      assertEquals(Set.of(), mappedSince(fs, before), "nothing is mapped when the switch is off");
    }
    assertEquals(pread, mapped, "mapped reads return exactly what pread returns");
  }

  /**
   * The active segment's reads (ADR 0031): events appended in this session, read back while the
   * segment is still the active one, are served through mappings of whole chunks, and every chunk
   * mapped lies inside bytes a completed sync covered when it was mapped (replayed from the
   * simulator's operation log); the reads equal what pread returns.
   */
  @Test
  void theActiveSegmentIsMappedOnlyInWholeChunksASyncCovered(Random random) throws IOException {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    segmentMaxBytes = 4 << 20; // chunks of 256 KiB; the appends below stay in one segment
    List<StoredEvent> mapped;
    String active;
    try (Store store = Store.open(simConfig(fs, true))) {
      append(store, random, 2500); // about 1.2 MB
      active = DIR.resolve(newest(fs)).toString();
      mapped = readAll(store);
      append(store, random, 400); // more after the first maps, then read again
      readAll(store);
    }
    List<String> maps = new ArrayList<>();
    long written = 0;
    long synced = 0;
    for (OpRecord r : fs.opLog()) {
      if (!r.path().equals(active)) {
        continue;
      }
      Map<String, Long> args = numbers(r.args());
      if (r.op().equals("WRITE")) {
        written = Math.max(written, args.get("pos") + args.get("len"));
      } else if (r.op().equals("SYNC")) {
        synced = written;
      } else if (r.op().equals("READ") && r.args().startsWith("map ")) {
        long pos = args.get("pos");
        long len = args.get("len");
        assertEquals(256 << 10, len, "a chunk is mapped whole: " + r);
        assertEquals(0, pos % len, "a chunk is aligned: " + r);
        assertTrue(
            pos + len <= synced,
            "mapped bytes " + pos + ".." + (pos + len) + " past the " + synced + " synced: " + r);
        maps.add(r.args());
      }
    }
    assertTrue(maps.size() >= 3, "the active segment's durable chunks were mapped: " + maps);
    assertEquals(maps.size(), Set.copyOf(maps).size(), "no chunk is mapped twice: " + maps);
    try (Store store = Store.open(simConfig(fs, false))) {
      List<StoredEvent> pread = readAll(store);
      assertEquals(pread.subList(0, mapped.size()), mapped, "mapped reads equal pread");
    }
  }

  /** The numbers of an operation's arguments ({@code pos=1 len=2 ...}). */
  private static Map<String, Long> numbers(String args) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String part : args.split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        try {
          out.put(part.substring(0, eq), Long.parseLong(part.substring(eq + 1)));
        } catch (NumberFormatException notANumber) {
          // crc32c and the like
        }
      }
    }
    return out;
  }

  /**
   * Readers read random acknowledged events while a writer appends into the same active segment (so
   * its chunks get mapped while it grows) on real files: every read returns the payload appended,
   * and the store verifies afterwards.
   */
  @Test
  void readsWhileTheActiveSegmentGrowsOnRealFiles(Random random) throws Exception {
    StoreConfig config =
        StoreConfig.builder(tmp).segmentMaxBytes(2 << 20).mappedReads(true).build();
    List<AppendReceipt> acknowledged = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<AppendReceipt, byte[]> payloads = new java.util.concurrent.ConcurrentHashMap<>();
    AtomicLong reads = new AtomicLong();
    try (Store store = Store.open(config)) {
      Readers readers = new Readers(2, random, store, acknowledged, payloads, reads);
      try {
        for (int i = 0; i < 12_000; i++) { // about 6 MB: chunks of 128 KiB, three segments
          byte[] p = payload(random);
          AppendReceipt receipt =
              store.append(
                  Coordinate.of("order-" + random.nextInt(5), "s"),
                  StoreFixtures.KIND,
                  Bytes.of(p));
          payloads.put(receipt, p);
          acknowledged.add(receipt);
        }
      } finally {
        readers.stop("while the active segment grew");
      }
      assertTrue(reads.get() > 0, "the readers read");
    }
    try (Store store = Store.open(config)) {
      for (AppendReceipt receipt : acknowledged) {
        assertArrayEquals(
            payloads.get(receipt), store.get(receipt.eventId()).payload().toByteArray());
      }
      StoreVerification all = store.verifyAll(VerificationProgress.none());
      assertEquals(0, all.problemCount(), all.problems().toString());
    }
  }

  @Test
  void aBackendWithoutMappingsReadsWithPread(Random random) {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).mappedReads(false).build();
    try (Store store = Store.open(simConfig(fs, true))) {
      append(store, random, 120);
    }
    try (Store store = Store.open(simConfig(fs, true))) {
      assertFalse(store.openReport().mappedReads(), "the backend offers no mappings");
      long before = lastSeq(fs);
      readAll(store);
      assertEquals(Set.of(), mappedSince(fs, before));
    }
  }

  /** Announces mappings (the simulator's capabilities) but refuses every map call. */
  private static final class RefusingMaps extends ForwardingStoreFs {
    RefusingMaps(StoreFs delegate) {
      super(delegate);
    }

    @Override
    protected FileHandle onHandle(FileHandle handle) {
      return new ForwardingFileHandle(handle) {
        @Override
        public ByteBuffer map(long position, int length) throws IOException {
          throw new UnsupportedFsOperationException("this backend refuses every map");
        }
      };
    }
  }

  @Test
  void aBackendThatRefusesToMapAfterAnnouncingItIsReadWithPread(Random random) {
    SimStoreFs sim = SimStoreFs.builder().seed(random.nextLong()).build();
    try (Store store = Store.open(simConfig(sim, true))) {
      append(store, random, 120);
    }
    RefusingMaps fs = new RefusingMaps(sim);
    StoreConfig config = StoreConfig.builder(DIR).fs(fs).mappedReads(true).build();
    try (Store store = Store.open(config)) {
      assertTrue(store.openReport().mappedReads(), "the backend announced mappings at open");
      long before = lastSeq(sim);
      readAll(store);
      readAll(store);
      assertEquals(Set.of(), mappedSince(sim, before), "nothing was mapped");
    }
  }

  @Test
  void aFaultOnTheMapCallIsATypedErrorNamingTheSegment(Random random) {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    try (Store store = Store.open(simConfig(fs, true))) {
      append(store, random, 120);
    }
    try (Store store = Store.open(simConfig(fs, true))) {
      AppendReceipt first = appended.keySet().iterator().next();
      String segment = DIR.resolve("0000000001.seg").toString();
      fs.addFault(
          FaultRule.on(FsOp.READ, segment, FaultTrigger.nth(1), FaultAction.fail(ErrorKind.IO)));
      StoreIoException failed =
          assertThrows(StoreIoException.class, () -> store.get(first.eventId()));
      assertTrue(failed.getMessage().contains(segment), failed.getMessage());
      assertTrue(failed.getMessage().contains("mapping"), failed.getMessage());
      OpRecord injected =
          fs.opLog().stream().filter(OpRecord::injected).reduce((a, b) -> b).orElseThrow();
      assertTrue(injected.args().startsWith("map "), "the map call was faulted: " + injected);
      // The fault fired once: the next read maps the segment and returns the event.
      assertArrayEquals(appended.get(first), store.get(first.eventId()).payload().toByteArray());
    }
  }

  @Test
  void compactionUnderMappedReadersOnTheSimulator(Random random) throws Exception {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    segmentMaxBytes = 4 << 20; // room to merge every round's segment
    compactRounds(random, mapped -> simConfig(fs, mapped));
  }

  @Test
  void compactionUnderMappedReadersOnRealFiles(Random random) throws Exception {
    compactRounds(random, mapped -> StoreConfig.builder(tmp).mappedReads(mapped).build());
  }

  /**
   * Threads that each read random events of {@code receipts} (a list that may grow while they run)
   * until {@link #stop}, checking each against its payload in {@code payloads} and its event hash.
   */
  private static final class Readers {
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicReference<Throwable> failed = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    Readers(
        int n,
        Random random,
        Store store,
        List<AppendReceipt> receipts,
        Map<AppendReceipt, byte[]> payloads,
        AtomicLong reads) {
      for (int t = 0; t < n; t++) {
        Random r = new Random(random.nextLong());
        Thread th =
            new Thread(
                () -> {
                  try {
                    while (!done.get()) {
                      int size = receipts.size();
                      if (size == 0) {
                        Thread.onSpinWait();
                        continue;
                      }
                      AppendReceipt pick = receipts.get(r.nextInt(size));
                      StoredEvent e = store.get(pick.eventId());
                      assertArrayEquals(payloads.get(pick), e.payload().toByteArray());
                      assertEquals(pick.eventHash(), e.header().eventHash());
                      reads.incrementAndGet();
                    }
                  } catch (Throwable x) {
                    failed.compareAndSet(null, x);
                  }
                });
        th.start();
        threads.add(th);
      }
    }

    /** Stops and joins the readers; the first failure of any is rethrown, saying {@code when}. */
    void stop(String when) throws InterruptedException {
      done.set(true);
      for (Thread th : threads) {
        th.join();
      }
      if (failed.get() != null) {
        throw new AssertionError("a read failed " + when, failed.get());
      }
    }
  }

  /**
   * Rounds of: open (a new small segment each time), append, then merge small sealed segments while
   * three readers read random events through mappings; every read must return the payload appended,
   * and the store must verify at the end, mapped and not.
   */
  private void compactRounds(Random random, Function<Boolean, StoreConfig> config)
      throws Exception {
    int performed = 0;
    AtomicLong reads = new AtomicLong();
    for (int round = 0; round < 8; round++) {
      try (Store store = Store.open(config.apply(true))) {
        assertTrue(store.openReport().mappedReads(), "the backend offers mappings");
        append(store, random, 30);
        List<AppendReceipt> receipts = new ArrayList<>(appended.keySet());
        Readers readers = new Readers(3, random, store, receipts, appended, reads);
        CompactionResult result = store.compact(CompactionConfig.merge());
        readers.stop("in round " + round);
        if (result.outcome() == CompactionResult.Outcome.PERFORMED) {
          performed++;
        }
        readAll(store);
      }
    }
    assertTrue(performed >= 4, "compactions performed: " + performed);
    assertTrue(reads.get() > 0, "the readers read");
    for (boolean mapped : new boolean[] {true, false}) {
      try (Store store = Store.open(config.apply(mapped))) {
        readAll(store);
        StoreVerification all = store.verifyAll(VerificationProgress.none());
        assertEquals(0, all.problemCount(), all.problems().toString());
        assertEquals(appended.size(), all.eventsChecked());
      }
    }
  }
}
