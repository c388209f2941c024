package io.batpak.axon;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Store;
import java.util.Objects;
import org.apiguardian.api.API;
import org.axonframework.config.Configuration;
import org.axonframework.config.Configurer;

/**
 * Puts batpak under a plain-Java (Spring-less) Axon application: {@link #configure} makes an Axon
 * {@link Configurer}'s event store an embedded event store on a {@link BatpakEventStorageEngine}
 * that uses the configuration's serializers and upcasters. For Spring Boot, declare the engine as a
 * bean instead (docs/axon.md, "Spring Boot").
 *
 * <pre>{@code
 * Store store = Store.open(StoreConfig.builder(Path.of("data/axon")).build());
 * Configurer configurer = DefaultConfigurer.defaultConfiguration();
 * BatpakAxon.configure(configurer, store)
 *     .configureAggregate(GiftCard.class)
 *     .eventProcessing(ep -> ep.registerTrackingEventProcessor("cards"));
 * Configuration axon = configurer.start();
 * // ...
 * axon.shutdown();
 * store.close();
 * }</pre>
 *
 * <p>The store stays the caller's: Axon's shutdown does not close it; close it after {@code
 * shutdown()}. Thread-safety: stateless.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class BatpakAxon {
  private BatpakAxon() {}

  /**
   * Configures {@code configurer}'s event store as Axon's embedded event store on {@code store}.
   *
   * @return {@code configurer}, for chaining
   * @throws NullPointerException if an argument is null
   */
  public static Configurer configure(Configurer configurer, Store store) {
    Objects.requireNonNull(configurer, "configurer");
    Objects.requireNonNull(store, "store");
    return configurer.configureEmbeddedEventStore(configuration -> engine(configuration, store));
  }

  /**
   * An engine on {@code store} with {@code configuration}'s event serializer, its general
   * serializer for snapshots and its upcaster chain, and the engine's defaults otherwise.
   *
   * @throws NullPointerException if an argument is null
   */
  public static BatpakEventStorageEngine engine(Configuration configuration, Store store) {
    Objects.requireNonNull(configuration, "configuration");
    Objects.requireNonNull(store, "store");
    return BatpakEventStorageEngine.builder()
        .store(store)
        .eventSerializer(configuration.eventSerializer())
        .snapshotSerializer(configuration.serializer())
        .upcasterChain(configuration.upcasterChain())
        .build();
  }

  /**
   * A {@link BatpakTokenStore} on {@code store} (the event store's own, or a second one) with
   * {@code configuration}'s general serializer and the token store's defaults (claim timeout 10 s,
   * the JVM's name as node id). Register it with {@code
   * configurer.eventProcessing().registerTokenStore(c -> BatpakAxon.tokenStore(c, store))}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static BatpakTokenStore tokenStore(Configuration configuration, Store store) {
    Objects.requireNonNull(configuration, "configuration");
    Objects.requireNonNull(store, "store");
    return BatpakTokenStore.builder().store(store).serializer(configuration.serializer()).build();
  }
}
