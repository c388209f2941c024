package io.batpak.axon;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.Store;
import io.batpak.StoreConfig;
import java.nio.file.Path;
import java.util.List;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;
import org.axonframework.config.DefaultConfigurer;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.TrackedEventMessage;
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
}
