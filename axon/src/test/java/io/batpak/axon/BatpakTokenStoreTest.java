package io.batpak.axon;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.OutcomeUnknownException;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventhandling.tokenstore.UnableToInitializeTokenException;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** BatpakTokenStore: segments, claims and their timeout, races, durability, tracked reads. */
class BatpakTokenStoreTest {
  private static final Instant T0 = Instant.parse("2026-12-04T12:00:00Z");
  private static final JacksonSerializer SERIALIZER = JacksonSerializer.defaultSerializer();

  private SimStoreFs fs;
  private Store store;
  private BatpakTokenStore a;
  private BatpakTokenStore b;

  @BeforeEach
  void open() {
    at(T0);
    fs = SimStoreFs.builder().seed(36).build();
    store = open(fs);
    a = node(store, "a");
    b = node(store, "b");
  }

  @AfterEach
  void close() {
    GenericEventMessage.clock = Clock.systemUTC();
    store.close();
    fs.close();
  }

  private static Store open(SimStoreFs fs) {
    return Store.open(StoreConfig.builder(Path.of("/tokens")).fs(fs).build());
  }

  private static BatpakTokenStore node(Store store, String id) {
    return BatpakTokenStore.builder()
        .store(store)
        .serializer(SERIALIZER)
        .nodeId(id)
        .claimTimeout(Duration.ofSeconds(10))
        .build();
  }

  private static void at(Instant now) {
    GenericEventMessage.clock = Clock.fixed(now, ZoneOffset.UTC);
  }

  private static GlobalSequenceTrackingToken at(long index) {
    return new GlobalSequenceTrackingToken(index);
  }

  @Test
  void aSegmentMustBeInitializedBeforeItIsClaimedOrWritten() {
    assertTrue(a.requiresExplicitSegmentInitialization());
    assertArrayEquals(new int[0], a.fetchSegments("p"));
    UnableToClaimTokenException e =
        assertThrows(UnableToClaimTokenException.class, () -> a.fetchToken("p", 0));
    assertTrue(e.getMessage().contains("does not exist"), e.getMessage());
    assertThrows(UnableToClaimTokenException.class, () -> a.storeToken(at(1), "p", 0));
    assertThrows(UnableToClaimTokenException.class, () -> a.extendClaim("p", 0));
    a.releaseClaim("p", 0); // nothing to release: no effect, no exception
    assertArrayEquals(new int[0], a.fetchSegments("p"));
  }

  @Test
  void initializedSegmentsHoldTheInitialTokenUnclaimedAndAreCreatedOnce() {
    a.initializeTokenSegments("p", 3, at(7));
    assertArrayEquals(new int[] {0, 1, 2}, b.fetchSegments("p"));
    assertEquals(at(7), b.fetchToken("p", 2), "unclaimed: any node may claim it");
    assertEquals(at(7), a.fetchToken("p", 0));
    UnableToClaimTokenException again =
        assertThrows(UnableToClaimTokenException.class, () -> b.initializeTokenSegments("p", 3));
    assertTrue(again.getMessage().contains("already has segments"), again.getMessage());
    a.initializeTokenSegments("other", 1);
    assertNull(a.fetchToken("other", 0), "a null initial token");
    assertArrayEquals(new int[] {0, 1, 2}, a.fetchSegments("p"), "other processors apart");
    assertThrows(UnableToInitializeTokenException.class, () -> a.initializeSegment(null, "p", 1));
    a.initializeSegment(at(3), "p", 5);
    assertArrayEquals(new int[] {0, 1, 2, 5}, a.fetchSegments("p"));
    assertEquals(at(3), a.fetchToken("p", 5));
  }

  @Test
  void processorNamesThatLookAlikeStayApart() {
    a.initializeTokenSegments("p:1", 1, at(1));
    a.initializeTokenSegments("p", 2, at(2));
    a.initializeTokenSegments("p/1.x", 1, at(3));
    assertArrayEquals(new int[] {0}, a.fetchSegments("p:1"));
    assertArrayEquals(new int[] {0, 1}, a.fetchSegments("p"));
    assertEquals(at(1), a.fetchToken("p:1", 0));
    assertEquals(at(2), a.fetchToken("p", 1));
    assertEquals(at(3), a.fetchToken("p/1.x", 0));
  }

