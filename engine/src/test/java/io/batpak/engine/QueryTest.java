package io.batpak.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** Region queries and the pager agree with filtering every event; stats describe the journal. */
@ExtendWith(Seeded.class)
class QueryTest {
  static final String[] ENTITIES = {"order:1", "order:2", "order:10", "order:1:line", "pay:1", "x"};
  static final String[] SCOPES = {"shop", "bank", "shop-eu"};
  static final EventKind[] KINDS = {
    EventKind.custom(1, 1), EventKind.custom(1, 2), EventKind.custom(2, 1), EventKind.custom(0xE, 5)
  };

  @TempDir Path dir;

  static Region randomRegion(Random r) {
    Region region = Region.all();
    if (r.nextBoolean()) {
      String e = ENTITIES[r.nextInt(ENTITIES.length)];
      region =
          region.withEntityPrefix(r.nextBoolean() ? e : e.substring(0, 1 + r.nextInt(e.length())));
    }
    if (r.nextInt(3) == 0) {
      region = region.withScope(SCOPES[r.nextInt(SCOPES.length)]);
    }
    switch (r.nextInt(4)) {
      case 0:
        region = region.withKind(KINDS[r.nextInt(KINDS.length)]);
        break;
      case 1:
        region = region.withCategory(KINDS[r.nextInt(KINDS.length)].category());
        break;
      default:
        break;
    }
    if (r.nextInt(3) == 0) {
      long from = r.nextInt(20);
      region = region.withStreamSequenceRange(from, from + r.nextInt(20));
    }
    return region;
  }

  @Test
  void queriesMatchFilteringEveryEvent(Random random) {
    try (Store store = StoreFixtures.open(dir)) {
      List<AppendReceipt> receipts = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        receipts.add(
            store.append(
                Coordinate.of(
                    ENTITIES[random.nextInt(ENTITIES.length)],
                    SCOPES[random.nextInt(SCOPES.length)]),
                KINDS[random.nextInt(KINDS.length)],
                Bytes.utf8("p" + i)));
      }
      List<EventHeader> all = StoreFixtures.assertIntact(store, receipts);
      for (int q = 0; q < 200; q++) {
        Region region = randomRegion(random);
        List<EventHeader> expected =
            all.stream()
                .filter(h -> region.matches(h.coordinate(), h.kind(), h.streamSequence()))
                .toList();
        assertEquals(expected, StoreFixtures.query(store, region), region.toString());
        int limit = 1 + random.nextInt(50);
        List<EventHeader> paged = new ArrayList<>();
        long after = -1;
        for (List<EventHeader> page; !(page = store.queryAfter(region, after, limit)).isEmpty(); ) {
          assertTrue(page.size() <= limit);
          paged.addAll(page);
          after = page.get(page.size() - 1).globalSequence();
        }
        assertEquals(expected, paged, "pages of " + region);
        long start = random.nextInt(all.size());
        assertEquals(
            expected.stream().filter(h -> h.globalSequence() > start).toList(),
            store.queryAfter(region, start, Integer.MAX_VALUE));
      }
    }
  }

  @Test
  void statsDescribeTheJournal() throws Exception {
    try (Store store =
        Store.open(io.batpak.StoreConfig.builder(dir).segmentMaxBytes(4096).build())) {
      for (int i = 0; i < 50; i++) {
        store.append(Coordinate.of("e" + i % 7, "s"), KINDS[0], Bytes.ofOwned(new byte[200]));
      }
      StoreStats stats = store.stats();
      assertEquals(50, stats.eventCount());
      assertEquals(7, stats.streamCount());
      List<Path> segments = StoreFixtures.segments(dir);
      assertEquals(segments.size(), stats.segmentCount());
      long bytes = 0;
      for (Path p : segments) {
        bytes += Files.size(p);
      }
      assertEquals(bytes, stats.journalBytes());
      assertEquals(50, store.watermarks().visible());
      assertEquals(50, store.watermarks().durable());
    }
  }

  @Test
  void objectPayloadsNeedACodec() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      AppendReceipt r = store.append(Coordinate.of("e", "s"), KINDS[0], Bytes.utf8("{}"));
      CodecException onAppend =
          assertThrows(
              CodecException.class,
              () -> store.appendEncoded(Coordinate.of("e", "s"), KINDS[0], List.of("not bytes")));
      assertTrue(onAppend.getMessage().contains("batpak-codec"), onAppend.getMessage());
      assertThrows(CodecException.class, () -> store.get(r.eventId(), String.class));
      assertEquals(1, store.stats().eventCount());
      // A blocking append from inside a completion callback works (no deadlock).
      CompletableFuture<AppendReceipt> chained =
          store
              .submit(Coordinate.of("e", "s"), KINDS[0], Bytes.utf8("a"), AppendOptions.defaults())
              .thenApply(x -> store.append(Coordinate.of("e", "s"), KINDS[0], Bytes.utf8("b")));
      assertEquals(2, chained.get(60, TimeUnit.SECONDS).streamSequence());
    }
  }
}
