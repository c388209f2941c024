package io.batpak.axon;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimStoreFs;
import java.nio.file.Path;
import java.util.function.UnaryOperator;
import org.axonframework.eventsourcing.eventstore.BatchingEventStorageEngineTest;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Axon's own engine suite, unchanged: {@code BatchingEventStorageEngineTest} and the two abstract
 * classes above it ({@code AbstractEventStorageEngineTest}, {@code EventStorageEngineTest}) from
 * {@code org.axonframework:axon-eventsourcing:4.13.0:tests}, run against {@link
 * BatpakEventStorageEngine} on a fresh in-memory store per test. No test is overridden or disabled;
 * this class only supplies the engine, as Axon's JDBC test does.
 */
class AxonEngineContractTest
    extends BatchingEventStorageEngineTest<
        BatpakEventStorageEngine, BatpakEventStorageEngine.Builder> {

  private SimStoreFs fs;
  private Store store;

  @BeforeEach
  void openStore() {
    fs = SimStoreFs.builder().seed(16).build();
    store = Store.open(StoreConfig.builder(Path.of("/axon")).fs(fs).build());
    setTestSubject(createEngine());
  }

  @AfterEach
  void closeStore() {
    store.close();
    fs.close();
  }

  @Override
  protected BatpakEventStorageEngine createEngine(
      UnaryOperator<BatpakEventStorageEngine.Builder> customization) {
    JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
    BatpakEventStorageEngine.Builder builder =
        BatpakEventStorageEngine.builder()
            .store(store)
            .eventSerializer(serializer)
            .snapshotSerializer(serializer)
            .blockingWait(java.time.Duration.ofMillis(200));
    return customization.apply(builder).build();
  }
}
