package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A seal lists its events' causation and correlation (footer version 1, ADR 0017), so an open that
 * loads the index from seals reads no frame, and the causal answers are the same as before the
 * close; a seal written without them (version 0: the active segment's first rows came from a
 * checkpoint after a crash) still loads, its links read from the frames. Both kinds in one store.
 */
@ExtendWith(Seeded.class)
class SealLinksTest {
  private static final Path DIR = Path.of("/stores/links");
  private static final EventKind KIND = EventKind.custom(0xA, 0x11);

  private final List<AppendReceipt> receipts = new ArrayList<>();

  private static StoreConfig config(SimStoreFs fs, int epoch, boolean readOnly) {
    SimStoreClock clock = new SimStoreClock();
    clock.advance(java.time.Duration.ofHours(epoch));
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(clock)
        .entropy(new SimEntropy(epoch * 7919L + 1))
        .deterministic(true)
        .segmentMaxBytes(16384)
        .checkpointEveryBytes(4096)
        .readOnly(readOnly)
        .build();
  }

  /** Appends {@code n} events: about a third caused by an earlier one, a quarter in a saga. */
  private void append(Store store, Random random, int n) {
    CorrelationId saga = CorrelationId.of(random.nextLong(), random.nextLong());
    for (int i = 0; i < n; i++) {
      AppendOptions o = AppendOptions.defaults();
      if (!receipts.isEmpty() && random.nextInt(3) == 0) {
        AppendReceipt cause = receipts.get(random.nextInt(receipts.size()));
        o = o.withCausation(CausationId.of(cause.eventId()));
      }
      if (random.nextInt(4) == 0) {
        o = o.withCorrelation(saga);
      }
      byte[] payload = new byte[40 + random.nextInt(80)];
      random.nextBytes(payload);
      receipts.add(
          store.append(Coordinate.of("s" + random.nextInt(3), "x"), KIND, Bytes.of(payload), o));
    }
  }

  /** Every event's consequences and correlated events, by event. */
  private Map<String, List<List<EventHeader>>> causal(Store store) {
    Map<String, List<List<EventHeader>>> out = new HashMap<>();
    for (AppendReceipt r : receipts) {
      EventHeader h = store.get(r.eventId()).header();
      out.put(
          r.eventId().toString(),
          List.of(
              store.consequences(r.eventId()), store.correlated(h.correlationId(), -1, 10_000)));
    }
    return out;
  }

  @Test
  void anOpenFromSealsReadsNoFrameAndAnswersTheCausalQueriesAsBefore(Random random)
      throws Exception {
    SimStoreFs fs = SimStoreFs.builder().seed(random.nextLong()).build();
    // Session 1 ends with a power loss after periodic checkpoints: session 2 continues its
    // segment, whose first rows then come from the checkpoint (no links held: a version 0 seal).
    try (Store store = Store.open(config(fs, 0, false))) {
      append(store, random, 60);
      store.sync();
      fs.crash(CrashProfile.STRICT);
    } catch (RuntimeException closedByTheCrash) {
      // the crash invalidated the store's handles; its close may fail
    }
    Map<String, List<List<EventHeader>>> expected;
    try (Store store = Store.open(config(fs, 1, false))) {
      assertEquals(60, store.openReport().eventsRecovered());
      append(store, random, 400); // several rotations: version 1 seals
      expected = causal(store);
    }
    fs.deleteIfExists(DIR.resolve("index.ckpt"));

    int before = fs.opLog().size();
    List<OpRecord> open;
    try (Store store = Store.open(config(fs, 2, true))) {
      open = List.copyOf(fs.opLog().subList(before, fs.opLog().size()));
      OpenReport.IndexLoad load = store.openReport().indexLoad();
      assertEquals(OpenReport.IndexSource.SEALS, load.source(), load.toString());
      assertEquals(receipts.size(), load.fromSeals(), load.toString());
      assertEquals(List.of(), load.distrusted(), load.toString());
      assertEquals(expected, causal(store));
    }
    int segments = 0;
    int version0 = 0;
    for (String name : fs.list(DIR)) {
      if (!name.endsWith(".seg")) {
        continue;
      }
      segments++;
      byte[] content = fs.contentOf(DIR.resolve(name));
      long framesEnd = ByteBuffer.wrap(content, content.length - 16, 8).getLong();
      boolean listsLinks = content[(int) framesEnd + 8 + 1] == 1; // footer body byte 1
      version0 += listsLinks ? 0 : 1;
      long frameBytesRead = framesRead(open, DIR.resolve(name).toString(), framesEnd);
      if (listsLinks) {
        assertEquals(0, frameBytesRead, name + ": a version 1 seal, yet its frames were read");
      } else {
        assertTrue(frameBytesRead > 0, name + ": a version 0 seal's links come from its frames");
      }
    }
    assertTrue(segments >= 4, "several sealed segments: " + segments);
    assertEquals(1, version0, "the segment continued after the crash has a version 0 seal");
  }

  private static final Pattern READ = Pattern.compile("pos=(\\d+) len=(\\d+)");

  /** Bytes read from {@code path} between its header's first frame and {@code framesEnd}. */
  private static long framesRead(List<OpRecord> ops, String path, long framesEnd) {
    long bytes = 0;
    for (OpRecord op : ops) {
      if (op.op().equals("READ") && op.path().equals(path)) {
        Matcher m = READ.matcher(op.args());
        assertTrue(m.find(), op.toString());
        long pos = Long.parseLong(m.group(1));
        long len = Long.parseLong(m.group(2));
        if (pos > 0 && pos < framesEnd) { // the header is read at 0, the seal from framesEnd on
          bytes += Math.min(len, framesEnd - pos);
        }
      }
    }
    return bytes;
  }
}
