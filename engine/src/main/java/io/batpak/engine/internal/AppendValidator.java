package io.batpak.engine.internal;

import io.batpak.AppendOptions;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.Payload;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import io.batpak.engine.internal.commit.UnsequencedEvent;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.spi.Codec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every check of an append that needs no journal state, and the work that turns a caller's
 * arguments into {@link UnsequencedEvent}s: the kind, the payload (encoded and hashed), the
 * extensions, the ids, the time, and for a batch its shape, its keys and its encoded size. What
 * depends on the journal (idempotency, expected versions) is the sequencer's. Thread-safe.
 */
final class AppendValidator {
  private static final ThreadLocal<Blake3> HASHERS = ThreadLocal.withInitial(Blake3::new);

  /** The extensions of an event without any (never modified: {@link UnsequencedEvent}'s rule). */
  private static final String[] NO_KEYS = new String[0];

  private static final byte[][] NO_VALUES = new byte[0][];

  private final StoreConfig config;
  private final Codec codec;
  private final String codecName;
  private final Runnable openCheck;
  private final Compressors compressors;

  /**
   * @param codec the store's payload codec, or null for a {@code bytes} store
   * @param openCheck throws when the store is closed; run before anything else of each event
   * @param compressors the compressor appends use (payloads of at least the configured threshold
   *     are stored compressed when that makes them shorter)
   */
  AppendValidator(
      StoreConfig config,
      Codec codec,
      String codecName,
      Runnable openCheck,
      Compressors compressors) {
    this.config = config;
    this.codec = codec;
    this.codecName = codecName;
    this.openCheck = openCheck;
    this.compressors = compressors;
  }

  /**
   * The events of an atomic batch, in order, each validated as {@link #event}; then the batch as a
   * whole: not empty, within {@code maxBatchEvents} and {@code maxBatchBytes} (encoded), causes
   * that are earlier items, idempotency keys on every item or none and never twice.
   *
   * @throws ValidationException naming the item and the value refused
   */
  List<UnsequencedEvent> batch(List<BatchItem> items) {
    if (items.isEmpty()) {
      throw new ValidationException("a batch needs at least one item");
    }
    if (items.size() > config.maxBatchEvents()) {
      throw new ValidationException(
          "a batch of "
              + items.size()
              + " items exceeds maxBatchEvents ("
              + config.maxBatchEvents()
              + "); split it or raise the limit");
    }
    BatchBuilder b = new BatchBuilder(false);
    for (BatchItem item : items) {
      b.add(item);
    }
    return b.finish();
  }

  /**
   * An atomic batch built item by item ({@link #batch}, and the outbox, which stages one item at a
   * time): each item is checked as it is added, and an item that is refused leaves the batch as it
   * was. Not thread-safe.
   */
  final class BatchBuilder {
    private final boolean early;
    private final List<UnsequencedEvent> drafts = new ArrayList<>();
    private final Map<EventId, Integer> keys = new HashMap<>();
    private long bytes;
    private long encoded = FrameCodec.encodedSize(List.of());
    private int keyed;

    /**
     * @param early whether the whole-batch limits ({@code maxBatchEvents}, {@code maxBatchBytes},
     *     keys on every item or none) are checked at each {@link #add} rather than by {@link
     *     #finish} (the outbox refuses an event when it is staged)
     */
    BatchBuilder(boolean early) {
      this.early = early;
    }

    /** The number of items added. */
    int size() {
      return drafts.size();
    }

