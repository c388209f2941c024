package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.Subscription;
import io.batpak.SubscriptionEndedException;
import io.batpak.SubscriptionOptions;
import io.batpak.SubscriptionOverflowException;
import io.batpak.ValidationException;
import io.batpak.VisibilityFence;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live and catch-up subscriptions (ADR 0023, docs/subscriptions.md): what is delivered (the region,
 * after the call, in global order), overflow under both policies with the reason and exact counts,
 * closing (by the subscriber and by the store) waking a blocked poll, fences (cancelled rows never,
 * open rows only at the commit), compaction (the fan-out goes on across the swap; a catch-up over a
 * compacted store with RETAIN or TOMBSTONE delivers what {@code queryAfter} lists), and the
 * handover from history to live under concurrent appends.
 */
@ExtendWith(Seeded.class)
class SubscriptionTest {
  static final Coordinate A = Coordinate.of("a:1", "s");
  static final Coordinate B = Coordinate.of("b:1", "s");

  /** A bound on waiting for a thread to make progress: liveness, not a performance claim. */
  static final Duration LONG = Duration.ofSeconds(30);

  @TempDir Path dir;

  static Bytes payload(String s) {
    return Bytes.utf8(s);
  }

  /** Polls {@code n} events, failing if one does not come within {@link #LONG}. */
  static List<EventHeader> take(Subscription s, int n) {
    List<EventHeader> out = new ArrayList<>();
    while (out.size() < n) {
      Optional<EventHeader> h = s.poll(LONG);
      assertTrue(h.isPresent(), "event " + out.size() + " of " + n + " did not come");
      out.add(h.get());
    }
    return out;
  }

  /** Waits (yielding) until {@code done} holds, failing after {@link #LONG}. */
  static void await(BooleanSupplier done, String what) throws InterruptedException {
    long deadline = System.nanoTime() + LONG.toNanos();
    while (!done.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
      Thread.sleep(1);
    }
  }

  static List<Long> sequences(List<EventHeader> hs) {
    List<Long> out = new ArrayList<>();
    for (EventHeader h : hs) {
      out.add(h.globalSequence());
    }
    return out;
  }

