package io.batpak.axon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.config.ProcessingGroup;
import org.axonframework.eventhandling.EventHandler;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedEventMessage;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventsourcing.eventstore.EventStorageEngine;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;

/**
 * The Java samples of docs/axon.md, each a region DocCheck holds the page to: the plain-Java
 * configurer runs as shown, and the Spring Boot beans compile against Spring's annotations and,
 * called as plain methods, give an engine that stores and reads Axon's events.
 */
class AxonDocSamplesTest {
  @TempDir Path dir;

  @Test
  void theConfigurerSampleRuns() {
    // sample:configurer
    Store store = Store.open(StoreConfig.builder(dir).build());
    Configurer configurer =
        DefaultConfigurer.defaultConfiguration()
            .configureSerializer(c -> JacksonSerializer.defaultSerializer());
    BatpakAxon.configure(configurer, store); // the embedded event store, on batpak
    // ... configureAggregate(...), eventProcessing(...) as in any Axon application
    Configuration axon = configurer.start();
    axon.eventBus().publish(GenericEventMessage.asEventMessage("hello"));
    assert store.stream("axon:events").size() == 1;
    axon.shutdown();
    store.close(); // the store is yours: Axon never closes it
    // end-sample:configurer
    try (Store reopened = Store.open(StoreConfig.builder(dir).build())) {
      assertEquals(1, reopened.stream("axon:events").size(), "the published event is stored");
    }
  }

  /** The beans of docs/axon.md's Spring Boot section, as a configuration class declares them. */
  static class SpringBeans {
    // sample:spring-beans
    @Bean(destroyMethod = "close")
    Store batpakStore(@Value("${batpak.dir}") Path dir) {
      return Store.open(StoreConfig.builder(dir).build());
    }

    @Bean
    EventStorageEngine eventStorageEngine(
        Store store,
        Serializer serializer,
        @Qualifier("eventSerializer") Serializer eventSerializer,
        org.axonframework.config.Configuration configuration) {
      return BatpakEventStorageEngine.builder()
          .store(store)
          .snapshotSerializer(serializer)
          .eventSerializer(eventSerializer)
          .upcasterChain(configuration.upcasterChain())
          .build();
    }
    // end-sample:spring-beans
  }

  @Test
  void theSpringBeansGiveAWorkingEngine() {
    SpringBeans beans = new SpringBeans();
    Configuration configuration =
        DefaultConfigurer.defaultConfiguration()
            .configureSerializer(c -> JacksonSerializer.defaultSerializer())
            .buildConfiguration();
    try (Store store = beans.batpakStore(dir)) {
      EventStorageEngine engine =
          beans.eventStorageEngine(
              store,
              JacksonSerializer.defaultSerializer(),
              JacksonSerializer.defaultSerializer(),
              configuration);
      engine.appendEvents(List.of(GenericEventMessage.asEventMessage("one")));
      List<? extends TrackedEventMessage<?>> read = engine.readEvents(null, false).toList();
      assertEquals(1, read.size());
      EventMessage<?> first = read.get(0);
      assertEquals("one", first.getPayload());
    }
  }

  /** The projection of the token-store sample: counts greetings, opens a latch per greeting. */
  @ProcessingGroup("greetings")
  static final class Greetings {
    final CountDownLatch seen = new CountDownLatch(2);

    @EventHandler
    void on(String greeting) {
      seen.countDown();
    }
  }

  @Test
  void theTokenStoreSampleKeepsTheProcessorsPositionInTheSecondStore() throws Exception {
    Greetings greetings = new Greetings();
    // sample:token-store
    Store events = Store.open(StoreConfig.builder(dir.resolve("events")).build());
    Store tokens = Store.open(StoreConfig.builder(dir.resolve("tokens")).build());
    Configurer configurer =
        DefaultConfigurer.defaultConfiguration()
            .configureSerializer(c -> JacksonSerializer.defaultSerializer());
    BatpakAxon.configure(configurer, events);
    configurer.eventProcessing(
        ep ->
            ep.registerTokenStore(c -> BatpakAxon.tokenStore(c, tokens))
                .registerTrackingEventProcessor("greetings")
                .registerEventHandler(c -> greetings));
    Configuration axon = configurer.start();
    axon.eventBus().publish(GenericEventMessage.asEventMessage("hello"));
    axon.eventBus().publish(GenericEventMessage.asEventMessage("again"));
    // end-sample:token-store
    assertTrue(greetings.seen.await(60, TimeUnit.SECONDS), "the processor handled both events");
    axon.shutdown();
    BatpakTokenStore reader =
        BatpakTokenStore.builder()
            .store(tokens)
            .serializer(JacksonSerializer.defaultSerializer())
            .nodeId("reader")
            .build();
    assertEquals(1, reader.fetchSegments("greetings").length, "one segment, initialized");
    assertEquals(new GlobalSequenceTrackingToken(1), reader.fetchToken("greetings", 0));
    assertEquals(2, events.watermarks().visible(), "the event store holds the two events only");
    tokens.close();
    events.close();
  }

  /** The bean of docs/axon.md's token-store section. */
  static class SpringTokenStoreBean {
    // sample:spring-token-store
    @Bean
    TokenStore tokenStore(@Qualifier("batpakTokens") Store tokens, Serializer serializer) {
      return BatpakTokenStore.builder().store(tokens).serializer(serializer).build();
    }
    // end-sample:spring-token-store
  }

  @Test
  void theSpringTokenStoreBeanStoresTokens() {
    try (Store tokens = Store.open(StoreConfig.builder(dir.resolve("tokens")).build())) {
      TokenStore store =
          new SpringTokenStoreBean().tokenStore(tokens, JacksonSerializer.defaultSerializer());
      store.initializeTokenSegments("p", 1, new GlobalSequenceTrackingToken(4));
      assertEquals(new GlobalSequenceTrackingToken(4), store.fetchToken("p", 0));
    }
  }
}