  @Test
  void aClaimExcludesOtherNodesUntilItTimesOutThenItMayBeTaken() {
    a.initializeTokenSegments("p", 2);
    assertNull(a.fetchToken("p", 0));
    a.storeToken(at(41), "p", 0);
    at(T0.plusSeconds(9));
    UnableToClaimTokenException held =
        assertThrows(UnableToClaimTokenException.class, () -> b.fetchToken("p", 0));
    assertTrue(held.getMessage().contains("'a' holds its claim"), held.getMessage());
    assertThrows(UnableToClaimTokenException.class, () -> b.storeToken(at(50), "p", 0));
    assertThrows(UnableToClaimTokenException.class, () -> b.extendClaim("p", 0));
    assertThrows(UnableToClaimTokenException.class, () -> b.deleteToken("p", 0));
    assertEquals(List.of(1), segmentIds(b.fetchAvailableSegments("p")));
    assertEquals(List.of(0, 1), segmentIds(a.fetchAvailableSegments("p")));
    a.extendClaim("p", 0); // renewed at T0 + 9 s
    at(T0.plusSeconds(18));
    assertThrows(UnableToClaimTokenException.class, () -> b.fetchToken("p", 0));
    at(T0.plusSeconds(19));
    assertEquals(at(41), b.fetchToken("p", 0), "the claim timed out: b takes it with a's token");
    UnableToClaimTokenException stolen =
        assertThrows(UnableToClaimTokenException.class, () -> a.storeToken(at(42), "p", 0));
    assertTrue(stolen.getMessage().contains("'b' holds its claim"), stolen.getMessage());
    assertThrows(UnableToClaimTokenException.class, () -> a.extendClaim("p", 0));
    a.releaseClaim("p", 0); // not a's claim any more: no effect
    assertThrows(UnableToClaimTokenException.class, () -> a.fetchToken("p", 0));
  }

  @Test
  void aReleasedClaimIsFreeAtOnceAndTheTokenStays() {
    a.initializeTokenSegments("p", 1);
    a.fetchToken("p", 0);
    a.storeToken(at(12), "p", 0);
    a.releaseClaim("p", 0);
    assertEquals(at(12), b.fetchToken("p", 0));
    b.storeToken(null, "p", 0);
    assertNull(b.fetchToken("p", 0), "a stored null token reads back null");
  }

  @Test
  void onlyTheOwnerDeletesASegmentWhichCanThenBeCreatedAgain() {
    a.initializeTokenSegments("p", 2, at(5));
    a.fetchToken("p", 1);
    assertThrows(UnableToClaimTokenException.class, () -> b.deleteToken("p", 1));
    a.deleteToken("p", 1);
    assertArrayEquals(new int[] {0}, a.fetchSegments("p"));
    assertThrows(UnableToClaimTokenException.class, () -> a.fetchToken("p", 1));
    assertThrows(UnableToClaimTokenException.class, () -> a.storeToken(at(6), "p", 1));
    a.initializeSegment(at(9), "p", 1);
    assertArrayEquals(new int[] {0, 1}, a.fetchSegments("p"));
    assertEquals(at(9), b.fetchToken("p", 1));
  }

