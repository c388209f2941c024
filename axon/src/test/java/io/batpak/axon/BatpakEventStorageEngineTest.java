package io.batpak.axon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.EventHeader;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.eventsourcing.eventstore.EventStore;
import org.axonframework.messaging.MetaData;
import org.axonframework.modelling.command.AggregateStreamCreationException;
import org.axonframework.modelling.command.ConcurrencyException;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the engine promises beyond Axon's suite: the batpak mapping, gap-free tracking, waits. */
class BatpakEventStorageEngineTest {
  private SimStoreFs fs;
  private Store store;
  private BatpakEventStorageEngine engine;

  @BeforeEach
  void open() {
    fs = SimStoreFs.builder().seed(32).build();
    store = Store.open(StoreConfig.builder(Path.of("/axon")).fs(fs).build());
    JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
    engine =
        BatpakEventStorageEngine.builder()
            .store(store)
            .eventSerializer(serializer)
            .snapshotSerializer(serializer)
            .blockingWait(Duration.ofSeconds(30))
            .build();
  }

  @AfterEach
  void close() {
    store.close();
    fs.close();
  }

  private static DomainEventMessage<String> event(String aggregate, long seq) {
    return new GenericDomainEventMessage<>(
        "Card", aggregate, seq, "payload-" + seq, MetaData.with("user", "ann"));
  }

  @Test
  void anAggregatesEventsAreOneBatpakStreamWithAxonFieldsAsExtensions() {
    engine.appendEvents(event("card/1.a", 0), event("card/1.a", 1));

    List<EventHeader> stream = store.stream("axon:aggregate:card%2F1%2Ea");
    assertEquals(2, stream.size());
    EventHeader first = stream.get(0);
    assertEquals(AxonEnvelope.DOMAIN_EVENT, first.kind());
    assertEquals("axon", first.coordinate().scope());
    assertEquals("card/1.a", first.extensions().get(AxonEnvelope.AGGREGATE_ID).toUtf8());
    assertEquals("Card", first.extensions().get(AxonEnvelope.AGGREGATE_TYPE).toUtf8());
    assertEquals("0", first.extensions().get(AxonEnvelope.SEQUENCE).toUtf8());
    assertEquals(
        "\"payload-0\"", store.get(first.eventId()).payload().toUtf8(), "Axon's bytes, as is");
    assertEquals(Long.valueOf(1), engine.lastSequenceNumberFor("card/1.a").orElseThrow());
    assertEquals(
        List.of("payload-0", "payload-1"),
        engine.readEvents("card/1.a").asStream().map(EventMessage::getPayload).toList());
  }

  @Test
  void aLostRaceIsAxonsConcurrencyExceptionAndWritesNothing() {
    engine.appendEvents(event("a", 0));
    long before = store.watermarks().visible();

    assertThrows(
        ConcurrencyException.class,
        () -> engine.appendEvents(event("a", 1), event("b", 0), event("a", 1)));
    assertThrows(
        AggregateStreamCreationException.class,
        () -> engine.appendEvents(event("b", 0), event("a", 0)),
        "sequence 0 of an existing aggregate: Axon's exception for a reused identifier");

    assertEquals(before, store.watermarks().visible(), "neither batch wrote anything");
    assertFalse(engine.lastSequenceNumberFor("b").isPresent());
  }

  @Test
  void snapshotsTakeGlobalSequencesThatTrackedReadsAndTokensSkip() {
    engine.appendEvents(event("a", 0));
    engine.storeSnapshot(event("a", 0));
    engine.appendEvents(event("a", 1));
    engine.storeSnapshot(event("a", 1));

    List<Long> positions =
        engine
            .readEvents(engine.createTailToken(), false)
            .map(e -> ((GlobalSequenceTrackingToken) e.trackingToken()).getGlobalIndex())
            .collect(Collectors.toList());
    assertEquals(List.of(0L, 2L), positions, "global sequences 1 and 3 are the snapshots");
    assertEquals(new GlobalSequenceTrackingToken(3), engine.createHeadToken());
    assertEquals(1, engine.readSnapshot("a").orElseThrow().getSequenceNumber());
    assertEquals(2, store.queryAfter(Region.entity("axon:snapshot"), -1, 10).size(), "both kept");
  }

  @Test
  void aBlockingReadWaitsOnTheWatermarkAndContinuesWithTheNextEvent() throws Exception {
    engine.appendEvents(event("a", 0));
    CompletableFuture<List<String>> reader =
        CompletableFuture.supplyAsync(
            () ->
                engine
                    .readEvents(engine.createTailToken(), true)
                    .limit(2)
                    .map(TrackedEventMessage::getPayload)
                    .map(String.class::cast)
                    .collect(Collectors.toList()));
    engine.appendEvents(event("a", 1));

    assertEquals(List.of("payload-0", "payload-1"), reader.get());
  }

  @Test
  void aForeignTokenIsRefusedNamingItsType() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                engine.readEvents(
                    org.axonframework.eventhandling.GapAwareTrackingToken.newInstance(
                        3, java.util.Set.of()),
                    false));
    assertTrue(e.getMessage().contains("GapAwareTrackingToken"), e.getMessage());
  }

  @Test
  void theConfigurerHelperInstallsTheEngineUnderAxonsEmbeddedEventStore() {
    Configurer configurer = DefaultConfigurer.defaultConfiguration();
    BatpakAxon.configure(configurer, store);
    org.axonframework.config.Configuration axon = configurer.buildConfiguration();
    axon.start();
    try {
      EventStore eventStore = axon.eventStore();
      assertTrue(eventStore instanceof EmbeddedEventStore);
      eventStore.publish(event("via-axon", 0));
      assertEquals(1, store.stream("axon:aggregate:via-axon").size());
      assertEquals(1, eventStore.readEvents("via-axon").asStream().count());
    } finally {
      axon.shutdown();
    }
    assertTrue(store.watermarks().visible() > 0, "the store stays open after Axon's shutdown");
  }
}
