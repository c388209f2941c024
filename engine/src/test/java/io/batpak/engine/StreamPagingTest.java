package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code stream(entity, fromStreamSequence, limit)} pages over exactly one stream: never a child
 * stream that {@code Region.entity} would also match, every page a contiguous slice of {@code
 * stream(entity)}, an empty page past the end, and a typed error naming a bad argument; {@code
 * streamEvents} pages the same events with their payloads.
 */
@ExtendWith(Seeded.class)
class StreamPagingTest {
  static final String ORDER = "order:1";

  @TempDir Path dir;

  /** Appends {@code n} events to {@code order:1}, interleaved with its child and a sibling. */
  private static void fill(Store store, int n, Random random) {
    int written = 0;
    while (written < n) {
      if (random.nextInt(3) == 0 && n - written >= 2) {
        store.appendBatch(
            List.of(
                BatchItem.of(Coordinate.of(ORDER, "s"), KIND, Bytes.utf8("b" + written)),
                BatchItem.of(Coordinate.of(ORDER + ":line", "s"), KIND, Bytes.utf8("child")),
                BatchItem.of(Coordinate.of(ORDER, "s"), KIND, Bytes.utf8("b" + (written + 1)))));
        written += 2;
      } else {
        store.append(Coordinate.of(ORDER, "s"), KIND, Bytes.utf8("e" + written));
        store.append(Coordinate.of(ORDER + ":line", "s"), KIND, Bytes.utf8("child"));
        store.append(Coordinate.of("order:10", "s"), KIND, Bytes.utf8("sibling"));
        written++;
      }
    }
  }

  @Test
  void pagesOfEverySizeConcatenateToTheWholeStreamAndNothingElse(Random random) {
    try (Store store = StoreFixtures.open(dir)) {
      int n = 20 + random.nextInt(30);
      fill(store, n, random);
      List<EventHeader> whole = store.stream(ORDER);
      assertEquals(n, whole.size());
      for (EventHeader h : whole) {
        assertEquals(ORDER, h.entity(), "exactly one stream");
      }
      assertTrue(
          StoreFixtures.query(store, Region.entity(ORDER)).size() > n,
          "Region.entity also matches the child stream, which stream() leaves out");
      for (int limit = 1; limit <= n + 1; limit++) {
        List<EventHeader> joined = new ArrayList<>();
        long from = 0;
        while (true) {
          List<EventHeader> page = store.stream(ORDER, from, limit);
          assertTrue(page.size() <= limit, "at most limit " + limit);
          if (page.isEmpty()) {
            break;
          }
          assertEquals(from, page.get(0).streamSequence(), "a page starts where asked");
          joined.addAll(page);
          from = page.get(page.size() - 1).streamSequence() + 1;
        }
        assertEquals(whole, joined, "pages of " + limit);
        assertEquals(
            withPayloads(store, whole),
            eventPages(store, limit, true),
            "events, pages of " + limit);
      }
      // A page from the middle is the same slice of the whole stream.
      int from = random.nextInt(n);
      int limit = 1 + random.nextInt(n);
      assertEquals(
          whole.subList(from, Math.min(n, from + limit)), store.stream(ORDER, from, limit));
    }
  }

  /** Each header's event read by {@code get}. */
  private static List<StoredEvent> withPayloads(Store store, List<EventHeader> headers) {
    List<StoredEvent> out = new ArrayList<>();
    for (EventHeader h : headers) {
      out.add(store.get(h.eventId()));
    }
    return out;
  }

  /**
   * The whole of {@link #ORDER} read with {@code streamEvents}, {@code limit} at a time. A page
   * starts at the sequence asked for when the stream is {@code dense}; after a compaction dropped
   * an event, at that sequence or the next one kept.
   */
  private static List<StoredEvent> eventPages(Store store, int limit, boolean dense) {
    List<StoredEvent> joined = new ArrayList<>();
    long from = 0;
    while (true) {
      List<StoredEvent> page = store.streamEvents(ORDER, from, limit);
      assertTrue(page.size() <= limit, "at most limit " + limit);
      if (page.isEmpty()) {
        return joined;
      }
      long first = page.get(0).header().streamSequence();
      if (dense) {
        assertEquals(from, first, "a page starts where asked");
      } else {
        assertTrue(first >= from, "a page starts at " + from + " or later, not at " + first);
      }
      joined.addAll(page);
      from = page.get(page.size() - 1).header().streamSequence() + 1;
    }
  }