    /**
     * Validates {@code item} as the next item of the batch and adds it.
     *
     * @throws ValidationException naming the item and the value refused; nothing is added
     */
    void add(BatchItem item) {
      int i = drafts.size();
      if (early && i >= config.maxBatchEvents()) {
        throw new ValidationException(
            "a batch of more than "
                + config.maxBatchEvents()
                + " items exceeds maxBatchEvents ("
                + config.maxBatchEvents()
                + "); flush what is staged first, or raise the limit");
      }
      if (item.causedByItem() >= i) {
        throw new ValidationException(
            "batch item "
                + i
                + " names item "
                + item.causedByItem()
                + " as its cause; a cause must be an earlier item");
      }
      UnsequencedEvent d;
      try {
        d =
            event(
                item.coordinate(),
                item.kind(),
                item.payload(),
                item.options(),
                0,
                item.causedByItem() < 0 ? null : causationOf(drafts.get(item.causedByItem())),
                i);
      } catch (ValidationException | CodecException e) {
        throw new ValidationException("batch item " + i + ": " + e.getMessage(), e);
      }
      if (d.keyed()) {
        Integer earlier = keys.get(idOf(d));
        if (earlier != null) {
          throw new ValidationException(
              "batch items "
                  + earlier
                  + " and "
                  + i
                  + " carry the same idempotency key "
                  + item.options().idempotencyKey()
                  + "; every event of a batch needs its own key");
        }
      }
      if (early) {
        if (i > 0 && d.keyed() != (keyed > 0)) {
          throw new ValidationException(
              "batch item "
                  + i
                  + (d.keyed() ? " carries" : " carries no")
                  + " idempotency key, unlike the "
                  + i
                  + " before it: keys must be on every item of a batch or on none, so a retry"
                  + " can be recognised as a whole");
        }
        checkBytes(encoded + FrameCodec.recordSize(d), bytes + d.payload().length);
      }
      if (d.keyed()) {
        keys.put(idOf(d), i);
      }
      bytes += d.payload().length;
      encoded += FrameCodec.recordSize(d);
      keyed += d.keyed() ? 1 : 0;
      drafts.add(d);
    }

    /**
     * The batch, once its whole-batch checks pass.
     *
     * @throws ValidationException if it is empty, too large, or has keys on some items only
     */
    List<UnsequencedEvent> finish() {
      if (drafts.isEmpty()) {
        throw new ValidationException("a batch needs at least one item");
      }
      checkBytes(FrameCodec.encodedSize(drafts), bytes);
      if (keyed != 0 && keyed != drafts.size()) {
        throw new ValidationException(
            "idempotency keys must be on every item of a batch or on none ("
                + keyed
                + " of "
                + drafts.size()
                + " have one), so a retry can be recognised as a whole");
      }
      return List.copyOf(drafts);
    }

    private void checkBytes(long encoded, long payloadBytes) {
      if (encoded > config.maxBatchBytes()) {
        throw new ValidationException(
            "the batch encodes to "
                + encoded
                + " bytes ("
                + payloadBytes
                + " of payload, the rest coordinates, extensions and headers), over maxBatchBytes ("
                + config.maxBatchBytes()
                + "); nothing was written. Split it or raise the limit");
      }
      FrameCodec.checkFits(encoded);
    }
  }

  /**
   * One event of an append, validated: the kind is not reserved, the payload (encoded by the
   * store's codec, or raw) fits {@code maxPayloadBytes}, the extensions fit their limits; the id is
   * the idempotency key or a new UUIDv7; the payload is hashed.
   *
   * @param causedBy the causation to record instead of the options' (a batch item caused by an
   *     earlier item), or null
   * @param itemIndex the item's index in its batch for messages, or -1
   * @throws ValidationException naming the value that is refused and the limit
   */
  UnsequencedEvent event(
      Coordinate coordinate,
      EventKind kind,
      Payload payload,
      AppendOptions options,
      int payloadVersion,
      CausationId causedBy,
      int itemIndex) {
    openCheck.run();
    return checked(coordinate, kind, payload, options, payloadVersion, causedBy, itemIndex);
  }

  // --- gates ---

  /**
   * A system event the store writes on the caller's behalf (a denial event, ADR 0018): validated as
   * {@link #event}, but its kind may be reserved.
   */
  UnsequencedEvent systemEvent(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options) {
    openCheck.run();
    return validated(coordinate, kind, Payload.raw(payload), options, 0, null, -1);
  }

