package io.batpak.axon;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendOptions;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventNotFoundException;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyConflictException;
import io.batpak.Payload;
import io.batpak.Store;
import io.batpak.StoreException;
import io.batpak.StoreTimeoutException;
import io.batpak.StoredEvent;
import io.batpak.Watermark;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apiguardian.api.API;
import org.axonframework.common.AxonConfigurationException;
import org.axonframework.common.jdbc.PersistenceExceptionResolver;
import org.axonframework.eventhandling.DomainEventData;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.GenericDomainEventEntry;
import org.axonframework.eventhandling.GlobalSequenceTrackingToken;
import org.axonframework.eventhandling.TrackedDomainEventData;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventsourcing.eventstore.BatchingEventStorageEngine;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.axonframework.eventsourcing.snapshotting.SnapshotFilter;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.upcasting.event.EventUpcaster;
import org.jspecify.annotations.Nullable;

/**
 * Axon Framework 4's {@code EventStorageEngine} on a batpak {@link Store}: embedded, durable, and
 * with a global sequence that never shows a gap to a tracking processor.
 *
 * <p><b>Mapping</b> (ADR 0032, docs/axon.md). An aggregate's domain events form the batpak stream
 * {@code axon:aggregate:<id>} (scope {@code axon}, kind {@code 0xA001}); events of no aggregate
 * share the stream {@code axon:events} (kind {@code 0xA002}); snapshots go to {@code
 * axon:snapshot:<id>} (kind {@code 0xB001}). The payload bytes are exactly what Axon's serializer
 * wrote; the event identifier, timestamp, payload type and revision, serialized metadata, and
 * aggregate identifier, type and sequence number are extensions ({@code axon.*}). The batpak event
 * id is an idempotency key made from Axon's event identifier, so an identifier is stored once.
 *
 * <p><b>Concurrency.</b> All the events of one {@code appendEvents} call form one atomic batpak
 * batch: the whole call is stored or nothing is. The first event of each aggregate in the call is
 * appended with an expected version: an empty stream for sequence number 0 or a new aggregate,
 * otherwise the stream's current version, after checking that its newest sequence number is lower;
 * batpak refuses the batch if the stream moved meanwhile. A lost race or a taken sequence number is
 * {@code ConcurrencyException} ({@code AggregateStreamCreationException} for sequence 0), as Axon's
 * JDBC engine reports it, through the builder's {@link PersistenceExceptionResolver} (by default:
 * batpak's {@link ConcurrencyConflictException} and {@link IdempotencyConflictException} are
 * duplicate-key violations). Any other store failure is an {@code EventStoreException} whose cause
 * is the batpak exception.
 *
 * <p><b>Tracking.</b> Tokens are {@link GlobalSequenceTrackingToken}s holding batpak's global
 * sequence. batpak publishes global sequences in order and never makes an event visible below one
 * already visible, so a processor's token never needs gap bookkeeping. Snapshots take global
 * sequences too; tracked reads skip them (they are in another category), so those positions are
 * never delivered. With {@code mayBlock}, a tracked stream that reaches the end waits on the
 * store's visible watermark ({@link Store#waitFor}) for at most {@link Builder#blockingWait} before
 * it ends; it never sleeps or polls.
 *
 * <p><b>Durability on return.</b> As the store's {@link io.batpak.Durability}: in {@code DURABLE}
 * mode (the default) {@code appendEvents} returns after the fsync that covers the events.
 *
 * <p><b>Thread-safety.</b> Thread-safe; it holds no state of its own beyond the store, which the
 * caller opens and closes (the engine never closes it).
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class BatpakEventStorageEngine extends BatchingEventStorageEngine {

  private final Store store;
  private final Duration blockingWait;

  private BatpakEventStorageEngine(Builder builder) {
    super(builder);
    this.store = builder.store;
    this.blockingWait = builder.blockingWait;
  }

  /**
   * A builder with Axon's defaults (batch size 100, Axon's default serializers, no upcasters), no
   * store yet, a blocking wait of one second and the batpak duplicate-key resolver.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The store this engine reads and writes. */
  public Store store() {
    return store;
  }

  /**
   * Whether {@code exception} is batpak's report of a duplicate: a lost optimistic-concurrency race
   * ({@link ConcurrencyConflictException}) or an Axon event identifier already stored with other
   * content ({@link IdempotencyConflictException}). The builder's default {@link
   * PersistenceExceptionResolver}.
   */
  public static boolean isDuplicateKeyViolation(Exception exception) {
    return exception instanceof ConcurrencyConflictException
        || exception instanceof IdempotencyConflictException;
  }

  // --- writing ---

  /**
   * Stores {@code events} as one atomic batpak batch.
   *
   * @throws EventStoreException if there are more events than the store's {@code maxBatchEvents}
   *     (nothing is stored), or the store refused the batch for a reason other than a duplicate
   * @throws org.axonframework.modelling.command.ConcurrencyException if an event's sequence number
   *     was taken, or its identifier stored with other content (through the resolver)
   * @throws org.axonframework.modelling.command.AggregateStreamCreationException if that happened
   *     to an aggregate's first event
   */
  @Override
  protected void appendEvents(List<? extends EventMessage<?>> events, Serializer serializer) {
    if (events.isEmpty()) {
      return;
    }
    int limit = store.config().maxBatchEvents();
    if (events.size() > limit) {
      throw new EventStoreException(
          "Cannot store "
              + events.size()
              + " events in one call: the store's maxBatchEvents is "
              + limit
              + ", and Axon's appendEvents must be atomic. Raise StoreConfig.Builder.maxBatchEvents"
              + " (up to "
              + io.batpak.StoreConfig.MAX_BATCH_EVENTS_LIMIT
              + ") or publish fewer events per unit of work.");
    }
    List<BatchItem> items = new ArrayList<>(events.size());
    Set<String> identifiers = new HashSet<>();
    Map<String, Long> lastInBatch = new HashMap<>();
    for (EventMessage<?> event : events) {
      if (!identifiers.add(event.getIdentifier())) {
        handlePersistenceException(
            new IdempotencyConflictException(
                "The Axon event identifier '"
                    + event.getIdentifier()
                    + "' appears twice in one appendEvents call; an identifier is stored once."
                    + " Nothing was written."),
            event);
      }
      items.add(item(event, serializer, lastInBatch));
    }
    try {
      store.appendBatch(items);
    } catch (StoreException e) {
      handlePersistenceException(e, failedEvent(e, events));
    }
  }

  /**
   * Stores {@code snapshot} in its aggregate's snapshot stream.
   *
   * @throws EventStoreException if the store refused it
   */
  @Override
  protected void storeSnapshot(DomainEventMessage<?> snapshot, Serializer serializer) {
    SerializedObject<byte[]> payload = snapshot.serializePayload(serializer, byte[].class);
    AppendOptions options = aggregateFields(envelope(snapshot, payload, serializer), snapshot);
    try {
      store.append(
          AxonEnvelope.snapshots(snapshot.getAggregateIdentifier()),
          AxonEnvelope.SNAPSHOT,
          Bytes.ofOwned(payload.getData()),
          options);
    } catch (StoreException e) {
      handlePersistenceException(e, snapshot);
    }
  }

  /**
   * The batch item of {@code event}. The first event of an aggregate in the batch carries the
   * expectation of {@link #expectedFor}; batpak checks every item against the stream as it was
   * before the batch, so each later event of the same aggregate must have a higher sequence number
   * than the one before it and carries no expectation of its own (the batch is placed as a whole,
   * in order).
   */
  private BatchItem item(
      EventMessage<?> event, Serializer serializer, Map<String, Long> lastInBatch) {
    SerializedObject<byte[]> payload = event.serializePayload(serializer, byte[].class);
    AppendOptions options =
        envelope(event, payload, serializer)
            .withIdempotencyKey(AxonEnvelope.key(event.getIdentifier()));
    Coordinate coordinate;
    if (event instanceof DomainEventMessage) {
      DomainEventMessage<?> domain = (DomainEventMessage<?>) event;
      long sequence = domain.getSequenceNumber();
      coordinate = AxonEnvelope.aggregate(domain.getAggregateIdentifier());
      Long previous = lastInBatch.put(coordinate.entity(), sequence);
      ExpectedVersion expected;
      if (previous == null) {
        expected = expectedFor(coordinate.entity(), sequence, event);
      } else if (sequence <= previous) {
        throw duplicate(coordinate.entity(), "an event after sequence " + previous, event);
      } else {
        expected = ExpectedVersion.any();
      }
      options = aggregateFields(options.withExpectedVersion(expected), domain);
    } else {
      coordinate = AxonEnvelope.events();
    }
    return new BatchItem(
        coordinate,
        event instanceof DomainEventMessage ? AxonEnvelope.DOMAIN_EVENT : AxonEnvelope.PLAIN_EVENT,
        Payload.raw(Bytes.ofOwned(payload.getData())),
        options,
        -1);
  }

  /**
   * The expectation of an aggregate's first event in a batch: an empty stream for sequence 0 or a
   * new aggregate; otherwise the stream's current version, after checking that its newest event's
   * sequence number is below {@code sequence} (batpak then refuses the batch if anyone appended to
   * the stream since that read). Axon allows gaps between sequence numbers, and so does this.
   */
  private ExpectedVersion expectedFor(String entity, long sequence, EventMessage<?> event) {
    if (sequence == 0) {
      return ExpectedVersion.noStream();
    }
    Optional<EventHeader> latest = store.latest(entity);
    if (latest.isEmpty()) {
      return ExpectedVersion.noStream();
    }
    long last = AxonEnvelope.sequence(latest.get());
    if (sequence <= last) {
      throw duplicate(entity, "an event after sequence " + last, event);
    }
    return ExpectedVersion.exactly(latest.get().streamSequence());
  }

  /** Reports {@code event}'s sequence number as taken, through the resolver; always throws. */
  private IllegalStateException duplicate(String entity, String expected, EventMessage<?> event) {
    long sequence = ((DomainEventMessage<?>) event).getSequenceNumber();
    handlePersistenceException(new SequenceTakenException(entity, expected, sequence), event);
    return new IllegalStateException("handlePersistenceException always throws");
  }

  /** {@code options} with the aggregate's identifier, type (when set) and sequence number. */
  private static AppendOptions aggregateFields(AppendOptions options, DomainEventMessage<?> event) {
    AppendOptions withFields =
        options
            .withExtension(AxonEnvelope.AGGREGATE_ID, Bytes.utf8(event.getAggregateIdentifier()))
            .withExtension(
                AxonEnvelope.SEQUENCE, Bytes.utf8(Long.toString(event.getSequenceNumber())));
    return event.getType() == null
        ? withFields
        : withFields.withExtension(AxonEnvelope.AGGREGATE_TYPE, Bytes.utf8(event.getType()));
  }

  /** The extensions every stored Axon message carries. */
  private static AppendOptions envelope(
      EventMessage<?> event, SerializedObject<byte[]> payload, Serializer serializer) {
    SerializedObject<byte[]> metaData = event.serializeMetaData(serializer, byte[].class);
    AppendOptions options =
        AppendOptions.defaults()
            .withExtension(AxonEnvelope.EVENT_ID, Bytes.utf8(event.getIdentifier()))
            .withExtension(AxonEnvelope.TIMESTAMP, Bytes.utf8(event.getTimestamp().toString()))
            .withExtension(AxonEnvelope.PAYLOAD_TYPE, Bytes.utf8(payload.getType().getName()))
            .withExtension(AxonEnvelope.META_DATA, Bytes.ofOwned(metaData.getData()));
    String revision = payload.getType().getRevision();
    return revision == null
        ? options
        : options.withExtension(AxonEnvelope.PAYLOAD_REVISION, Bytes.utf8(revision));
  }

  /**
   * The event a refused batch is reported against: for a lost race, the first event of the stream
   * that conflicted; for an identifier conflict, the first event whose identifier is already
   * stored; otherwise the first event.
   */
  private EventMessage<?> failedEvent(StoreException e, List<? extends EventMessage<?>> events) {
    if (e instanceof ConcurrencyConflictException) {
      String entity = ((ConcurrencyConflictException) e).entity();
      for (EventMessage<?> event : events) {
        if (event instanceof DomainEventMessage
            && AxonEnvelope.aggregate(((DomainEventMessage<?>) event).getAggregateIdentifier())
                .entity()
                .equals(entity)) {
          return event;
        }
      }
    } else if (e instanceof IdempotencyConflictException) {
      for (EventMessage<?> event : events) {
        if (isStored(event.getIdentifier())) {
          return event;
        }
      }
    }
    return events.get(0);
  }

  private boolean isStored(String eventIdentifier) {
    try {
      store.get(EventId.of(AxonEnvelope.key(eventIdentifier)));
      return true;
    } catch (EventNotFoundException notStored) {
      return false;
    }
  }

  // --- reading an aggregate ---

  @Override
  protected List<? extends DomainEventData<?>> fetchDomainEvents(
      String aggregateIdentifier, long firstSequenceNumber, int batchSize) {
    String entity = AxonEnvelope.aggregate(aggregateIdentifier).entity();
    // One read per event: its header and payload come from one frame (Store.streamEvents).
    List<StoredEvent> events = denseBatch(entity, firstSequenceNumber, batchSize);
    if (events == null) {
      long from = firstAtOrAfter(entity, firstSequenceNumber);
      if (from < 0) {
        return List.of();
      }
      events = store.streamEvents(entity, from, batchSize);
    }
    List<DomainEventData<?>> out = new ArrayList<>(events.size());
    for (StoredEvent event : events) {
      out.add(domainData(event.header(), event.payload().toByteArray()));
    }
    return out;
  }

  /**
   * The batch from {@code firstSequenceNumber} when the aggregate's sequence numbers are its stream
   * sequences (numbered densely from 0, the usual case), read without an index lookup first; null
   * when that is not so and {@link #firstAtOrAfter} must find where to start. Exact: sequence
   * numbers rise strictly along the stream and stream sequences are dense from 0, so an event at
   * stream sequence {@code s} has a sequence number of at least {@code s}; if the event read at
   * stream sequence {@code firstSequenceNumber} has exactly that number, every event before it has
   * a lower one.
   */
  private @Nullable List<StoredEvent> denseBatch(
      String entity, long firstSequenceNumber, int batchSize) {
    if (firstSequenceNumber < 0) {
      return null;
    }
    List<StoredEvent> events = store.streamEvents(entity, firstSequenceNumber, batchSize);
    return !events.isEmpty() && AxonEnvelope.sequence(events.get(0).header()) == firstSequenceNumber
        ? events
        : null;
  }

  /**
   * The stream sequence of the aggregate's first event with sequence number {@code
   * firstSequenceNumber} or more; -1 when there is none. Sequence numbers rise strictly along the
   * stream (appends enforce it) and stream sequences are dense from 0, so that event lies at or
   * before stream sequence {@code firstSequenceNumber}: one read when the aggregate's numbers are
   * dense from 0 (the usual case), a binary search over the stream otherwise.
   */
  private long firstAtOrAfter(String entity, long firstSequenceNumber) {
    Optional<EventHeader> latest = store.latest(entity);
    if (latest.isEmpty() || AxonEnvelope.sequence(latest.get()) < firstSequenceNumber) {
      return -1;
    }
    long hi = Math.min(Math.max(0, firstSequenceNumber), latest.get().streamSequence());
    if (hi == 0 || sequenceAt(entity, hi - 1) < firstSequenceNumber) {
      return hi;
    }
    long lo = 0;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (sequenceAt(entity, mid) >= firstSequenceNumber) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    return hi;
  }

  private long sequenceAt(String entity, long streamSequence) {
    return AxonEnvelope.sequence(store.stream(entity, streamSequence, 1).get(0));
  }

  /**
   * The aggregate's snapshots, the highest sequence number first (of equal ones, the last stored);
   * payloads are read only as the stream is consumed.
   */
  @Override
  protected Stream<? extends DomainEventData<?>> readSnapshotData(String aggregateIdentifier) {
    List<EventHeader> headers = store.stream(AxonEnvelope.snapshots(aggregateIdentifier).entity());
    Comparator<EventHeader> newestFirst =
        Comparator.comparingLong(AxonEnvelope::sequence)
            .thenComparingLong(EventHeader::globalSequence)
            .reversed();
    return headers.stream().sorted(newestFirst).map(h -> domainData(h, payload(h)));
  }

  /** The last sequence number of the aggregate, from the stream's newest event (one index read). */
  @Override
  public Optional<Long> lastSequenceNumberFor(String aggregateIdentifier) {
    Objects.requireNonNull(aggregateIdentifier, "aggregateIdentifier");
    return store
        .latest(AxonEnvelope.aggregate(aggregateIdentifier).entity())
        .map(AxonEnvelope::sequence);
  }

  private static GenericDomainEventEntry<byte[]> domainData(EventHeader header, byte[] payload) {
    return new GenericDomainEventEntry<>(
        AxonEnvelope.optional(header, AxonEnvelope.AGGREGATE_TYPE),
        AxonEnvelope.required(header, AxonEnvelope.AGGREGATE_ID),
        AxonEnvelope.sequence(header),
        AxonEnvelope.required(header, AxonEnvelope.EVENT_ID),
        AxonEnvelope.required(header, AxonEnvelope.TIMESTAMP),
        AxonEnvelope.required(header, AxonEnvelope.PAYLOAD_TYPE),
        AxonEnvelope.optional(header, AxonEnvelope.PAYLOAD_REVISION),
        payload,
        AxonEnvelope.metaData(header));
  }

  private byte[] payload(EventHeader header) {
    return store.get(header.eventId()).payload().toByteArray();
  }

  // --- tracked reads ---

  /**
   * Up to {@code batchSize} domain and aggregate-less events after {@code lastToken} ({@code null}
   * for the start), in global order.
   *
   * @throws IllegalArgumentException if {@code lastToken} is not a {@link
   *     GlobalSequenceTrackingToken}
   */
  @Override
  protected List<? extends TrackedEventData<?>> fetchTrackedEvents(
      @Nullable TrackingToken lastToken, int batchSize) {
    List<EventHeader> headers = store.queryAfter(AxonEnvelope.TRACKED, after(lastToken), batchSize);
    List<TrackedEventData<?>> out = new ArrayList<>(headers.size());
    for (EventHeader header : headers) {
      GlobalSequenceTrackingToken token = new GlobalSequenceTrackingToken(header.globalSequence());
      if (header.kind().equals(AxonEnvelope.DOMAIN_EVENT)) {
        out.add(new TrackedDomainEventData<>(token, domainData(header, payload(header))));
      } else {
        out.add(
            new TrackedAxonEventData(
                token,
                AxonEnvelope.required(header, AxonEnvelope.EVENT_ID),
                AxonEnvelope.timestamp(header),
                AxonEnvelope.required(header, AxonEnvelope.PAYLOAD_TYPE),
                AxonEnvelope.optional(header, AxonEnvelope.PAYLOAD_REVISION),
                payload(header),
                AxonEnvelope.metaData(header)));
      }
    }
    return out;
  }

  /**
   * The events after {@code trackingToken}, fetched {@code batchSize} at a time. At the end, with
   * {@code mayBlock}, waits on the visible watermark for at most the builder's blocking wait; new
   * events continue the stream, a wait that times out ends it. Without {@code mayBlock} the stream
   * ends at the first empty fetch.
   */
  @Override
  protected Stream<? extends TrackedEventData<?>> readEventData(
      @Nullable TrackingToken trackingToken, boolean mayBlock) {
    return StreamSupport.stream(new TrackedSpliterator(trackingToken, mayBlock), false);
  }

  private final class TrackedSpliterator
      extends Spliterators.AbstractSpliterator<TrackedEventData<?>> {
    private @Nullable TrackingToken last;
    private final boolean mayBlock;
    private Iterator<? extends TrackedEventData<?>> page =
        List.<TrackedEventData<?>>of().iterator();

    TrackedSpliterator(@Nullable TrackingToken from, boolean mayBlock) {
      super(Long.MAX_VALUE, Spliterator.NONNULL | Spliterator.ORDERED | Spliterator.DISTINCT);
      this.last = from;
      this.mayBlock = mayBlock;
      after(from); // refuse a foreign token at once, not at the first read
    }

    @Override
    public boolean tryAdvance(Consumer<? super TrackedEventData<?>> action) {
      while (!page.hasNext()) {
        List<? extends TrackedEventData<?>> next = fetchTrackedEvents(last, batchSize());
        if (next.isEmpty() && !(mayBlock && awaitAfter(after(last)))) {
          return false;
        }
        page = next.iterator();
      }
      TrackedEventData<?> event = page.next();
      last = event.trackingToken();
      action.accept(event);
      return true;
    }
  }

  /**
   * Waits for an event beyond everything visible now (and beyond {@code after}); false when the
   * blocking wait passed first.
   */
  private boolean awaitAfter(long after) {
    if (blockingWait.isZero()) {
      return false;
    }
    long next = Math.max(after + 1, store.watermarks().get(Watermark.VISIBLE));
    try {
      store.waitFor(Watermark.VISIBLE, next, blockingWait);
      return true;
    } catch (StoreTimeoutException e) {
      return false;
    }
  }

  private static long after(@Nullable TrackingToken token) {
    if (token == null) {
      return -1;
    }
    if (!(token instanceof GlobalSequenceTrackingToken)) {
      throw new IllegalArgumentException(
          "BatpakEventStorageEngine reads from a GlobalSequenceTrackingToken (or null for the"
              + " start), not from "
              + token
              + " ("
              + token.getClass().getName()
              + "); a token from another engine cannot position a batpak store: reset the"
              + " processor's token (docs/axon.md, \"Moving from another engine\").");
    }
    return ((GlobalSequenceTrackingToken) token).getGlobalIndex();
  }

  // --- tokens ---

  /** The position before every event: {@code GlobalSequenceTrackingToken(-1)}. */
  @Override
  public TrackingToken createTailToken() {
    return new GlobalSequenceTrackingToken(-1);
  }

  /** The position after every event visible now. */
  @Override
  public TrackingToken createHeadToken() {
    return new GlobalSequenceTrackingToken(store.watermarks().get(Watermark.VISIBLE) - 1);
  }

  /**
   * The position just before the first event (in global order) whose Axon timestamp is at or after
   * {@code dateTime}; the head when there is none. Reads the headers of every tracked event up to
   * the first match (the timestamp is Axon's, which the store does not index).
   */
  @Override
  public TrackingToken createTokenAt(Instant dateTime) {
    Objects.requireNonNull(dateTime, "dateTime");
    long head = store.watermarks().get(Watermark.VISIBLE) - 1;
    long after = -1;
    while (after < head) {
      List<EventHeader> page = store.queryAfter(AxonEnvelope.TRACKED, after, batchSize());
      if (page.isEmpty()) {
        break;
      }
      for (EventHeader header : page) {
        if (header.globalSequence() > head) {
          break;
        }
        if (!AxonEnvelope.timestamp(header).isBefore(dateTime)) {
          return new GlobalSequenceTrackingToken(header.globalSequence() - 1);
        }
      }
      after = page.get(page.size() - 1).globalSequence();
    }
    return new GlobalSequenceTrackingToken(head);
  }

  // --- builder ---

  /**
   * Builds a {@link BatpakEventStorageEngine}. Not thread-safe; {@link #build()} may be called more
   * than once.
   *
   * @since 0.2
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  public static final class Builder extends BatchingEventStorageEngine.Builder {
    private @Nullable Store store;
    private Duration blockingWait = Duration.ofSeconds(1);

    private Builder() {
      persistenceExceptionResolver(BatpakEventStorageEngine::isDuplicateKeyViolation);
    }

    /**
     * The store to read and write (required). The engine does not close it.
     *
     * @throws AxonConfigurationException if {@code store} is null
     */
    public Builder store(Store store) {
      if (store == null) {
        throw new AxonConfigurationException("The batpak Store may not be null");
      }
      this.store = store;
      return this;
    }

    /**
     * How long a tracked stream read with {@code mayBlock} waits at its end for a new event before
     * it ends; zero ends it at once. One second by default.
     *
     * @throws AxonConfigurationException if {@code wait} is null or negative
     */
    public Builder blockingWait(Duration wait) {
      if (wait == null || wait.isNegative()) {
        throw new AxonConfigurationException(
            "blockingWait must be zero or positive, got "
                + wait
                + "; use Duration.ZERO to never"
                + " block");
      }
      this.blockingWait = wait;
      return this;
    }

    @Override
    public Builder snapshotSerializer(Serializer snapshotSerializer) {
      super.snapshotSerializer(snapshotSerializer);
      return this;
    }

    @Override
    public Builder upcasterChain(EventUpcaster upcasterChain) {
      super.upcasterChain(upcasterChain);
      return this;
    }

    /**
     * Decides which store failures are duplicate-key violations (reported as Axon's concurrency
     * exceptions); {@code null} makes every failure an {@link EventStoreException}. Defaults to
     * {@link BatpakEventStorageEngine#isDuplicateKeyViolation}.
     */
    @Override
    public Builder persistenceExceptionResolver(
        @Nullable PersistenceExceptionResolver persistenceExceptionResolver) {
      super.persistenceExceptionResolver(persistenceExceptionResolver);
      return this;
    }

    @Override
    public Builder eventSerializer(Serializer eventSerializer) {
      super.eventSerializer(eventSerializer);
      return this;
    }

    @Override
    public Builder snapshotFilter(SnapshotFilter snapshotFilter) {
      super.snapshotFilter(snapshotFilter);
      return this;
    }

    @Override
    public Builder finalAggregateBatchPredicate(
        Predicate<List<? extends DomainEventData<?>>> finalAggregateBatchPredicate) {
      super.finalAggregateBatchPredicate(finalAggregateBatchPredicate);
      return this;
    }

    @Override
    public Builder batchSize(int batchSize) {
      super.batchSize(batchSize);
      return this;
    }

    /**
     * Checks the settings.
     *
     * @throws AxonConfigurationException if no store was given
     */
    @Override
    protected void validate() {
      super.validate();
      if (store == null) {
        throw new AxonConfigurationException(
            "BatpakEventStorageEngine needs a Store: call builder().store(Store.open(config))");
      }
    }

    /**
     * The engine.
     *
     * @throws AxonConfigurationException if no store was given
     */
    public BatpakEventStorageEngine build() {
      return new BatpakEventStorageEngine(this);
    }
  }
}