  @Test
  void liveDeliversTheRegionsEventsCommittedAfterTheCallInGlobalOrder() {
    try (Store store = StoreFixtures.open(dir)) {
      store.append(A, KIND, payload("before"));
      try (Subscription s = store.subscribe(Region.entity("a"))) {
        assertEquals(0, s.lastDelivered(), "starts after the last visible event");
        List<AppendReceipt> mine = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          AppendReceipt r = store.append(i % 2 == 0 ? A : B, KIND, payload("e" + i));
          if (i % 2 == 0) {
            mine.add(r);
          }
        }
        List<EventHeader> got = take(s, mine.size());
        for (int i = 0; i < mine.size(); i++) {
          assertEquals(mine.get(i).eventId(), got.get(i).eventId());
        }
        assertEquals(Optional.empty(), s.poll(Duration.ZERO), "nothing else: b:1 is not in it");
        assertEquals(got.get(got.size() - 1).globalSequence(), s.lastDelivered());
        assertEquals(0, s.dropped());
        StoredEvent e = store.get(got.get(0).eventId());
        assertEquals("e0", e.payload().toUtf8(), "payloads through get");
      }
    }
  }

  @Test
  void dropOldestCountsEveryDropAndSaysWhereTheyWere() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      Subscription s =
          store.subscribe(
              Region.all(),
              SubscriptionOptions.defaults()
                  .withCapacity(4)
                  .withOverflow(SubscriptionOptions.Overflow.DROP_OLDEST));
      List<AppendReceipt> rs = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        rs.add(store.append(A, KIND, payload("e" + i)));
      }
      await(() -> s.dropped() == 6, "the fan-out dropped 6 of 10 for a queue of 4");
      List<EventHeader> got = take(s, 4);
      assertEquals(
          sequences(got), List.of(6L, 7L, 8L, 9L), "the newest four stay; the oldest are dropped");
      assertEquals(6, s.dropped(), "the counter is exact");
      assertEquals(0, s.droppedBeforeLast(), "none right before the last one polled");
      assertTrue(s.endReason().isEmpty(), "DROP_OLDEST keeps the subscription alive");
      store.append(A, KIND, payload("after"));
      assertEquals(10, take(s, 1).get(0).globalSequence());
      s.close();
    }
  }

  @Test
  void dropOldestTellsHowManyWereDroppedBeforeEachDeliveredEvent() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      Subscription s =
          store.subscribe(
              Region.all(),
              SubscriptionOptions.defaults()
                  .withCapacity(3)
                  .withOverflow(SubscriptionOptions.Overflow.DROP_OLDEST));
      for (int i = 0; i < 5; i++) {
        store.append(A, KIND, payload("e" + i)); // 0..4: queue ends [2,3,4], 2 dropped
      }
      await(() -> s.dropped() == 2, "2 dropped");
      EventHeader first = take(s, 1).get(0);
      assertEquals(2, first.globalSequence());
      assertEquals(2, s.droppedBeforeLast(), "events 0 and 1 were dropped right before 2");
      assertEquals(
          List.of(0L, 1L),
          sequences(store.queryAfter(Region.all(), -1, Math.toIntExact(s.droppedBeforeLast()))),
          "queryAfter reads the dropped ones back");
      take(s, 2);
      assertEquals(0, s.droppedBeforeLast());
      for (int i = 5; i < 9; i++) {
        store.append(A, KIND, payload("e" + i)); // 5..8: queue [6,7,8], 5 dropped
      }
      await(() -> s.dropped() == 3, "3 dropped");
      assertEquals(6, take(s, 1).get(0).globalSequence());
      assertEquals(1, s.droppedBeforeLast(), "event 5 lies between 4 and 6");
      s.close();
    }
  }

  @Test
  void disconnectDeliversWhatWasQueuedThenSaysWhyAndWhereToResume() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      Subscription s =
          store.subscribe(Region.all(), SubscriptionOptions.defaults().withCapacity(4));
      assertEquals(
          SubscriptionOptions.Overflow.DISCONNECT, SubscriptionOptions.defaults().overflow());
      for (int i = 0; i < 10; i++) {
        store.append(A, KIND, payload("e" + i));
      }
      await(() -> s.endReason().isPresent(), "the queue overflowed");
      assertEquals(Optional.of(Subscription.End.OVERFLOW), s.endReason());
      assertEquals(List.of(0L, 1L, 2L, 3L), sequences(take(s, 4)), "queued events are delivered");
      SubscriptionOverflowException e =
          assertThrows(SubscriptionOverflowException.class, () -> s.poll(Duration.ZERO));
      assertEquals(4, e.capacity());
      assertEquals(3, e.lastDelivered());
      assertEquals(Subscription.End.OVERFLOW, e.reason());
      assertTrue(e.getMessage().contains("subscribeFrom"), e.getMessage());
      assertThrows(SubscriptionOverflowException.class, () -> s.poll(Duration.ZERO), "it stays");
      assertEquals(0, s.dropped(), "DISCONNECT never drops");
      try (Subscription resumed =
          store.subscribeFrom(Region.all(), e.lastDelivered(), SubscriptionOptions.defaults())) {
        assertEquals(List.of(4L, 5L, 6L, 7L, 8L, 9L), sequences(take(resumed, 6)), "no gap");
      }
    }
  }

  @Test
  void closingTheSubscriptionWakesABlockedPoll() throws Exception {
    try (Store store = StoreFixtures.open(dir)) {
      Subscription s = store.subscribe(Region.all());
      AtomicReference<Throwable> seen = new AtomicReference<>();
      Thread consumer =
          new Thread(
              () -> {
                try {
                  s.poll(Duration.ofMinutes(10));
                } catch (Throwable t) {
                  seen.set(t);
                }
              });
      consumer.start();
      Thread.sleep(50);
      s.close();
      consumer.join(LONG.toMillis());
      assertFalse(consumer.isAlive(), "close woke the poll");
      SubscriptionEndedException e = (SubscriptionEndedException) seen.get();
      assertEquals(Subscription.End.CLOSED, e.reason());
      s.close(); // idempotent
    }
  }

  @Test
  void closingTheStoreEndsEverySubscriptionAndWakesABlockedPoll() throws Exception {
    try (Store first = StoreFixtures.open(dir)) {
      for (int i = 0; i < 3; i++) {
        first.append(A, KIND, payload("old" + i));
      }
    }
    Store store = StoreFixtures.open(dir);
    Subscription blocked = store.subscribe(Region.all());
    Subscription queued = store.subscribe(Region.all());
    Subscription catchingUp = store.subscribeFrom(Region.all(), -1, SubscriptionOptions.defaults());
    AtomicReference<Throwable> seen = new AtomicReference<>();
    Thread consumer =
        new Thread(
            () -> {
              try {
                blocked.poll(Duration.ofMinutes(10));
                blocked.poll(Duration.ofMinutes(10));
              } catch (Throwable t) {
                seen.set(t);
              }
            });
    store.append(A, KIND, payload("last"));
    consumer.start();
    Thread.sleep(50);
    store.close();
    consumer.join(LONG.toMillis());
    assertFalse(consumer.isAlive(), "store.close woke the poll");
    assertEquals(Subscription.End.STORE_CLOSED, ((SubscriptionEndedException) seen.get()).reason());
    assertEquals(3, take(queued, 1).get(0).globalSequence(), "what was queued is delivered");
    SubscriptionEndedException e =
        assertThrows(SubscriptionEndedException.class, () -> queued.poll(Duration.ZERO));
    assertEquals(Subscription.End.STORE_CLOSED, e.reason());
    assertEquals(3, e.lastDelivered());
    assertEquals(Optional.of(Subscription.End.STORE_CLOSED), catchingUp.endReason());
    assertThrows(SubscriptionEndedException.class, () -> catchingUp.poll(Duration.ZERO));
  }

  @Test
  void cancelledFenceRowsAreNeverDeliveredAndOpenFenceRowsOnlyAtItsCommit() {
    try (Store store = StoreFixtures.open(dir)) {
      Subscription live = store.subscribe(Region.all());
      AppendReceipt before = store.append(A, KIND, payload("before"));
      try (VisibilityFence f = store.beginFence()) {
        f.append(A, KIND, payload("cancelled-1"));
        f.append(B, KIND, payload("cancelled-2"));
        f.cancel();
      }
      AppendReceipt committed;
      try (VisibilityFence f = store.beginFence()) {
        committed = f.append(B, KIND, payload("fenced"));
        assertEquals(before.eventId(), take(live, 1).get(0).eventId());
        assertEquals(
            Optional.empty(),
            live.poll(Duration.ofMillis(200)),
            "an open fence's event is not delivered");
        f.commit();
      }
      AppendReceipt after = store.append(A, KIND, payload("after"));
      List<EventHeader> got = take(live, 2);
      assertEquals(committed.eventId(), got.get(0).eventId(), "delivered at the commit");
      assertEquals(after.eventId(), got.get(1).eventId(), "the cancelled rows were skipped");
      try (Subscription history =
          store.subscribeFrom(Region.all(), -1, SubscriptionOptions.defaults())) {
        assertEquals(
            List.of(before.eventId(), committed.eventId(), after.eventId()),
            take(history, 3).stream().map(EventHeader::eventId).toList());
        assertEquals(Optional.empty(), history.poll(Duration.ofMillis(50)));
      }
      live.close();
    }
  }

  /** A store of several sealed segments with a cancelled fence in its history. */
  private StoreConfig smallSegments() {
    return StoreConfig.builder(dir).segmentMaxBytes(4096).build();
  }

  private static boolean temp(StoredEvent e) {
    return e.header().coordinate().entity().startsWith("temp:");
  }

  private static void fillWithTempEvents(Store store, Random random, int n) {
    for (int i = 0; i < n; i++) {
      Coordinate c = Coordinate.of((random.nextBoolean() ? "temp:" : "keep:") + (i % 5), "s");
      store.append(c, KIND, payload("p" + i + "-".repeat(random.nextInt(40))));
      if (i == n / 2) {
        try (VisibilityFence f = store.beginFence()) {
          f.append(c, KIND, payload("cancelled"));
          f.cancel();
        }
      }
    }
  }

  @Test
  void catchUpOverACompactedStoreDeliversWhatQueryAfterLists(Random random) {
    for (boolean tombstone : new boolean[] {false, true}) {
      Path d = dir.resolve(tombstone ? "tombstone" : "retain");
      try (Store store = Store.open(StoreConfig.builder(d).segmentMaxBytes(4096).build())) {
        fillWithTempEvents(store, random, 400);
        CompactionResult r =
            store.compact(
                tombstone
                    ? CompactionConfig.tombstone(e -> !temp(e))
                    : CompactionConfig.retain(e -> !temp(e)));
        assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.reason());
        assertTrue(r.eventsDropped() > 0 || tombstone, "something was dropped");
        for (Region region : List.of(Region.all(), Region.entity("keep"), Region.entity("temp"))) {
          List<EventHeader> expected = StoreFixtures.query(store, region);
          if (tombstone && region.equals(Region.entity("temp"))) {
            assertTrue(
                expected.stream().anyMatch(h -> h.kind().equals(EventKind.TOMBSTONE)),
                "tombstones are listed");
          }
          long after = random.nextInt(50) - 1;
          List<EventHeader> fromAfter =
              expected.stream().filter(h -> h.globalSequence() > after).toList();
          try (Subscription s =
              store.subscribeFrom(region, after, SubscriptionOptions.defaults())) {
            List<EventHeader> got = take(s, fromAfter.size());
            assertEquals(sequences(fromAfter), sequences(got), region + " after " + after);
            assertEquals(
                fromAfter.stream().map(EventHeader::kind).toList(),
                got.stream().map(EventHeader::kind).toList());
            assertEquals(Optional.empty(), s.poll(Duration.ofMillis(20)), "nothing more");
          }
        }
      }
    }
  }

  @Test
  void theFanOutGoesOnAcrossACompactionSwap(Random random) throws Exception {
    try (Store store = Store.open(smallSegments())) {
      fillWithTempEvents(store, random, 300);
      Subscription s = store.subscribe(Region.entity("live"));
      Subscription all = store.subscribe(Region.all());
      int n = 2000;
      AtomicReference<Throwable> failed = new AtomicReference<>();
      List<AppendReceipt> appended = new ArrayList<>();
      Thread appender =
          new Thread(
              () -> {
                try {
                  for (int i = 0; i < n; i++) {
                    appended.add(store.append(Coordinate.of("live", "s"), KIND, payload("l" + i)));
                  }
                } catch (Throwable t) {
                  failed.set(t);
                }
              });
      appender.start();
      CompactionResult r = store.compact(CompactionConfig.retain(e -> !temp(e)));
      assertEquals(CompactionResult.Outcome.PERFORMED, r.outcome(), r.reason());
      appender.join();
      assertEquals(null, failed.get());
      List<EventHeader> got = take(s, n);
      for (int i = 0; i < n; i++) {
        assertEquals(appended.get(i).eventId(), got.get(i).eventId(), "event " + i);
      }
      AppendReceipt after = store.append(A, KIND, payload("after"));
      List<EventHeader> rest = new ArrayList<>();
      while (rest.isEmpty()
          || rest.get(rest.size() - 1).globalSequence() < after.globalSequence()) {
        rest.addAll(all.pollBatch(1000, LONG));
      }
      assertEquals(n + 1, rest.size(), "every live event and the one after, nothing else");
      s.close();
      all.close();
    }
  }

  @Test
  void theHandoverFromHistoryToLiveHasNoGapAndNoDuplicateUnderConcurrentAppends(Random random)
      throws Exception {
    StoreConfig cfg = StoreConfig.builder(dir).durability(io.batpak.Durability.VISIBLE).build();
    int writers = 4;
    int each = 3000;
    try (Store store = Store.open(cfg)) {
      for (int i = 0; i < 500; i++) {
        store.append(A, KIND, payload("h" + i));
      }
      List<Thread> threads = new ArrayList<>();
      AtomicReference<Throwable> failed = new AtomicReference<>();
      for (int w = 0; w < writers; w++) {
        Coordinate c = Coordinate.of("w-" + w, "s");
        Thread t =
            new Thread(
                () -> {
                  try {
                    for (int i = 0; i < each; i++) {
                      store.append(c, KIND, payload("x" + i));
                    }
                  } catch (Throwable x) {
                    failed.set(x);
                  }
                });
        threads.add(t);
      }
      List<Subscription> subs = new ArrayList<>();
      List<Long> starts = new ArrayList<>();
      for (Thread t : threads) {
        t.start();
      }
      for (int k = 0; k < 4; k++) {
        long after = random.nextInt(600) - 1;
        starts.add(after);
        subs.add(
            store.subscribeFrom(
                k % 2 == 0 ? Region.all() : Region.entity("w-1"),
                after,
                SubscriptionOptions.defaults().withCapacity(1 << 20)));
      }
      for (Thread t : threads) {
        t.join();
      }
      assertEquals(null, failed.get());
      long total = 500L + (long) writers * each;
      for (int k = 0; k < subs.size(); k++) {
        Region region = k % 2 == 0 ? Region.all() : Region.entity("w-1");
        long after = starts.get(k);
        List<Long> expected =
            sequences(StoreFixtures.query(store, region)).stream().filter(g -> g > after).toList();
        List<Long> got = sequences(take(subs.get(k), expected.size()));
        assertEquals(expected, got, "subscriber " + k + " after " + after);
        assertEquals(Optional.empty(), subs.get(k).poll(Duration.ofMillis(20)));
        assertEquals(0, subs.get(k).dropped());
        subs.get(k).close();
      }
      assertEquals(total, store.stats().eventCount());
    }
  }

  @Test
  void aReadOnlyStoreServesHistoryAndEndsItsSubscriptionsOnClose() {
    try (Store store = StoreFixtures.open(dir)) {
      for (int i = 0; i < 5; i++) {
        store.append(A, KIND, payload("e" + i));
      }
    }
    Store ro = Store.open(StoreConfig.builder(dir).readOnly(true).build());
    {
      Subscription history = ro.subscribeFrom(Region.all(), 1, SubscriptionOptions.defaults());
      assertEquals(List.of(2L, 3L, 4L), sequences(take(history, 3)));
      Subscription live = ro.subscribe(Region.all());
      assertEquals(Optional.empty(), live.poll(Duration.ofMillis(20)));
      ro.close();
      assertEquals(
          Subscription.End.STORE_CLOSED,
          assertThrows(SubscriptionEndedException.class, () -> live.poll(Duration.ZERO)).reason());
    }
  }

  @Test
  void badArgumentsAreRefusedNamingTheValue() {
    try (Store store = StoreFixtures.open(dir)) {
      ValidationException capacity =
          assertThrows(
              ValidationException.class, () -> SubscriptionOptions.defaults().withCapacity(0));
      assertTrue(capacity.getMessage().contains("got 0"), capacity.getMessage());
      assertThrows(
          ValidationException.class,
          () -> SubscriptionOptions.defaults().withCapacity(SubscriptionOptions.MAX_CAPACITY + 1));
      assertThrows(
          NullPointerException.class, () -> SubscriptionOptions.defaults().withOverflow(null));
      ValidationException after =
          assertThrows(
              ValidationException.class,
              () -> store.subscribeFrom(Region.all(), -2, SubscriptionOptions.defaults()));
      assertTrue(after.getMessage().contains("-2"), after.getMessage());
      try (Subscription s = store.subscribe(Region.all())) {
        assertThrows(ValidationException.class, () -> s.pollBatch(0, Duration.ZERO));
        assertThrows(ValidationException.class, () -> s.poll(Duration.ofMillis(-1)));
        assertThrows(NullPointerException.class, () -> s.poll(null));
      }
    }
  }

  /** The events of a deterministic sim run: ids, timestamps and hashes in global order. */
  private static List<String> deterministicRun(long seed, boolean subscribed) {
    io.batpak.fs.sim.SimStoreFs fs = io.batpak.fs.sim.SimStoreFs.builder().seed(seed).build();
    StoreConfig cfg =
        StoreConfig.builder(Path.of("/sim/det"))
            .fs(fs)
            .clock(new io.batpak.fs.sim.SimStoreClock())
            .entropy(new io.batpak.fs.sim.SimEntropy(seed))
            .deterministic(true)
            .build();
    Random rnd = new Random(seed);
    List<String> events = new ArrayList<>();
    try (Store store = Store.open(cfg)) {
      Subscription s = subscribed ? store.subscribe(Region.all()) : null;
      long delivered = 0;
      for (int i = 0; i < 200; i++) {
        store.append(rnd.nextBoolean() ? A : B, KIND, payload("e" + rnd.nextInt(1000)));
        if (s != null) {
          // Poll without a timeout: a timed wait on a simulated clock would advance its time.
          while (delivered <= i) {
            if (s.poll(Duration.ZERO).isPresent()) {
              delivered++;
            } else {
              Thread.onSpinWait();
            }
          }
        }
      }
      for (EventHeader h : StoreFixtures.query(store, Region.all())) {
        events.add(h.eventId() + " " + h.timestampMicros() + " " + h.eventHash());
      }
    }
    return events;
  }

  @Test
  void inDeterministicModeTheFanOutChangesNoStoreState(Random random) {
    long seed = random.nextLong();
    List<String> without = deterministicRun(seed, false);
    assertEquals(200, without.size());
    assertEquals(without, deterministicRun(seed, true), "same ids, timestamps and hashes");
  }

  @Test
  void historyWrittenBeforeTheFirstSubscriptionIsReadAsHistoryNotQueued() {
    try (Store store = StoreFixtures.open(dir)) {
      for (int i = 0; i < 50; i++) {
        store.append(A, KIND, payload("e" + i));
      }
      // A queue of 4 would overflow if the 50 events came through it.
      try (Subscription s =
          store.subscribeFrom(Region.all(), -1, SubscriptionOptions.defaults().withCapacity(4))) {
        assertEquals(50, take(s, 50).size());
        assertEquals(Optional.empty(), s.poll(Duration.ofMillis(20)));
        assertEquals(Optional.empty(), s.endReason());
      }
      try (Subscription live = store.subscribe(Region.all(), SubscriptionOptions.defaults())) {
        try (Subscription late =
            store.subscribeFrom(Region.all(), 9, SubscriptionOptions.defaults().withCapacity(4))) {
          assertEquals(40, take(late, 40).size(), "history behind a running fan-out");
          assertEquals(Optional.empty(), late.endReason());
        }
        assertEquals(Optional.empty(), live.poll(Duration.ofMillis(20)));
      }
    }
  }
}