  private UnsequencedEvent checked(
      Coordinate coordinate,
      EventKind kind,
      Payload payload,
      AppendOptions options,
      int payloadVersion,
      CausationId causedBy,
      int itemIndex) {
    if (kind.isReserved()) {
      throw new ValidationException(
          "kind "
              + kind
              + " is in a reserved category (0x0 system, 0xD effect) that only the store itself"
              + " writes; use EventKind.custom with category 0x1-0xC or 0xE-0xF");
    }
    return validated(coordinate, kind, payload, options, payloadVersion, causedBy, itemIndex);
  }

  private UnsequencedEvent validated(
      Coordinate coordinate,
      EventKind kind,
      Payload payload,
      AppendOptions options,
      int payloadVersion,
      CausationId causedBy,
      int itemIndex) {
    byte[] bytes = encode(payload);
    if (bytes.length > config.maxPayloadBytes()) {
      throw new ValidationException(
          "payload of "
              + bytes.length
              + " bytes exceeds maxPayloadBytes ("
              + config.maxPayloadBytes()
              + ")"
              + (itemIndex >= 0 ? " in batch item " + itemIndex : ""));
    }
    Map<ExtensionKey, Bytes> ext = options.extensions();
    if (ext.size() > StoreConfig.MAX_EXTENSIONS) {
      throw new ValidationException(
          ext.size() + " extensions exceed the limit of " + StoreConfig.MAX_EXTENSIONS);
    }
    boolean none = ext.isEmpty(); // the usual case: shared empty arrays, no iterator
    String[] keys = none ? NO_KEYS : new String[ext.size()];
    byte[][] values = none ? NO_VALUES : new byte[ext.size()][];
    int extBytes = 0;
    int i = 0;
    if (!none) {
      for (Map.Entry<ExtensionKey, Bytes> e : ext.entrySet()) {
        keys[i] = e.getKey().value();
        values[i] = e.getValue().toByteArray();
        extBytes += keys[i].length() + values[i].length;
        i++;
      }
    }
    if (extBytes > StoreConfig.MAX_EXTENSION_BYTES) {
      throw new ValidationException(
          "extensions total "
              + extBytes
              + " bytes, over the limit of "
              + StoreConfig.MAX_EXTENSION_BYTES);
    }
    boolean keyed = options.idempotencyKey() != null;
    EventId id =
        keyed
            ? EventId.of(options.idempotencyKey())
            : EventId.generate(config.clock(), config.entropy());
    CorrelationId correlation =
        options.correlationId() != null ? options.correlationId() : CorrelationId.of(id);
    CausationId causation = causedBy != null ? causedBy : options.causationId();
    byte[] contentHash = HASHERS.get().hash(bytes, 0, bytes.length);
    return new UnsequencedEvent(
        id.high(),
        id.low(),
        correlation.high(),
        correlation.low(),
        causation != null,
        causation == null ? 0 : causation.high(),
        causation == null ? 0 : causation.low(),
        coordinate.entity(),
        coordinate.scope(),
        kind.raw(),
        config.clock().wallMicros(),
        payloadVersion,
        options.flags(),
        keys,
        values,
        contentHash,
        bytes,
        compressed(bytes),
        options.expectedVersion(),
        keyed,
        options.gates());
  }

  /** The stored compressed form of {@code payload}, or null when it is stored as it is. */
  private byte[] compressed(byte[] payload) {
    if (payload.length < config.compressionThreshold()) {
      return null;
    }
    return compressors.compress(payload);
  }

  private static EventId idOf(UnsequencedEvent e) {
    return new EventId(e.idHi(), e.idLo());
  }

  private static CausationId causationOf(UnsequencedEvent e) {
    return new CausationId(e.idHi(), e.idLo());
  }

  private byte[] encode(Payload payload) {
    if (payload instanceof Payload.Raw raw) {
      return raw.bytes().toByteArray();
    }
    return Codecs.encode(codec, codecName, ((Payload.Encoded) payload).value());
  }
}
