package io.batpak.it.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.CorruptStoreException;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.OpenReport;
import io.batpak.Payload;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSeed;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The damage explorer: builds stores whose every append was acknowledged ({@code DURABLE}) and that
 * were closed cleanly, then damages their durable bytes, one field at a time, and reopens them
 * read-only and mutable.
 *
 * <p>Stores: six small ones (one segment of at most 1024 bytes holding 1 to 5 events, as singles
 * and batches, with and without extensions, keys, correlation and causation: where a damaged header
 * made recovery delete a whole segment with its frames) and a large one (4 KiB segments, more than
 * 100 events, batches, large payloads). Fields: every field of {@code docs/format.md} ({@link
 * SegmentMap}): the segment header's magic, version, length, number, creation time, base global
 * sequence, names, name lengths and CRC; each frame's length, CRC, type, reserved bytes, base
 * global sequence, event count and durable end, and each event record's length, ids, causation,
 * entity, scope, kind, sequences, timestamp, payload version, flags, extensions, hashes, payload
 * length and payload. In the small stores every field of every frame; in the large one every field
 * of the header and of the first, middle and last frames (and the one before the last in the newest
 * segment) of the oldest, a middle and the newest segment, with the records of a batch sampled at
 * its first and last. Damage: one seeded bit flipped, one seeded non-zero byte zeroed, the whole
 * field zeroed, and, for the header length (whose value decides where the CRC is read), every bit
 * flipped in turn.
 *
 * <p>The oracle, for each open:
 *
 * <ul>
 *   <li>it refuses with {@link CorruptStoreException} naming the damaged segment, at an offset
 *       inside the damaged field or at the start of the frame (or header) that holds it; or
 *   <li>it opens with every acknowledged event present, identical bytes and verifying receipts,
 *       which means the damage hit a byte no check covers: reported as a violation ("damage went
 *       unnoticed"); or
 *   <li>the damage is in the newest segment's last frame: no later frame proves it was ever synced,
 *       so it is indistinguishable from a write a power loss tore, and the open may cut it as a
 *       torn tail (reported at that frame's offset, losing exactly that frame's events). The format
 *       cannot tell bit rot there from a torn write; this is counted as {@code
 *       cut-unprovable-tail}, never excused anywhere else;
 *   <li>damage in a sealed (older) segment is never reported as a torn tail;
 *   <li>a read-only open changes no segment byte, and neither does a mutable open that refuses;
 *   <li>after the mutable open (success or refusal) every frame that was CRC-valid in the damaged
 *       file is still there, byte for byte: recovery never deletes or cuts a valid frame;
 *   <li>no handle or lock outlives the open (or the close).
 * </ul>
 *
 * <p>Properties: {@code -Dbatpak.seed=N} (the base seed of every store and damage), {@code
 * -Dbatpak.damage.only=TEXT} (only the cases whose id contains TEXT). Writes {@code
 * target/damage-report.json}.
 */
class DamageExplorerIT {
  static final long DEFAULT_SEED = 0xDA3A6E0001L;
  static final Path DIR = Workload.DIR;

  static String replay(long seed, String caseId) {
    return "mvn -B verify -pl it -Dit.test=DamageExplorerIT -Dbatpak.seed="
        + seed
        + (caseId == null ? "" : " '-Dbatpak.damage.only=" + caseId + "'");
  }

  // =====================================================================================
  // Stores
  // =====================================================================================

  /** One event a store plan appends. */
  record Event(Coordinate coordinate, EventKind kind, byte[] payload, AppendOptions options) {}

  /** One acknowledged event: its receipt and its payload. */
  record Acked(AppendReceipt receipt, FrameLocation frame, byte[] payload) {}

  /**
   * A store after a clean close (and a power loss, so only durable bytes remain): its state, what
   * was acknowledged, and the map of every segment.
   */
  record Built(
      String name,
      long seed,
      SimSnapshot clean,
      List<Acked> acked,
      Map<String, byte[]> segments,
      Map<String, SegmentMap> maps) {
    String newest() {
      String last = null;
      for (String s : segments.keySet()) {
        last = s;
      }
      return last;
    }

    /** The acknowledged events held by frame {@code frame} of {@code segment}. */
    List<Acked> inFrame(String segment, SegmentMap.Frame frame) {
      long id = Long.parseLong(segment.substring(0, segment.indexOf('.')));
      List<Acked> out = new ArrayList<>();
      for (Acked a : acked) {
        if (a.frame().segmentId() == id && a.frame().offset() == frame.offset()) {
          out.add(a);
        }
      }
      return out;
    }
  }

  static StoreConfig config(SimStoreFs fs, long seed, long segmentMaxBytes, boolean readOnly) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .segmentMaxBytes(segmentMaxBytes)
        .readOnly(readOnly)
        .build();
  }

  /** Appends {@code calls} (one event: an append; more: a batch) and closes cleanly. */
  static Built build(String name, long seed, long segmentMaxBytes, List<List<Event>> calls) {
    SimStoreFs fs = SimStoreFs.builder().seed(seed).build();
    SimStoreClock clock = new SimStoreClock();
    List<Acked> acked = new ArrayList<>();
    StoreConfig cfg =
        StoreConfig.builder(DIR)
            .fs(fs)
            .clock(clock)
            .entropy(new SimEntropy(seed))
            .deterministic(true)
            .segmentMaxBytes(segmentMaxBytes)
            .build();
    try (Store st = Store.open(cfg)) {
      for (List<Event> call : calls) {
        clock.advance(Duration.ofMillis(3));
        List<AppendReceipt> receipts;
        if (call.size() == 1) {
          Event e = call.get(0);
          receipts =
              List.of(st.append(e.coordinate(), e.kind(), Bytes.of(e.payload()), e.options()));
        } else {
          List<BatchItem> items = new ArrayList<>();
          for (int i = 0; i < call.size(); i++) {
            Event e = call.get(i);
            BatchItem item =
                new BatchItem(
                    e.coordinate(), e.kind(), Payload.raw(Bytes.of(e.payload())), e.options(), -1);
            boolean link = i % 2 == 1 && e.options().causationId() == null;
            items.add(link ? item.causedBy(i - 1) : item);
          }
          receipts = st.appendBatch(items);
        }
        for (int i = 0; i < call.size(); i++) {
          acked.add(
              new Acked(
                  receipts.get(i),
                  FrameLocation.of(st, receipts.get(i).eventId()),
                  call.get(i).payload()));
        }
      }
    }
    // Only what is durable counts: a clean close must have made everything durable.
    fs.crash(CrashProfile.STRICT);
    Map<String, byte[]> segments = new TreeMap<>();
    Map<String, SegmentMap> maps = new TreeMap<>();
    try {
      for (String f : fs.list(DIR)) {
        if (f.endsWith(".seg")) {
          byte[] b = fs.contentOf(DIR.resolve(f));
          segments.put(f, b);
          maps.put(f, SegmentMap.of(b));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new Built(name, seed, fs.snapshot(), List.copyOf(acked), segments, maps);
  }

  static Event event(String entity, byte[] payload, AppendOptions options) {
    return new Event(Coordinate.of(entity, "s"), EventKind.custom(1, 2), payload, options);
  }

  static byte[] payload(SplittableRandom rnd, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) ('a' + rnd.nextInt(26));
    }
    return b;
  }

  /** Options with every optional field set: key, correlation, causation, flags, an extension. */
  static AppendOptions rich(long seed, int tag) {
    return AppendOptions.defaults()
        .withIdempotencyKey(IdempotencyKey.of(seed, tag))
        .withCorrelation(CorrelationId.of(seed ^ 0xC0, tag + 1000))
        .withCausation(CausationId.of(seed ^ 0xCA, tag + 2000))
        .withFlags(0x5)
        .withExtension(ExtensionKey.of("app.tenant"), Bytes.utf8("acme"));
  }

  /** The small stores: one segment of at most 1024 bytes, 1 to 5 events. */
  static List<Built> smallStores(long base) {
    List<Built> out = new ArrayList<>();
    AppendOptions plain = AppendOptions.defaults();
    SplittableRandom rnd = new SplittableRandom(base);
    out.add(
        build("small-1", base + 1, 1 << 20, List.of(List.of(event("a", payload(rnd, 24), plain)))));
    out.add(
        build(
            "small-2",
            base + 2,
            1 << 20,
            List.of(
                List.of(event("a", payload(rnd, 30), plain)),
                List.of(event("a", payload(rnd, 30), plain)))));
    out.add(
        build(
            "small-3",
            base + 3,
            1 << 20,
            List.of(
                List.of(event("a", payload(rnd, 10), plain)),
                List.of(event("b", payload(rnd, 8), plain), event("a", payload(rnd, 8), plain)))));
    out.add(
        build(
            "small-4",
            base + 4,
            1 << 20,
            List.of(
                List.of(event("a", payload(rnd, 4), plain)),
                List.of(event("b", payload(rnd, 4), plain)),
                List.of(event("a", payload(rnd, 4), plain)),
                List.of(event("b", payload(rnd, 4), plain)))));
    List<Event> five = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      five.add(event(i % 2 == 0 ? "a" : "b", payload(rnd, 3), plain));
    }
    out.add(build("small-5", base + 5, 1 << 20, List.of(five)));
    out.add(
        build(
            "small-rich",
            base + 6,
            1 << 20,
            List.of(
                List.of(event("a", payload(rnd, 12), rich(base, 1))),
                List.of(event("a", new byte[0], rich(base, 2))))));
    for (Built b : out) {
      byte[] only = b.segments().values().iterator().next();
      if (b.segments().size() != 1 || only.length > 1024) {
        throw new IllegalStateException(
            b.name()
                + " is not one segment of at most 1024 bytes: "
                + b.segments().size()
                + " segments, "
                + only.length
                + " bytes");
      }
    }
    return out;
  }

  /** The large store: 4 KiB segments, more than 100 events, batches, large payloads. */
  static Built largeStore(long base) {
    SplittableRandom rnd = new SplittableRandom(base ^ 0x1A46EL);
    List<List<Event>> calls = new ArrayList<>();
    int events = 0;
    int tag = 0;
    while (events < 110) {
      int n = rnd.nextInt(10) < 6 ? 1 : 2 + rnd.nextInt(5);
      List<Event> call = new ArrayList<>();
      boolean keyed = rnd.nextInt(6) == 0; // keys go on every item of a batch or on none
      for (int i = 0; i < n; i++) {
        int len = rnd.nextInt(10) == 0 ? 1500 + rnd.nextInt(1500) : 8 + rnd.nextInt(200);
        AppendOptions o = keyed ? rich(base, 10 + tag) : AppendOptions.defaults();
        call.add(event("stream-" + rnd.nextInt(6), payload(rnd, len), o));
        tag++;
      }
      calls.add(call);
      events += n;
    }
    // The newest segment ends in a batch, after a single append.
    calls.add(List.of(event("stream-0", payload(rnd, 40), AppendOptions.defaults())));
    calls.add(
        List.of(
            event("stream-1", payload(rnd, 30), AppendOptions.defaults()),
            event("stream-2", payload(rnd, 30), AppendOptions.defaults()),
            event("stream-1", payload(rnd, 30), AppendOptions.defaults())));
    Built b = build("large", base + 7, 4096, calls);
    if (b.segments().size() < 3 || b.acked().size() < 100) {
      throw new IllegalStateException(
          "the large store has " + b.segments().size() + " segments, " + b.acked().size());
    }
    return b;
  }

  // =====================================================================================
  // Damage
  // =====================================================================================

  /**
   * One damage: in {@code segment} of {@code store}, the bytes of {@code field} replaced by {@code
   * damaged}.
   */
  record Case(Built store, String segment, SegmentMap.Field field, String how, byte[] damaged) {
    String id() {
      return store.name() + "/" + segment + "/" + field.name() + "/" + how;
    }

    boolean newest() {
      return segment.equals(store.newest());
    }

    boolean inLastFrameOfNewest() {
      SegmentMap m = store.maps().get(segment);
      return newest() && !field.inHeader() && field.frame() == m.frames.size() - 1;
    }
  }

  /** Every damage of {@code field}: a flipped bit, a zeroed byte, a zeroed field (where any). */
  static List<Case> damages(Built store, String segment, SegmentMap.Field field, long seed) {
    byte[] file = store.segments().get(segment);
    byte[] orig =
        Arrays.copyOfRange(file, (int) field.offset(), (int) field.offset() + field.length());
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Case> out = new ArrayList<>();
    if (field.name().equals("header.length")) {
      for (int i = 0; i < field.length() * 8; i++) {
        byte[] d = orig.clone();
        d[i / 8] ^= (byte) (1 << (i % 8));
        out.add(new Case(store, segment, field, "flip-bit-" + i, d));
      }
    } else {
      int at = rnd.nextInt(orig.length);
      int bit = rnd.nextInt(8);
      byte[] d = orig.clone();
      d[at] ^= (byte) (1 << bit);
      out.add(new Case(store, segment, field, "flip-byte-" + at + "-bit-" + bit, d));
    }
    List<Integer> nonZero = new ArrayList<>();
    for (int i = 0; i < orig.length; i++) {
      if (orig[i] != 0) {
        nonZero.add(i);
      }
    }
    if (!nonZero.isEmpty()) {
      int at = nonZero.get(rnd.nextInt(nonZero.size()));
      byte[] d = orig.clone();
      d[at] = 0;
      out.add(new Case(store, segment, field, "zero-byte-" + at, d));
      if (orig.length > 1) {
        out.add(new Case(store, segment, field, "zero-field", new byte[orig.length]));
      }
    }
    return out;
  }

  /** The small stores: every field of every segment (there is one). */
  static List<Case> smallCases(List<Built> stores, long base) {
    List<Case> out = new ArrayList<>();
    for (Built b : stores) {
      for (Map.Entry<String, SegmentMap> e : b.maps().entrySet()) {
        int i = 0;
        for (SegmentMap.Field f : e.getValue().fields) {
          out.addAll(damages(b, e.getKey(), f, base * 31 + b.seed() * 17 + i++));
        }
      }
    }
    return out;
  }

  /** The large store: sampled segments, frames and records, every field of those. */
  static List<Case> largeCases(Built b, long base) {
    List<String> names = new ArrayList<>(b.segments().keySet());
    List<String> chosen =
        List.of(names.get(0), names.get(names.size() / 2), names.get(names.size() - 1));
    List<Case> out = new ArrayList<>();
    int salt = 0;
    for (String seg : chosen) {
      SegmentMap m = b.maps().get(seg);
      int last = m.frames.size() - 1;
      java.util.TreeSet<Integer> frames = new java.util.TreeSet<>(List.of(0, last / 2, last));
      if (seg.equals(b.newest()) && last > 0) {
        frames.add(last - 1);
      }
      // A batch frame too, if the segment has one.
      for (SegmentMap.Frame f : m.frames) {
        if (f.events() > 2) {
          frames.add(f.index());
          break;
        }
      }
      for (SegmentMap.Field f : m.fields) {
        boolean take = f.inHeader() || frames.contains(f.frame());
        if (take && f.name().contains(".record[")) {
          int events = m.frames.get(f.frame()).events();
          take =
              f.name().contains(".record[0].")
                  || f.name().contains(".record[" + (events - 1) + "].");
        }
        if (take) {
          out.addAll(damages(b, seg, f, base * 37 + salt++));
        }
      }
    }
    return out;
  }

  /**
   * The case with id {@code id} under base seed {@code base}, building only the store it damages.
   *
   * @throws IllegalArgumentException if no such case exists
   */
  static Case findCase(long base, String id) {
    String store = id.substring(0, id.indexOf('/'));
    List<Case> cases;
    if (store.equals("large")) {
      cases = largeCases(largeStore(base), base);
    } else {
      cases = smallCases(smallStores(base), base);
    }
    for (Case c : cases) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "no damage case '" + id + "' under base seed " + base + " (" + cases.size() + " cases)");
  }

  // =====================================================================================
  // The oracle
  // =====================================================================================

  /** What one case gave: an outcome per open, and violations as (class, detail). */
  record Result(Case c, String readOnly, String mutable, List<String[]> violations) {}

  static Result run(SimStoreFs fs, Case c) throws IOException {
    fs.restore(c.store().clean());
    Path file = DIR.resolve(c.segment());
    try (FileHandle h = fs.openWrite(file)) {
      h.write(ByteBuffer.wrap(c.damaged()), c.field().offset());
      h.sync(SyncMode.ALL);
    }
    Map<String, byte[]> damaged = new TreeMap<>();
    for (String s : c.store().segments().keySet()) {
      damaged.put(s, fs.contentOf(DIR.resolve(s)));
    }
    List<String[]> v = new ArrayList<>();
    String ro = open(fs, c, true, v);
    for (Map.Entry<String, byte[]> e : damaged.entrySet()) {
      byte[] now = present(fs, e.getKey());
      if (now == null || !Arrays.equals(now, e.getValue())) {
        v.add(
            new String[] {
              "a read-only open changed a segment",
              e.getKey() + (now == null ? " is gone" : " now has " + now.length + " bytes")
            });
      }
    }
    String rw = open(fs, c, false, v);
    if (rw.equals("refused")) {
      for (Map.Entry<String, byte[]> e : damaged.entrySet()) {
        byte[] now = present(fs, e.getKey());
        if (now == null || !Arrays.equals(now, e.getValue())) {
          v.add(
              new String[] {
                "a refused mutable open changed a segment",
                e.getKey() + (now == null ? " is gone" : " now has " + now.length + " bytes")
              });
        }
      }
    }
    // Every frame that was CRC-valid in the damaged file is still there, byte for byte.
    long damageFrom = c.field().offset();
    long damageTo = damageFrom + c.field().length();
    for (Map.Entry<String, SegmentMap> e : c.store().maps().entrySet()) {
      byte[] before = damaged.get(e.getKey());
      byte[] now = present(fs, e.getKey());
      for (SegmentMap.Frame f : e.getValue().frames) {
        boolean hit =
            e.getKey().equals(c.segment()) && damageFrom < f.end() && damageTo > f.offset();
        if (hit) {
          continue;
        }
        boolean kept =
            now != null
                && now.length >= f.end()
                && Arrays.equals(
                    now, (int) f.offset(), (int) f.end(), before, (int) f.offset(), (int) f.end());
        if (!kept) {
          v.add(
              new String[] {
                "a mutable open deleted or cut a CRC-valid acknowledged frame"
                    + (c.field().inHeader() ? " (damage in the segment header)" : ""),
                "frame "
                    + f.index()
                    + " at "
                    + f.offset()
                    + ".."
                    + f.end()
                    + " of "
                    + e.getKey()
                    + (now == null
                        ? ": the file is gone"
                        : ": the file now has " + now.length + " bytes")
              });
          break;
        }
      }
    }
    if (!fs.openHandles().isEmpty()) {
      v.add(new String[] {"a handle or lock outlived the open", fs.openHandles().toString()});
    }
    return new Result(c, ro, rw, v);
  }

  static byte[] present(SimStoreFs fs, String segment) throws IOException {
    Path p = DIR.resolve(segment);
    return fs.exists(p) ? fs.contentOf(p) : null;
  }

  /** Opens, applies the oracle, closes; returns the outcome class. */
  static String open(SimStoreFs fs, Case c, boolean readOnly, List<String[]> v) {
    String mode = readOnly ? "read-only" : "mutable";
    Store st;
    try {
      st = Store.open(config(fs, c.store().seed(), 4096, readOnly));
    } catch (RuntimeException e) {
      refusal(c, e, mode, v);
      return "refused";
    }
    try {
      return opened(st, c, mode, v);
    } catch (RuntimeException e) {
      v.add(new String[] {mode + ": reading the opened store failed", e.toString()});
      return "violation";
    } finally {
      try {
        st.close();
      } catch (RuntimeException e) {
        v.add(new String[] {mode + ": close threw", e.toString()});
      }
    }
  }

  static void refusal(Case c, RuntimeException e, String mode, List<String[]> v) {
    SegmentMap.Field f = c.field();
    if (!(e instanceof CorruptStoreException cs)) {
      v.add(
          new String[] {
            "refused with something other than CorruptStoreException", mode + ": " + e
          });
      return;
    }
    if (cs.file() == null || !cs.file().endsWith("/" + c.segment())) {
      v.add(
          new String[] {
            "refusal names another file", mode + ": " + cs.file() + ", damage in " + c.segment()
          });
      return;
    }
    if (!f.contains(cs.offset()) && cs.offset() != f.containerStart()) {
      int h = c.store().maps().get(c.segment()).headerLength;
      String where;
      if (f.inHeader() && cs.offset() == h - 4) {
        where = "header: reported at the header CRC";
      } else if (f.inHeader() && cs.offset() >= h) {
        where = "header: reported past the header, inside the first frame";
      } else {
        where = (f.inHeader() ? "header" : "frame") + " [" + generic(f.name()) + "]";
      }
      v.add(
          new String[] {
            "refusal offset is outside the damaged field and its " + where,
            mode
                + ": offset "
                + cs.offset()
                + ", damage in "
                + f.name()
                + " at "
                + f.offset()
                + ".."
                + (f.offset() + f.length())
                + (f.inHeader() ? "" : " of the frame at " + f.containerStart())
                + ": "
                + cs.getMessage()
          });
    }
  }

  static String opened(Store st, Case c, String mode, List<String[]> v) {
    Optional<OpenReport.TornTail> torn = st.openReport().tornTail();
    if (torn.isPresent() && !torn.get().file().endsWith("/" + c.store().newest())) {
      v.add(
          new String[] {
            "damage in a sealed segment reported as a torn tail",
            mode + ": " + torn.get() + ", damage in " + c.segment()
          });
    }
    if (torn.isPresent() && !c.newest()) {
      v.add(
          new String[] {
            "damage in a sealed segment made the open cut the newest one",
            mode + ": " + torn.get() + ", damage in " + c.segment()
          });
    }
    List<Acked> missing = new ArrayList<>();
    for (Acked a : c.store().acked()) {
      ReceiptVerification rv = st.verifyReceipt(a.receipt());
      if (!rv.isValid()) {
        boolean gone =
            rv instanceof ReceiptVerification.Invalid inv
                && inv.reason() == ReceiptVerification.Reason.MISSING_EVENT;
        if (!gone) {
          v.add(
              new String[] {
                "the store returned wrong data (a receipt fails)",
                mode + ": " + a.receipt().globalSequence() + ": " + rv
              });
        }
        missing.add(a);
        continue;
      }
      if (!Arrays.equals(st.get(a.receipt().eventId()).payload().toByteArray(), a.payload())) {
        v.add(
            new String[] {
              "the store returned wrong data (payload bytes differ)",
              mode + ": event " + a.receipt().globalSequence()
            });
      }
    }
    long count = st.stats().eventCount();
    if (count != c.store().acked().size() - missing.size()) {
      v.add(
          new String[] {
            "the store holds events that were never appended",
            mode
                + ": "
                + count
                + " events, "
                + (c.store().acked().size() - missing.size())
                + " known"
          });
    }
    if (missing.isEmpty()) {
      v.add(
          new String[] {
            "damage went unnoticed [" + generic(c.field().name()) + "]",
            mode + ": opened with every event intact" + torn.map(t -> ", torn " + t).orElse("")
          });
      return "unnoticed";
    }
    if (c.inLastFrameOfNewest()) {
      SegmentMap.Frame lastFrame = c.store().maps().get(c.segment()).frames.get(c.field().frame());
      List<Acked> tail = c.store().inFrame(c.segment(), lastFrame);
      boolean exact =
          torn.isPresent()
              && torn.get().file().endsWith("/" + c.segment())
              && torn.get().offset() == lastFrame.offset()
              && missing.size() == tail.size()
              && missing.containsAll(tail);
      if (exact) {
        return "cut-unprovable-tail";
      }
    }
    v.add(
        new String[] {
          "acknowledged events lost"
              + (c.field().inHeader() ? " (damage in the segment header)" : ""),
          mode
              + ": "
              + missing.size()
              + " of "
              + c.store().acked().size()
              + " missing, from global sequence "
              + missing.get(0).receipt().globalSequence()
              + torn.map(t -> "; torn tail reported: " + t).orElse("; no torn tail reported")
        });
    return "lost-acknowledged";
  }

  /** A field name without indices: {@code frame.record.payload}. */
  static String generic(String name) {
    return name.replaceAll("\\[\\d+\\]", "");
  }

  // =====================================================================================
  // The test
  // =====================================================================================

  @Test
  void everyDamagedFieldIsRefusedOrProvablyTorn() throws Exception {
    long base = SimSeed.resolve(DEFAULT_SEED);
    String only = System.getProperty("batpak.damage.only");
    long started = System.nanoTime();
    List<Built> stores = new ArrayList<>(smallStores(base));
    Built large = largeStore(base);
    stores.add(large);
    List<Case> cases = new ArrayList<>(smallCases(stores.subList(0, stores.size() - 1), base));
    cases.addAll(largeCases(large, base));
    if (only != null) {
      cases.removeIf(c -> !c.id().contains(only));
    }
    System.out.println(
        "[damage] base seed "
            + base
            + ": "
            + stores.size()
            + " stores ("
            + large.segments().size()
            + " segments and "
            + large.acked().size()
            + " events in the large one), "
            + cases.size()
            + " damage cases; replay with: "
            + replay(base, null));
    for (Built b : stores) {
      long bytes = 0;
      for (byte[] seg : b.segments().values()) {
        bytes += seg.length;
      }
      System.out.println(
          "[damage] store "
              + b.name()
              + ": "
              + b.acked().size()
              + " events, "
              + b.segments().size()
              + " segment(s), "
              + bytes
              + " bytes, newest "
              + b.segments().get(b.newest()).length
              + " bytes");
    }
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<Result>>> futures = new ArrayList<>();
    int chunk = Math.max(1, (cases.size() + threads * 4 - 1) / (threads * 4));
    try {
      for (int from = 0; from < cases.size(); from += chunk) {
        List<Case> part = cases.subList(from, Math.min(cases.size(), from + chunk));
        futures.add(
            pool.submit(
                () -> {
                  SimStoreFs fs = SimStoreFs.builder().seed(base).build();
                  List<Result> out = new ArrayList<>();
                  for (Case c : part) {
                    out.add(run(fs, c));
                  }
                  return out;
                }));
      }
      DamageReport report = new DamageReport(base);
      for (Future<List<Result>> f : futures) {
        try {
          for (Result r : f.get()) {
            report.add(r);
            if (only != null) {
              System.out.println(
                  "[damage] case "
                      + r.c().id()
                      + ": read-only "
                      + r.readOnly()
                      + ", mutable "
                      + r.mutable()
                      + (r.violations().isEmpty()
                          ? ""
                          : ", " + r.violations().size() + " violations"));
            }
          }
        } catch (ExecutionException e) {
          throw new AssertionError("a damage case failed to run", e.getCause());
        }
      }
      report.cases = cases.size();
      report.millis = (System.nanoTime() - started) / 1_000_000;
      Path out = Path.of("target", "damage-report.json");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report.json(), StandardCharsets.UTF_8);
      System.out.println(
          "[damage] "
              + report.cases
              + " cases, outcomes "
              + report.outcomes
              + ", "
              + report.violations
              + " cases with violations, in "
              + report.millis
              + " ms; report "
              + out.toAbsolutePath());
      System.out.print(report.summary().replaceAll("(?m)^x", "[damage] VIOLATION CLASS x"));
      assertTrue(cases.size() > 0 || only != null, "no damage case was built");
      assertEquals(
          0,
          report.violations,
          () ->
              "the damage oracle found violations (base seed "
                  + base
                  + "), by class:\n"
                  + report.summary());
    } finally {
      pool.shutdownNow();
    }
  }

  /** Tallies, and the JSON of {@code target/damage-report.json}. */
  static final class DamageReport {
    final long base;
    long cases;
    long violations;
    long millis;
    final Map<String, Long> outcomes = new TreeMap<>();
    final Map<String, Long> byClass = new TreeMap<>();
    final Map<String, String> firstOfClass = new LinkedHashMap<>();
    final Map<String, java.util.TreeSet<String>> fieldsOfClass = new TreeMap<>();
    final Map<String, Long> excusedByField = new TreeMap<>();

    DamageReport(long base) {
      this.base = base;
    }

    void add(Result r) {
      outcomes.merge("read-only " + r.readOnly(), 1L, Long::sum);
      outcomes.merge("mutable " + r.mutable(), 1L, Long::sum);
      if (r.mutable().equals("cut-unprovable-tail")) {
        excusedByField.merge(generic(r.c().field().name()), 1L, Long::sum);
      }
      if (r.violations().isEmpty()) {
        return;
      }
      violations++;
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (String[] v : r.violations()) {
        if (!seen.add(v[0])) {
          continue;
        }
        fieldsOfClass
            .computeIfAbsent(v[0], k -> new java.util.TreeSet<>())
            .add(r.c().store().name().replaceAll("-.*", "") + ":" + generic(r.c().field().name()));
        if (byClass.merge(v[0], 1L, Long::sum) == 1L) {
          firstOfClass.put(
              v[0], r.c().id() + ": " + v[1] + "\n  replay: " + replay(base, r.c().id()));
        }
      }
    }

    String summary() {
      StringBuilder sb = new StringBuilder();
      for (Map.Entry<String, Long> e : byClass.entrySet()) {
        sb.append("x")
            .append(e.getValue())
            .append(' ')
            .append(e.getKey())
            .append("\n  first: ")
            .append(firstOfClass.get(e.getKey()))
            .append("\n  fields: ")
            .append(fieldsOfClass.get(e.getKey()))
            .append('\n');
      }
      return sb.toString();
    }

    List<String> fieldsLines() {
      List<String> out = new ArrayList<>();
      for (Map.Entry<String, java.util.TreeSet<String>> e : fieldsOfClass.entrySet()) {
        out.add(e.getKey() + " -- " + e.getValue());
      }
      return out;
    }

    String json() {
      List<String> first = new ArrayList<>();
      for (Map.Entry<String, String> e : firstOfClass.entrySet()) {
        first.add(e.getKey() + " -- " + e.getValue());
      }
      return "{\n  \"baseSeed\": "
          + base
          + ",\n  \"cases\": "
          + cases
          + ",\n  \"outcomes\": "
          + Json.map(outcomes)
          + ",\n  \"casesWithViolations\": "
          + violations
          + ",\n  \"violationsByClass\": "
          + Json.map(byClass)
          + ",\n  \"firstOfEachClass\": "
          + Json.quoteAll(first)
          + ",\n  \"fieldsOfEachClass\": "
          + Json.quoteAll(fieldsLines())
          + ",\n  \"cutUnprovableTailByField\": "
          + Json.map(excusedByField)
          + ",\n  \"elapsedMillis\": "
          + millis
          + ",\n  \"replay\": "
          + Json.quote(replay(base, null))
          + "\n}\n";
    }
  }

  /** The outcome of reopening a store whose newest segment ends in a large damaged frame. */
  record BigTail(
      long fileBytes,
      long frameOffset,
      long readCalls,
      long readBytes,
      long cpuMillis,
      String outcome,
      List<String[]> violations) {}

  /**
   * A store with three small events and then one of {@code payloadBytes} random bytes (a frame at
   * the end of the newest segment), closed cleanly; the big frame's body then gets one bit flipped
   * ({@code wholeFrame} false) or the whole frame, length and CRC included, is replaced by random
   * bytes. Reopens mutable and counts the segment reads through the op log.
   */
  static BigTail bigDamagedTail(long seed, int payloadBytes, boolean wholeFrame)
      throws IOException {
    SplittableRandom rnd = new SplittableRandom(seed);
    byte[] big = new byte[payloadBytes];
    for (int i = 0; i < big.length; i++) {
      big[i] = (byte) rnd.nextInt(256);
    }
    return bigDamagedTail(seed, rnd, big, wholeFrame);
  }

  /** Like {@link #bigDamagedTail(long, int, boolean)}, with the big payload given. */
  static BigTail bigDamagedTail(long seed, SplittableRandom rnd, byte[] big, boolean wholeFrame)
      throws IOException {
    List<List<Event>> calls = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      calls.add(List.of(event("a", payload(rnd, 20), AppendOptions.defaults())));
    }
    calls.add(List.of(event("a", big, AppendOptions.defaults())));
    Built b = build("big-tail", seed, 256L << 20, calls);
    String seg = b.newest();
    SegmentMap m = b.maps().get(seg);
    SegmentMap.Frame last = m.frames.get(m.frames.size() - 1);
    SimStoreFs fs = SimStoreFs.fromSnapshot(b.clean());
    Path file = DIR.resolve(seg);
    byte[] damage;
    long at;
    if (wholeFrame) {
      damage = new byte[last.total()];
      for (int i = 0; i < damage.length; i++) {
        damage[i] = (byte) rnd.nextInt(256);
      }
      at = last.offset();
    } else {
      at = last.offset() + 8 + rnd.nextInt(last.total() - 8);
      byte[] one = Arrays.copyOfRange(b.segments().get(seg), (int) at, (int) at + 1);
      one[0] ^= (byte) (1 << rnd.nextInt(8));
      damage = one;
    }
    try (FileHandle h = fs.openWrite(file)) {
      h.write(ByteBuffer.wrap(damage), at);
      h.sync(SyncMode.ALL);
    }
    long before = fs.operationCount();
    java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
    long cpu = mx.getCurrentThreadCpuTime();
    List<String[]> v = new ArrayList<>();
    String outcome;
    try (Store st = Store.open(config(fs, seed, 256L << 20, false))) {
      Optional<OpenReport.TornTail> torn = st.openReport().tornTail();
      outcome = torn.map(t -> "torn at " + t.offset()).orElse("opened");
      if (torn.isEmpty() || torn.get().offset() != last.offset()) {
        v.add(new String[] {"the damaged last frame was not cut at its start", outcome});
      }
      for (Acked a : b.acked().subList(0, b.acked().size() - 1)) {
        if (!st.verifyReceipt(a.receipt()).isValid()) {
          v.add(new String[] {"an event before the damaged frame was lost", "" + a.receipt()});
        }
      }
    } catch (CorruptStoreException e) {
      outcome = "refused at " + e.offset();
      if (e.offset() != last.offset()) {
        v.add(new String[] {"refused elsewhere than at the damaged frame", e.getMessage()});
      }
    }
    long cpuMillis = (mx.getCurrentThreadCpuTime() - cpu) / 1_000_000;
    long[] reads = segmentReads(fs.opLog(), before);
    return new BigTail(
        b.segments().get(seg).length, last.offset(), reads[0], reads[1], cpuMillis, outcome, v);
  }

  /**
   * Recovery reads a damaged tail in I/O linear in its size (defect 16: a damaged 138 MB frame of
   * random bytes made it try every byte offset). Counted through the simulator's op log, not timed:
   * the segment bytes read, and the read calls, must stay within a small constant times the file
   * size; and the damaged last frame is cut at its start (or refused there), keeping every event
   * before it. Tails: 1 and 4 MiB frames of random bytes with one bit flipped, the same with the
   * whole frame (length and CRC too) replaced by random bytes, and 256 KiB of the bytes {@code 00
   * 01} repeated with one bit flipped (every other offset then reads as a plausible 64 KiB frame).
   *
   * <p>What this does not catch: recovery reads the tail into its buffer once and searches it in
   * memory, so the search's CPU cost (a CRC over every plausible frame length at every offset) does
   * not show in the reads. The CPU time is printed for information only (not asserted: no timed
   * assertions); docs/testing.md has the figures.
   */
  @Test
  void aLargeDamagedTailIsReadInLinearTime() throws IOException {
    long base = SimSeed.resolve(DEFAULT_SEED);
    List<String> problems = new ArrayList<>();
    Map<String, BigTail> tails = new LinkedHashMap<>();
    for (int mib : new int[] {1, 4}) {
      for (boolean whole : new boolean[] {false, true}) {
        long seed = base + mib * 2 + (whole ? 1 : 0);
        String what =
            mib
                + " MiB frame, "
                + (whole ? "all random bytes" : "one bit flipped")
                + " (seed "
                + seed
                + ")";
        tails.put(what, bigDamagedTail(seed, mib << 20, whole));
      }
    }
    byte[] pattern = new byte[256 << 10];
    for (int i = 0; i < pattern.length; i++) {
      pattern[i] = (byte) (i % 2);
    }
    tails.put(
        "256 KiB frame of 00 01 repeated, one bit flipped (seed " + base + ")",
        bigDamagedTail(base, new SplittableRandom(base), pattern, false));
    for (Map.Entry<String, BigTail> e : tails.entrySet()) {
      String what = e.getKey();
      BigTail t = e.getValue();
      System.out.println(
          "[damage] big tail, "
              + what
              + ": file "
              + t.fileBytes()
              + " bytes, "
              + t.readCalls()
              + " segment reads of "
              + t.readBytes()
              + " bytes, "
              + t.cpuMillis()
              + " ms CPU (not asserted), "
              + t.outcome());
      if (t.readBytes() > 3 * t.fileBytes() + (1 << 20)) {
        problems.add(
            what + ": read " + t.readBytes() + " bytes of a " + t.fileBytes() + " byte file");
      }
      if (t.readCalls() > 64 + t.fileBytes() / 4096) {
        problems.add(what + ": " + t.readCalls() + " read calls for " + t.fileBytes() + " bytes");
      }
      for (String[] v : t.violations()) {
        problems.add(what + ": " + v[0] + ": " + v[1]);
      }
    }
    assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
  }

  /** Ops of kind READ on segment files logged after {@code from}: {calls, bytes}. */
  static long[] segmentReads(List<OpRecord> log, long from) {
    long calls = 0;
    long bytes = 0;
    for (OpRecord r : log) {
      if (r.seq() > from && r.op().equals("READ") && r.path().endsWith(".seg")) {
        calls++;
        String a = r.args();
        int i = a.indexOf("len=");
        if (i >= 0) {
          int j = a.indexOf(' ', i);
          bytes += Long.parseLong(j < 0 ? a.substring(i + 4) : a.substring(i + 4, j));
        }
      }
    }
    return new long[] {calls, bytes};
  }
}