  /** Two nodes race for one unclaimed segment, many times: each time exactly one wins. */
  @Test
  void twoNodesRacingForOneClaimNeverBothWin() throws Exception {
    int rounds = 60;
    a.initializeTokenSegments("race", rounds, at(0));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      for (int round = 0; round < rounds; round++) {
        int segment = round;
        List<Future<Boolean>> won = new ArrayList<>();
        for (BatpakTokenStore node : List.of(a, b)) {
          Callable<Boolean> claim =
              () -> {
                start.await();
                try {
                  node.fetchToken("race", segment);
                  node.storeToken(at(segment + 1), "race", segment);
                  return true;
                } catch (UnableToClaimTokenException lost) {
                  return false;
                }
              };
          won.add(pool.submit(claim));
        }
        int winners = 0;
        for (Future<Boolean> f : won) {
          winners += f.get() ? 1 : 0;
        }
        assertEquals(1, winners, "round " + round + ": exactly one node holds the claim");
        assertEquals(at(segment + 1), winnerOf(segment).fetchToken("race", segment));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private BatpakTokenStore winnerOf(int segment) {
    try {
      a.extendClaim("race", segment);
      return a;
    } catch (UnableToClaimTokenException notA) {
      return b;
    }
  }

  /** A token acknowledged by storeToken survives a power loss (the store's DURABLE mode). */
  @Test
  void aStoredTokenSurvivesAPowerLoss() {
    a.initializeTokenSegments("p", 1);
    a.fetchToken("p", 0);
    a.storeToken(at(99), "p", 0);
    fs.crash(CrashProfile.STRICT);
    // The crash invalidated the store's files: its close cannot sync, and says so.
    assertThrows(OutcomeUnknownException.class, store::close);
    store = open(fs);
    BatpakTokenStore again = node(store, "a");
    assertArrayEquals(new int[] {0}, again.fetchSegments("p"));
    assertEquals(at(99), again.fetchToken("p", 0), "the same node resumes its claim");
    assertThrows(UnableToClaimTokenException.class, () -> node(store, "b").fetchToken("p", 0));
  }

  @Test
  void theStorageIdentifierIsOnePerStore() {
    String id = a.retrieveStorageIdentifier().orElseThrow();
    assertEquals(id, b.retrieveStorageIdentifier().orElseThrow());
    try (SimStoreFs otherFs = SimStoreFs.builder().seed(37).build();
        Store other = open(otherFs)) {
      assertNotEquals(id, node(other, "a").retrieveStorageIdentifier().orElseThrow());
    }
    store.close();
    store = open(fs);
    assertEquals(id, node(store, "c").retrieveStorageIdentifier().orElseThrow(), "kept");
  }

  /** Token events share the store with Axon's events; a tracked read never delivers them. */
  @Test
  void trackedReadsSkipTheTokenStoresEvents() {
    BatpakEventStorageEngine engine =
        BatpakEventStorageEngine.builder()
            .store(store)
            .eventSerializer(SERIALIZER)
            .snapshotSerializer(SERIALIZER)
            .blockingWait(Duration.ZERO)
            .build();
    EmbeddedEventStore events = EmbeddedEventStore.builder().storageEngine(engine).build();
    try {
      events.publish(GenericEventMessage.asEventMessage("first"));
      a.initializeTokenSegments("p", 2);
      a.fetchToken("p", 0);
      a.storeToken(at(0), "p", 0);
      events.publish(GenericEventMessage.asEventMessage("second"));
      List<TrackedEventMessage<?>> read =
          engine.readEvents(null, false).collect(Collectors.toList());
      assertEquals(List.of("first", "second"), read.stream().map(m -> m.getPayload()).toList());
      assertEquals(0, ((GlobalSequenceTrackingToken) read.get(0).trackingToken()).getGlobalIndex());
      long second = ((GlobalSequenceTrackingToken) read.get(1).trackingToken()).getGlobalIndex();
      assertTrue(second > 1, "the token store's appends took positions " + 1 + ".." + (second - 1));
      assertEquals(
          List.of("second"),
          engine.readEvents(read.get(0).trackingToken(), false).map(m -> m.getPayload()).toList());
    } finally {
      events.shutDown();
    }
  }

  @Test
  void theBuilderRefusesMissingOrBadSettings() {
    var e =
        assertThrows(
            org.axonframework.common.AxonConfigurationException.class,
            () -> BatpakTokenStore.builder().store(store).build());
    assertTrue(e.getMessage().contains("serializer"), e.getMessage());
    assertThrows(
        org.axonframework.common.AxonConfigurationException.class,
        () -> BatpakTokenStore.builder().claimTimeout(Duration.ZERO));
    assertThrows(
        org.axonframework.common.AxonConfigurationException.class,
        () -> BatpakTokenStore.builder().nodeId(""));
    assertThrows(IllegalArgumentException.class, () -> a.initializeTokenSegments("p", 0, at(1)));
  }

  private static List<Integer> segmentIds(List<Segment> segments) {
    return segments.stream().map(Segment::getSegmentId).toList();
  }
}