  /**
   * After compactions that tombstone some of the stream's events and drop others, {@code
   * streamEvents} returns what {@code stream} and {@code get} return: tombstones with their kind
   * and no payload, dropped events not at all.
   */
  @Test
  void streamEventsAfterCompactionsMatchesHeadersAndGet(Random random) {
    // 4 KiB segments: the first half of the stream lies in sealed segments, which compaction
    // rewrites.
    try (Store store = Store.open(StoreConfig.builder(dir).segmentMaxBytes(4096).build())) {
      int n = 30 + random.nextInt(30);
      fill(store, n, random);
      int tombstoned = random.nextInt(n / 2);
      int dropped = (tombstoned + 1 + random.nextInt(n / 2 - 1)) % (n / 2);
      store.compact(
          CompactionConfig.tombstone(
              e ->
                  e.header().streamSequence() != tombstoned || !e.header().entity().equals(ORDER)));
      store.compact(
          CompactionConfig.retain(
              e -> e.header().streamSequence() != dropped || !e.header().entity().equals(ORDER)));
      List<EventHeader> whole = store.stream(ORDER);
      List<StoredEvent> events = eventPages(store, 1 + random.nextInt(n), false);
      assertEquals(withPayloads(store, whole), events);
      assertEquals(n - 1, events.size(), "the dropped event is gone");
      assertTrue(
          events.stream()
              .anyMatch(
                  e -> e.header().kind().equals(EventKind.TOMBSTONE) && e.payload().size() == 0),
          "the tombstone is read with its kind and no payload");
    }
  }

  @Test
  void pastTheEndAndUnknownStreamsAreEmptyPages() {
    try (Store store = StoreFixtures.open(dir)) {
      assertEquals(List.of(), store.stream(ORDER, 0, 10), "an empty store");
      store.append(Coordinate.of(ORDER, "s"), KIND, Bytes.utf8("one"));
      store.append(Coordinate.of(ORDER, "s"), KIND, Bytes.utf8("two"));
      assertEquals(1, store.stream(ORDER, 1, 10).size(), "the last event");
      assertEquals(
          "two", store.get(store.stream(ORDER, 1, 10).get(0).eventId()).payload().toUtf8());
      for (long from : new long[] {2, 3, Integer.MAX_VALUE, Long.MAX_VALUE}) {
        assertEquals(List.of(), store.stream(ORDER, from, 10), "from " + from);
      }
      assertEquals(2, store.stream(ORDER, 0, Integer.MAX_VALUE).size());
      assertEquals(List.of(), store.stream("order", 0, 10), "a prefix is not a stream");
      assertEquals(List.of(), store.stream("nobody", 0, 10), "an unknown stream");
    }
  }

  @Test
  void badArgumentsAreTypedErrorsThatNameTheValue() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(Coordinate.of(ORDER, "s"), KIND, Bytes.utf8("one"));
      for (long from : new long[] {-1, Long.MIN_VALUE}) {
        ValidationException e =
            assertThrows(ValidationException.class, () -> store.stream(ORDER, from, 10));
        assertTrue(e.getMessage().contains("fromStreamSequence " + from), e.getMessage());
        assertTrue(e.getMessage().contains(ORDER), e.getMessage());
      }
      for (int limit : new int[] {0, -1, Integer.MIN_VALUE}) {
        ValidationException e =
            assertThrows(ValidationException.class, () -> store.stream(ORDER, 0, limit));
        assertTrue(e.getMessage().contains("limit " + limit), e.getMessage());
      }
      assertThrows(NullPointerException.class, () -> store.stream(null, 0, 10));
      ValidationException e =
          assertThrows(ValidationException.class, () -> store.streamEvents(ORDER, -1, 10));
      assertTrue(e.getMessage().contains("streamEvents"), e.getMessage());
      assertTrue(e.getMessage().contains("fromStreamSequence -1"), e.getMessage());
      e = assertThrows(ValidationException.class, () -> store.streamEvents(ORDER, 0, 0));
      assertTrue(e.getMessage().contains("limit 0"), e.getMessage());
      assertThrows(NullPointerException.class, () -> store.streamEvents(null, 0, 10));
    }
  }
}
