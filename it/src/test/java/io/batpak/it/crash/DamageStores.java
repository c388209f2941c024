package io.batpak.it.crash;

import static io.batpak.it.crash.DamageExplorerIT.DIR;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.Payload;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimSnapshot;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * The stores of the damage explorer ({@link DamageExplorerIT}): built on the simulator from plans
 * of appends, every append acknowledged ({@code DURABLE}), closed cleanly, and kept with what was
 * acknowledged and the map of every segment.
 */
final class DamageStores {
  private DamageStores() {}

  /** One event a store plan appends. */
  record Event(Coordinate coordinate, EventKind kind, byte[] payload, AppendOptions options) {}

  /** One acknowledged event: its receipt and its payload. */
  record Acked(AppendReceipt receipt, FrameLocation frame, byte[] payload) {}

  /**
   * A store after a clean close (and a power loss, so only durable bytes remain), in two shapes:
   * {@code sealed}, as the close left it (its segments end in seals, {@code index.ckpt} covers
   * every event, so an open reads no frame), and {@code clean}, the shape a crash leaves ({@link
   * CrashShape}: seals stripped, checkpoint deleted, so an open reads every frame). With what was
   * acknowledged, and the segments and maps of the {@code clean} shape (frames only).
   */
  record Built(
      String name,
      long seed,
      SimSnapshot clean,
      SimSnapshot sealed,
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
    SimSnapshot sealed = fs.snapshot();
    Map<String, byte[]> segments = new TreeMap<>();
    Map<String, SegmentMap> maps = new TreeMap<>();
    try {
      int stripped = CrashShape.strip(fs, DIR).seals();
      if (stripped == 0) {
        throw new IllegalStateException(name + ": the clean close sealed no segment");
      }
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
    return new Built(name, seed, fs.snapshot(), sealed, List.copyOf(acked), segments, maps);
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
}
