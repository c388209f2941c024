package io.batpak.bench.harness;

import io.batpak.Durability;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.axon.BatpakEventStorageEngine;
import java.nio.file.Path;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.axonframework.eventsourcing.eventstore.EmbeddedEventStore;
import org.axonframework.serialization.json.JacksonSerializer;

/**
 * Axon Framework 4's {@link EmbeddedEventStore} over batpak's {@link BatpakEventStorageEngine}
 * (module {@code axon}) on a {@code DURABLE} store, with the same messages, serializer and units of
 * work as {@link AxonSystem} (Axon on JDBC/H2): the two differ only in the storage engine. Point
 * reads by id are not available through Axon's event store. Shut down after each trial.
 */
public final class AxonBatpakSystem implements SystemUnderTest {
  private static final ExtensionKey AGGREGATE_ID = ExtensionKey.of("axon.aggregateId");
  private static final ExtensionKey SEQUENCE = ExtensionKey.of("axon.sequence");

  private Store batpak;
  private EmbeddedEventStore store;

  @Override
  public String name() {
    return "axon-batpak";
  }

  @Override
  public String durability() {
    return "EmbeddedEventStore + BatpakEventStorageEngine on a DURABLE store: acknowledged after"
        + " the fdatasync that covers the unit of work's events (survives power loss)";
  }

  @Override
  public void open(Path dir) {
    batpak =
        Store.open(
            StoreConfig.builder(dir.resolve("batpak")).durability(Durability.DURABLE).build());
    JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
    store =
        EmbeddedEventStore.builder()
            .storageEngine(
                BatpakEventStorageEngine.builder()
                    .store(batpak)
                    .eventSerializer(serializer)
                    .snapshotSerializer(serializer)
                    .build())
            .build();
  }

  @Override
  public Object append(EventToAppend e) {
    return AxonSystem.publish(store, e);
  }

  @Override
  public List<Object> appendBatch(List<EventToAppend> events) {
    return AxonSystem.publishAll(store, events);
  }

  @Override
  public String catchUpUnsupported() {
    return null;
  }

  @Override
  public CatchUp catchUp(long expected, Histogram latencyNanos) throws InterruptedException {
    return AxonSystem.catchUp(store, expected, latencyNanos);
  }

  @Override
  public String pointReadUnsupported() {
    return AxonSystem.NO_POINT_READS;
  }

  @Override
  public int readPoint(Object key) {
    throw new UnsupportedOperationException(pointReadUnsupported());
  }

  @Override
  public int readStream(String stream) {
    return AxonSystem.readAggregate(store, stream);
  }

  /** Every stored event's aggregate, sequence number and payload bytes, read with plain batpak. */
  @Override
  public EventChecksum scan() {
    EventChecksum.Accumulator acc = new EventChecksum.Accumulator();
    long after = -1;
    for (List<EventHeader> page;
        !(page = batpak.queryAfter(Region.entity("axon:aggregate"), after, 1000)).isEmpty(); ) {
      for (EventHeader h : page) {
        acc.add(
            h.extensions().get(AGGREGATE_ID).toUtf8(),
            Long.parseLong(h.extensions().get(SEQUENCE).toUtf8()),
            batpak.get(h.eventId()).payload().toByteArray());
      }
      after = page.get(page.size() - 1).globalSequence();
    }
    return acc.result();
  }

  @Override
  public long openAndCount(Path dir) {
    open(dir);
    return batpak.watermarks().visible();
  }

  @Override
  public String openAndCountHow() {
    return "open (recovery, index) + the visible watermark of ";
  }

  @Override
  public void close() {
    if (store != null) {
      store.shutDown();
      store = null;
    }
    if (batpak != null) {
      batpak.close();
      batpak = null;
    }
  }
}
