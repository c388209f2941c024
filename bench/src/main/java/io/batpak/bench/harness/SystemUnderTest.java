package io.batpak.bench.harness;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.HdrHistogram.Histogram;

/**
 * A system under test: batpak or a peer, behind the operations the workloads need. {@link #append}
 * and {@link #appendBatch} may be called from many threads at once; everything else from one.
 */
public interface SystemUnderTest {
  /**
   * A new, closed instance of the system called {@code name} on the command line.
   *
   * @throws IllegalArgumentException when {@code name} is not one of {@code batpak-durable}, {@code
   *     batpak-visible}, {@code batpak-signed}, {@code batpak-signed-per-event}, {@code sqlite},
   *     {@code h2}, {@code axon}, {@code axon-batpak}, {@code rocksdb} or {@code batpak-replicated}
   *     (the raw baselines are not systems under test)
   */
  static SystemUnderTest named(String name) {
    switch (name) {
      case "batpak-durable":
        return new BatpakSystem(false);
      case "batpak-visible":
        return new BatpakSystem(true);
      case "batpak-signed":
        return new BatpakSystem(false, BatpakSystem.Signing.GROUP);
      case "batpak-signed-per-event":
        return new BatpakSystem(false, BatpakSystem.Signing.PER_EVENT);
      case "sqlite":
        return JdbcSystem.sqlite();
      case "h2":
        return JdbcSystem.h2();
      case "axon":
        return new AxonSystem();
      case "axon-batpak":
        return new AxonBatpakSystem();
      case "rocksdb":
        return new RocksSystem();
      case ReplicatedSystem.NAME:
        return new ReplicatedSystem();
      default:
        throw new IllegalArgumentException(
            "unknown system under test '"
                + name
                + "'; known: batpak-durable, batpak-visible, batpak-signed,"
                + " batpak-signed-per-event, sqlite, h2, axon, axon-batpak, rocksdb,"
                + " batpak-replicated");
    }
  }

  /** The name on the command line and in the table. */
  String name();

  /** What an acknowledged append promises, in words. */
  String durability();

  /** Opens (creating when absent) the system's data in {@code dir}. */
  void open(Path dir) throws Exception;

  /**
   * Appends one event at its expected version and returns once the system acknowledged it.
   *
   * @return a key for {@link #readPoint}
   */
  Object append(EventToAppend e) throws Exception;

  /** Appends the events atomically (one transaction, one frame) and returns their read keys. */
  List<Object> appendBatch(List<EventToAppend> events) throws Exception;

  /** Whether {@link #submit} is a real pipelined append (batpak) rather than unsupported. */
  default boolean hasSubmit() {
    return false;
  }

  /** A pipelined append; completes when the system acknowledged the event. */
  default CompletableFuture<?> submit(EventToAppend e) {
    throw new UnsupportedOperationException(name() + " has no pipelined append");
  }

  /** The most threads that may append at once (a limit of the system), or 0 for no limit. */
  default int maxConcurrentWriters() {
    return 0;
  }

  /** Null when point reads by id are supported, otherwise why not. */
  default String pointReadUnsupported() {
    return null;
  }

  /** Reads one event's payload by the key {@link #append} returned; returns its length. */
  int readPoint(Object key) throws Exception;

  /**
   * Null when {@link #catchUp} is available (the Axon systems), otherwise why not, for the table.
   */
  default String catchUpUnsupported() {
    return "no tracking processor: the catch-up workload reads through Axon's"
        + " EmbeddedEventStore.openStream, which only the Axon systems (axon, axon-batpak) have";
  }

  /**
   * Reads the events from the tail token to the head the way a tracking event processor catches up,
   * {@code expected} of them, each payload deserialized; records the time between deliveries in
   * {@code latencyNanos}.
   *
   * @throws IllegalStateException if the stream delivers fewer or more than {@code expected}
   * @throws UnsupportedOperationException if {@link #catchUpUnsupported} is not null
   */
  default CatchUp catchUp(long expected, Histogram latencyNanos) throws Exception {
    throw new UnsupportedOperationException(catchUpUnsupported());
  }

  /**
   * What a catch-up read delivered.
   *
   * @param events how many events
   * @param lastPosition the last event's tracking-token position (its global index)
   * @param sequenceSum the sum of the delivered domain events' sequence numbers
   */
  record CatchUp(long events, long lastPosition, long sequenceSum) {}

  /** Reads every event of {@code stream} in order, payloads included; returns how many. */
  int readStream(String stream) throws Exception;

  /** Every event the system holds, as a count and checksum. */
  EventChecksum scan() throws Exception;

  /** Opens the data in {@code dir} again (after {@link #close}) and counts the events. */
  long openAndCount(Path dir) throws Exception;

  /** What {@link #openAndCount} does, in words, ending where W8's note adds "N events". */
  default String openAndCountHow() {
    return "open + SELECT count(*) (no scan of the rows) of ";
  }

  /** Counters the system exposes (for batpak: fsyncs and writes of segment files). */
  default Map<String, Long> counters() {
    return Map.of();
  }

  /** Closes the system; idempotent. */
  void close() throws Exception;
}
