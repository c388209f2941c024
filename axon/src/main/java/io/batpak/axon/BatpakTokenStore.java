package io.batpak.axon;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendOptions;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.ExtensionKey;
import io.batpak.Payload;
import io.batpak.Store;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apiguardian.api.API;
import org.axonframework.common.AxonConfigurationException;
import org.axonframework.eventhandling.GenericEventMessage;
import org.axonframework.eventhandling.Segment;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.eventhandling.tokenstore.TokenStore;
import org.axonframework.eventhandling.tokenstore.UnableToClaimTokenException;
import org.axonframework.eventhandling.tokenstore.UnableToInitializeTokenException;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.jspecify.annotations.Nullable;

/**
 * Axon's {@link TokenStore} on a batpak {@link Store}: an embedded application keeps its event
 * processors' progress in the store that holds its events (or in a second store), not in a
 * database.
 *
 * <p><b>Layout</b> (docs/axon.md, "Token store"; ADR 0036). Each (processor, segment) is the batpak
 * stream {@code axon:token:<processor escaped>:<segment>} (scope {@code axon}); its newest event is
 * the segment's current state: the token as the serializer wrote it (the payload; empty for a null
 * token) with extensions {@code axon.tokenType} and {@code axon.tokenRevision}, the owner of the
 * claim ({@code axon.owner}, absent when unclaimed) and the time of the write ({@code
 * axon.timestamp}, from Axon's {@link GenericEventMessage#clock}). The stream {@code
 * axon:token-segments:<processor escaped>} lists the processor's segments (its newest event, text
 * {@code "0,1,2"}). Every change is an append with the stream's current version as the expected
 * version, so two nodes racing for one claim cannot both win: the loser gets {@link
 * UnableToClaimTokenException}. These events have category {@code 0xC}, which a tracked read of
 * {@link BatpakEventStorageEngine} never delivers; in a shared store they take global sequences
 * that a processor's token skips (see docs/axon.md on gaps).
 *
 * <p><b>Claims.</b> A claim is held by {@link Builder#nodeId} until released or until {@link
 * Builder#claimTimeout} (10 s by default) passed since its owner last wrote the segment; then
 * another node may take it. Times come from Axon's {@code GenericEventMessage.clock}.
 *
 * <p><b>Durability on return.</b> Every method that changes a segment returns after its append, so
 * in the store's {@code DURABLE} mode after the fsync that covers it: {@link #storeToken} costs one
 * group-committed fsync (shared with concurrent appenders). No batched mode is offered: a token
 * that is acknowledged but lost would make a processor handle events twice.
 *
 * <p><b>Thread-safety.</b> Thread-safe; it holds no state besides its settings. The store is the
 * caller's: this class never closes it.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class BatpakTokenStore implements TokenStore {

  /** The category of the token store's events: never delivered by a tracked read. */
  static final int TOKEN_CATEGORY = 0xC;

  /** A segment's state: its token, owner and time. */
  static final EventKind TOKEN = EventKind.custom(TOKEN_CATEGORY, 0x001);

  /** A segment deleted by {@link #deleteToken}. */
  static final EventKind DELETED = EventKind.custom(TOKEN_CATEGORY, 0x002);

  /** A processor's list of segments. */
  static final EventKind SEGMENTS = EventKind.custom(TOKEN_CATEGORY, 0x003);

  /** The storage identifier of {@link #retrieveStorageIdentifier}. */
  static final EventKind IDENTIFIER = EventKind.custom(TOKEN_CATEGORY, 0x004);

  static final ExtensionKey TOKEN_TYPE = ExtensionKey.of("axon.tokenType");
  static final ExtensionKey TOKEN_REVISION = ExtensionKey.of("axon.tokenRevision");
  static final ExtensionKey OWNER = ExtensionKey.of("axon.owner");
  static final ExtensionKey SEGMENT_LIST = ExtensionKey.of("axon.segments");

  static final String IDENTIFIER_ENTITY = AxonEnvelope.ENTITY_ROOT + ":token-store";

  private final Store store;
  private final Serializer serializer;
  private final Duration claimTimeout;
  private final String nodeId;

  private BatpakTokenStore(Builder b) {
    this.store = b.store;
    this.serializer = b.serializer;
    this.claimTimeout = b.claimTimeout;
    this.nodeId = b.nodeId;
  }

  /** A builder: no store or serializer yet, a claim timeout of 10 s, the JVM's name as node id. */
  public static Builder builder() {
    return new Builder();
  }

  // --- segments ---

  /**
   * Creates segments {@code 0 .. segmentCount - 1} of {@code processorName}, each holding {@code
   * initialToken}, unclaimed; atomically (all of them or none).
   *
   * @throws UnableToClaimTokenException if the processor already has a segment, or another node
   *     initialized it at the same time
   */
  @Override
  public void initializeTokenSegments(
      String processorName, int segmentCount, @Nullable TrackingToken initialToken) {
    Objects.requireNonNull(processorName, "processorName");
    if (segmentCount < 1) {
      throw new IllegalArgumentException(
          "segmentCount must be at least 1, got "
              + segmentCount
              + " for processor "
              + processorName);
    }
    Optional<EventHeader> list = store.latest(segmentsEntity(processorName));
    if (list.isPresent() && !segments(list.get()).isEmpty()) {
      throw new UnableToClaimTokenException(
          "Could not initialize the segments of processor '"
              + processorName
              + "': it already has segments "
              + segments(list.get())
              + ".");
    }
    List<BatchItem> items = new ArrayList<>();
    TreeSet<Integer> all = new TreeSet<>();
    for (int segment = 0; segment < segmentCount; segment++) {
      all.add(segment);
      Coordinate c = segmentCoordinate(processorName, segment);
      items.add(state(c, initialToken, null, expectedAfter(store.latest(c.entity()))));
    }
    items.add(segmentsItem(processorName, all, list));
    try {
      store.appendBatch(items);
    } catch (ConcurrencyConflictException e) {
      throw new UnableToClaimTokenException(
          "Could not initialize the segments of processor '"
              + processorName
              + "': another node initialized them at the same time ("
              + e.getMessage()
              + ").");
    }
  }

  /** As {@link #initializeTokenSegments(String, int, TrackingToken)} with a null token. */
  @Override
  public void initializeTokenSegments(String processorName, int segmentCount) {
    initializeTokenSegments(processorName, segmentCount, null);
  }

  /**
   * Creates the segment {@code segment} of {@code processorName} holding {@code token}, unclaimed.
   *
   * @throws UnableToInitializeTokenException if the segment exists, or another node created it at
   *     the same time
   */
  @Override
  public void initializeSegment(@Nullable TrackingToken token, String processorName, int segment) {
    Optional<EventHeader> list = store.latest(segmentsEntity(processorName));
    TreeSet<Integer> all = list.map(BatpakTokenStore::segments).orElseGet(TreeSet::new);
    if (!all.add(segment)) {
      throw new UnableToInitializeTokenException(
          "Segment " + segment + " of processor '" + processorName + "' already exists.");
    }
    Coordinate c = segmentCoordinate(processorName, segment);
    try {
      store.appendBatch(
          List.of(
              state(c, token, null, expectedAfter(store.latest(c.entity()))),
              segmentsItem(processorName, all, list)));
    } catch (ConcurrencyConflictException e) {
      throw new UnableToInitializeTokenException(
          "Segment "
              + segment
              + " of processor '"
              + processorName
              + "' was created by another node at the same time ("
              + e.getMessage()
              + ").");
    }
  }

  /**
   * Deletes the segment; this node must hold its claim.
   *
   * @throws UnableToClaimTokenException if the segment does not exist or another node holds (or
   *     took) its claim
   */
  @Override
  public void deleteToken(String processorName, int segment) {
    EventHeader current = claimedByMe(processorName, segment, "delete");
    Optional<EventHeader> list = store.latest(segmentsEntity(processorName));
    TreeSet<Integer> all = list.map(BatpakTokenStore::segments).orElseGet(TreeSet::new);
    all.remove(segment);
    Coordinate c = segmentCoordinate(processorName, segment);
    append(
        List.of(
            item(
                c,
                DELETED,
                Bytes.empty(),
                written(AppendOptions.defaults())
                    .withExpectedVersion(ExpectedVersion.exactly(current.streamSequence()))),
            segmentsItem(processorName, all, list)),
        processorName,
        segment,
        "delete");
  }

  /** Always true: a segment exists only once initialized. */
  @Override
  public boolean requiresExplicitSegmentInitialization() {
    return true;
  }

  /** The processor's segments, in ascending order; empty when it has none. */
  @Override
  public int[] fetchSegments(String processorName) {
    return store
        .latest(segmentsEntity(processorName))
        .map(h -> segments(h).stream().mapToInt(Integer::intValue).toArray())
        .orElse(new int[0]);
  }

  /** The processor's segments that are unclaimed, claimed by this node, or whose claim expired. */
  @Override
  public List<Segment> fetchAvailableSegments(String processorName) {
    int[] all = fetchSegments(processorName);
    Instant now = GenericEventMessage.clock.instant();
    return Arrays.stream(all)
        .filter(
            s ->
                store
                    .latest(segmentEntity(processorName, s))
                    .map(h -> claimable(h, now))
                    .orElse(false))
        .mapToObj(s -> Segment.computeSegment(s, all))
        .collect(Collectors.toList());
  }

  // --- tokens and claims ---

  /**
   * Stores {@code token} as the segment's position and claims (or keeps claiming) it for this node.
   * Durable on return in {@code DURABLE} mode.
   *
   * @throws UnableToClaimTokenException if the segment does not exist or another node holds its
   *     claim (or took it meanwhile)
   */
  @Override
  public void storeToken(@Nullable TrackingToken token, String processorName, int segment) {
    EventHeader current = claimable(processorName, segment, "store a token of");
    Coordinate c = segmentCoordinate(processorName, segment);
    append(
        List.of(state(c, token, nodeId, ExpectedVersion.exactly(current.streamSequence()))),
        processorName,
        segment,
        "store a token of");
  }

  /**
   * Claims the segment for this node (or extends this node's claim) and returns its token.
   *
   * @return the segment's token; null when it holds none (the processor starts from its initial
   *     position)
   * @throws UnableToClaimTokenException if the segment does not exist or another node holds its
   *     claim (or took it meanwhile)
   */
  @Override
  public @Nullable TrackingToken fetchToken(String processorName, int segment) {
    EventHeader current = claimable(processorName, segment, "claim");
    Coordinate c = segmentCoordinate(processorName, segment);
    TrackingToken token = token(current);
    append(
        List.of(state(c, token, nodeId, ExpectedVersion.exactly(current.streamSequence()))),
        processorName,
        segment,
        "claim");
    return token;
  }

  /**
   * Renews this node's claim on the segment.
   *
   * @throws UnableToClaimTokenException if the segment does not exist or this node does not hold
   *     its claim
   */
  @Override
  public void extendClaim(String processorName, int segment) {
    EventHeader current = claimedByMe(processorName, segment, "extend the claim on");
    Coordinate c = segmentCoordinate(processorName, segment);
    append(
        List.of(
            state(c, token(current), nodeId, ExpectedVersion.exactly(current.streamSequence()))),
        processorName,
        segment,
        "extend the claim on");
  }

  /**
   * Releases this node's claim on the segment; does nothing when the segment does not exist or this
   * node does not hold its claim.
   */
  @Override
  public void releaseClaim(String processorName, int segment) {
    Optional<EventHeader> current = store.latest(segmentEntity(processorName, segment));
    if (current.isEmpty()
        || !current.get().kind().equals(TOKEN)
        || !nodeId.equals(AxonEnvelope.optional(current.get(), OWNER))) {
      return;
    }
    Coordinate c = segmentCoordinate(processorName, segment);
    try {
      store.appendBatch(
          List.of(
              state(
                  c,
                  token(current.get()),
                  null,
                  ExpectedVersion.exactly(current.get().streamSequence()))));
    } catch (ConcurrencyConflictException e) {
      // another node took the expired claim meanwhile: nothing of ours to release
    }
  }

  /**
   * An identifier of the store the tokens live in, the same for every token store on that store: a
   * random UUID kept in the stream {@code axon:token-store}, created by the first call.
   */
  @Override
  public Optional<String> retrieveStorageIdentifier() {
    Optional<EventHeader> id = store.latest(IDENTIFIER_ENTITY);
    if (id.isPresent()) {
      return Optional.of(store.get(id.get().eventId()).payload().toUtf8());
    }
    try {
      store.append(
          Coordinate.of(IDENTIFIER_ENTITY, AxonEnvelope.SCOPE),
          IDENTIFIER,
          Bytes.utf8(UUID.randomUUID().toString()),
          AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream()));
    } catch (ConcurrencyConflictException raced) {
      // another node created it first: read theirs
    }
    return Optional.of(
        store.get(store.latest(IDENTIFIER_ENTITY).orElseThrow().eventId()).payload().toUtf8());
  }

  // --- helpers ---

  /** The segment's newest state if this node may claim it now. */
  private EventHeader claimable(String processorName, int segment, String action) {
    EventHeader current = existing(processorName, segment, action);
    if (!claimable(current, GenericEventMessage.clock.instant())) {
      throw new UnableToClaimTokenException(
          unable(action, processorName, segment)
              + "node '"
              + AxonEnvelope.optional(current, OWNER)
              + "' holds its claim (written at "
              + AxonEnvelope.required(current, AxonEnvelope.TIMESTAMP)
              + ", timeout "
              + claimTimeout
              + "); this node is '"
              + nodeId
              + "'.");
    }
    return current;
  }

  /** The segment's newest state if this node holds its claim. */
  private EventHeader claimedByMe(String processorName, int segment, String action) {
    EventHeader current = existing(processorName, segment, action);
    String owner = AxonEnvelope.optional(current, OWNER);
    if (!nodeId.equals(owner)) {
      throw new UnableToClaimTokenException(
          unable(action, processorName, segment)
              + "this node '"
              + nodeId
              + "' does not hold its claim (owner: "
              + (owner == null ? "none" : "'" + owner + "'")
              + ").");
    }
    return current;
  }

  private EventHeader existing(String processorName, int segment, String action) {
    Optional<EventHeader> current = store.latest(segmentEntity(processorName, segment));
    if (current.isEmpty() || !current.get().kind().equals(TOKEN)) {
      throw new UnableToClaimTokenException(
          unable(action, processorName, segment)
              + "the segment does not exist; initialize it first (initializeTokenSegments or"
              + " initializeSegment).");
    }
    return current.get();
  }

  private boolean claimable(EventHeader state, Instant now) {
    if (!state.kind().equals(TOKEN)) {
      return false;
    }
    String owner = AxonEnvelope.optional(state, OWNER);
    return owner == null
        || owner.equals(nodeId)
        || !AxonEnvelope.timestamp(state).plus(claimTimeout).isAfter(now);
  }

  private @Nullable TrackingToken token(EventHeader state) {
    String type = AxonEnvelope.optional(state, TOKEN_TYPE);
    if (type == null) {
      return null;
    }
    byte[] bytes = store.get(state.eventId()).payload().toByteArray();
    return serializer.deserialize(
        new SimpleSerializedObject<>(
            bytes, byte[].class, type, AxonEnvelope.optional(state, TOKEN_REVISION)));
  }

  /**
   * A state event of the segment {@code c}: the token, the owner (null: unclaimed), now; appended
   * only if the stream is still at {@code expected}.
   */
  private BatchItem state(
      Coordinate c,
      @Nullable TrackingToken token,
      @Nullable String owner,
      ExpectedVersion expected) {
    AppendOptions options = written(AppendOptions.defaults()).withExpectedVersion(expected);
    Bytes payload = Bytes.empty();
    if (token != null) {
      SerializedObject<byte[]> s = serializer.serialize(token, byte[].class);
      payload = Bytes.ofOwned(s.getData());
      options = options.withExtension(TOKEN_TYPE, Bytes.utf8(s.getType().getName()));
      if (s.getType().getRevision() != null) {
        options = options.withExtension(TOKEN_REVISION, Bytes.utf8(s.getType().getRevision()));
      }
    }
    if (owner != null) {
      options = options.withExtension(OWNER, Bytes.utf8(owner));
    }
    return item(c, TOKEN, payload, options);
  }

  private static BatchItem item(Coordinate c, EventKind kind, Bytes payload, AppendOptions o) {
    return new BatchItem(c, kind, Payload.raw(payload), o, -1);
  }

  private static AppendOptions written(AppendOptions options) {
    return options.withExtension(
        AxonEnvelope.TIMESTAMP, Bytes.utf8(GenericEventMessage.clock.instant().toString()));
  }

  private static BatchItem segmentsItem(
      String processorName, TreeSet<Integer> segments, Optional<EventHeader> list) {
    String text = segments.stream().map(String::valueOf).collect(Collectors.joining(","));
    return item(
        Coordinate.of(segmentsEntity(processorName), AxonEnvelope.SCOPE),
        SEGMENTS,
        Bytes.empty(),
        written(AppendOptions.defaults())
            .withExtension(SEGMENT_LIST, Bytes.utf8(text))
            .withExpectedVersion(expectedAfter(list)));
  }

  private static ExpectedVersion expectedAfter(Optional<EventHeader> latest) {
    return latest
        .map(h -> ExpectedVersion.exactly(h.streamSequence()))
        .orElse(ExpectedVersion.noStream());
  }

  /** The segments listed by a {@link #SEGMENTS} event (its extension {@code axon.segments}). */
  private static TreeSet<Integer> segments(EventHeader list) {
    TreeSet<Integer> out = new TreeSet<>();
    String text = AxonEnvelope.optional(list, SEGMENT_LIST);
    if (text == null || text.isEmpty()) {
      return out;
    }
    for (String part : text.split(",")) {
      out.add(Integer.parseInt(part));
    }
    return out;
  }

  private void append(List<BatchItem> items, String processorName, int segment, String action) {
    try {
      store.appendBatch(items);
    } catch (ConcurrencyConflictException e) {
      throw new UnableToClaimTokenException(
          unable(action, processorName, segment)
              + "another node changed it at the same time ("
              + e.getMessage()
              + ").");
    }
  }

  /** The start of a refusal: "Unable to {@code action} segment N of processor 'name': ". */
  private static String unable(String action, String processorName, int segment) {
    return "Unable to "
        + action
        + " segment "
        + segment
        + " of processor '"
        + processorName
        + "': ";
  }

  static String segmentsEntity(String processorName) {
    return AxonEnvelope.ENTITY_ROOT + ":token-segments:" + escapeName(processorName);
  }

  static String segmentEntity(String processorName, int segment) {
    return AxonEnvelope.ENTITY_ROOT + ":token:" + escapeName(processorName) + ":" + segment;
  }

  private static Coordinate segmentCoordinate(String processorName, int segment) {
    return Coordinate.of(segmentEntity(processorName, segment), AxonEnvelope.SCOPE);
  }

  /** {@link AxonEnvelope#escape} and {@code ':'}, so a processor's name is one part of a name. */
  private static String escapeName(String processorName) {
    return AxonEnvelope.escape(Objects.requireNonNull(processorName, "processorName"))
        .replace(":", "%3A");
  }

  // --- builder ---

  /**
   * Builds a {@link BatpakTokenStore}. Not thread-safe; {@link #build()} may be called more than
   * once.
   *
   * @since 0.2
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  public static final class Builder {
    private @Nullable Store store;
    private @Nullable Serializer serializer;
    private Duration claimTimeout = Duration.ofSeconds(10);
    private String nodeId = ManagementFactory.getRuntimeMXBean().getName();

    private Builder() {}

    /**
     * The store the tokens live in (required): the event store's own, or a second one. Never closed
     * by the token store.
     *
     * @throws AxonConfigurationException if {@code store} is null
     */
    public Builder store(Store store) {
      if (store == null) {
        throw new AxonConfigurationException(
            "The batpak Store of a BatpakTokenStore may not be null");
      }
      this.store = store;
      return this;
    }

    /**
     * The serializer of the tokens (required), e.g. the configuration's general serializer.
     *
     * @throws AxonConfigurationException if {@code serializer} is null
     */
    public Builder serializer(Serializer serializer) {
      if (serializer == null) {
        throw new AxonConfigurationException(
            "The Serializer of a BatpakTokenStore may not be null");
      }
      this.serializer = serializer;
      return this;
    }

    /**
     * How long after its owner's last write a claim may be taken by another node; 10 s by default.
     *
     * @throws AxonConfigurationException if {@code timeout} is null, zero or negative
     */
    public Builder claimTimeout(Duration timeout) {
      if (timeout == null || timeout.isZero() || timeout.isNegative()) {
        throw new AxonConfigurationException(
            "claimTimeout must be positive, got " + timeout + "; Axon's default is 10 s");
      }
      this.claimTimeout = timeout;
      return this;
    }

    /**
     * The name of this node as the owner of its claims; the JVM's name ({@code pid@host}) by
     * default. Two token stores with one node id share their claims.
     *
     * @throws AxonConfigurationException if {@code nodeId} is null or empty
     */
    public Builder nodeId(String nodeId) {
      if (nodeId == null || nodeId.isEmpty()) {
        throw new AxonConfigurationException(
            "nodeId must be a non-empty name, got " + (nodeId == null ? "null" : "''"));
      }
      this.nodeId = nodeId;
      return this;
    }

    /**
     * The token store.
     *
     * @throws AxonConfigurationException if no store or no serializer was given
     */
    public BatpakTokenStore build() {
      if (store == null || serializer == null) {
        throw new AxonConfigurationException(
            "BatpakTokenStore needs a store and a serializer:"
                + " builder().store(store).serializer(configuration.serializer())");
      }
      return new BatpakTokenStore(this);
    }
  }
}
