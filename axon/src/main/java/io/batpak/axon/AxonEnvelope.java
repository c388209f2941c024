package io.batpak.axon;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyKey;
import io.batpak.Region;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import org.axonframework.eventsourcing.eventstore.EventStoreException;
import org.jspecify.annotations.Nullable;

/**
 * Where an Axon event lives in a batpak store, and how its Axon fields are kept: the envelope of
 * ADR 0032 (docs/axon.md, "Mapping"). Stateless; every method is thread-safe.
 */
final class AxonEnvelope {

  /** The scope of every event the engine writes. */
  static final String SCOPE = "axon";

  /** The entity prefix of every stream the engine writes; {@code ':'} separates its parts. */
  static final String ENTITY_ROOT = "axon";

  /** The one stream of events that belong to no aggregate. */
  static final String EVENTS_ENTITY = ENTITY_ROOT + ":events";

  /** The category of the events a tracking processor reads (domain and aggregate-less). */
  static final int TRACKED_CATEGORY = 0xA;

  /** An aggregate's domain event. */
  static final EventKind DOMAIN_EVENT = EventKind.custom(TRACKED_CATEGORY, 0x001);

  /** An event that belongs to no aggregate. */
  static final EventKind PLAIN_EVENT = EventKind.custom(TRACKED_CATEGORY, 0x002);

  /** An aggregate snapshot: its own category, so tracked reads never see it. */
  static final EventKind SNAPSHOT = EventKind.custom(0xB, 0x001);

  /** What a tracking processor reads: the engine's streams, domain and aggregate-less events. */
  static final Region TRACKED = Region.entity(ENTITY_ROOT).withCategory(TRACKED_CATEGORY);

  /** Axon's event identifier, UTF-8. */
  static final ExtensionKey EVENT_ID = ExtensionKey.of("axon.id");

  /** Axon's timestamp, ISO-8601 ({@link Instant#toString()}), UTF-8. */
  static final ExtensionKey TIMESTAMP = ExtensionKey.of("axon.timestamp");

  /** The serialized payload's type name, UTF-8. */
  static final ExtensionKey PAYLOAD_TYPE = ExtensionKey.of("axon.payloadType");

  /** The serialized payload's revision, UTF-8; absent when Axon's revision is null. */
  static final ExtensionKey PAYLOAD_REVISION = ExtensionKey.of("axon.payloadRevision");

  /** The metadata as Axon's serializer wrote it. */
  static final ExtensionKey META_DATA = ExtensionKey.of("axon.metaData");

  /** The aggregate identifier, UTF-8, exactly as Axon gave it (the entity escapes it). */
  static final ExtensionKey AGGREGATE_ID = ExtensionKey.of("axon.aggregateId");

  /** The aggregate type, UTF-8; absent when Axon's type is null. */
  static final ExtensionKey AGGREGATE_TYPE = ExtensionKey.of("axon.aggregateType");

  /** The aggregate sequence number, decimal UTF-8. */
  static final ExtensionKey SEQUENCE = ExtensionKey.of("axon.sequence");

  /** The domain of the idempotency key made from an Axon event identifier. */
  static final String KEY_DOMAIN = "axon.event";

  private AxonEnvelope() {}

  /** The stream of an aggregate's domain events. */
  static Coordinate aggregate(String aggregateIdentifier) {
    return Coordinate.of(ENTITY_ROOT + ":aggregate:" + escape(aggregateIdentifier), SCOPE);
  }

  /** The stream of an aggregate's snapshots. */
  static Coordinate snapshots(String aggregateIdentifier) {
    return Coordinate.of(ENTITY_ROOT + ":snapshot:" + escape(aggregateIdentifier), SCOPE);
  }

  /** The stream of events that belong to no aggregate. */
  static Coordinate events() {
    return Coordinate.of(EVENTS_ENTITY, SCOPE);
  }

  /**
   * The batpak event id of the Axon event {@code eventIdentifier}: an idempotency key, so an Axon
   * identifier is stored at most once and a retry of an identical append stores nothing twice.
   */
  static IdempotencyKey key(String eventIdentifier) {
    return IdempotencyKey.forOperation(KEY_DOMAIN, eventIdentifier);
  }

  /**
   * {@code id} with every character a coordinate refuses, and {@code '%'} itself, written as {@code
   * %XX} (two uppercase hex digits): {@code '/'}, {@code '.'} (so no {@code ".."} can appear),
   * {@code '|'}, {@code '='}, controls below U+0020 and U+007F. Injective, so two identifiers never
   * share a stream; the identifier itself is kept in {@link #AGGREGATE_ID}.
   */
  static String escape(String id) {
    StringBuilder out = null;
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      boolean refused =
          c == '%' || c == '/' || c == '.' || c == '|' || c == '=' || c < 0x20 || c == 0x7F;
      if (refused && out == null) {
        out = new StringBuilder(id.length() + 8).append(id, 0, i);
      }
      if (out != null) {
        if (refused) {
          out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)));
          out.append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
        } else {
          out.append(c);
        }
      }
    }
    return out == null ? id : out.toString();
  }

  /** The text of a required extension of an event the engine wrote. */
  static String required(EventHeader header, ExtensionKey key) {
    Bytes value = header.extensions().get(key);
    if (value == null) {
      throw notAnAxonEvent(header, "it has no extension " + key.value());
    }
    return value.toUtf8();
  }

  /** The text of an optional extension, or null. */
  static @Nullable String optional(EventHeader header, ExtensionKey key) {
    Bytes value = header.extensions().get(key);
    return value == null ? null : value.toUtf8();
  }

  /** The bytes of the metadata extension (empty when absent: Axon's empty metadata). */
  static byte[] metaData(EventHeader header) {
    Bytes value = header.extensions().get(META_DATA);
    if (value == null) {
      throw notAnAxonEvent(header, "it has no extension " + META_DATA.value());
    }
    return value.toByteArray();
  }

  /** Axon's timestamp of an event the engine wrote. */
  static Instant timestamp(EventHeader header) {
    String text = required(header, TIMESTAMP);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw notAnAxonEvent(header, "its extension " + TIMESTAMP.value() + " is not an instant");
    }
  }

  /** The aggregate sequence of a snapshot. */
  static long sequence(EventHeader header) {
    String text = required(header, SEQUENCE);
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw notAnAxonEvent(header, "its extension " + SEQUENCE.value() + " is not a number");
    }
  }

  private static EventStoreException notAnAxonEvent(EventHeader header, String why) {
    return new EventStoreException(
        "The batpak event "
            + header.eventId()
            + " (global sequence "
            + header.globalSequence()
            + ", stream "
            + header.entity()
            + ", kind "
            + header.kind()
            + ") is not an Axon event as BatpakEventStorageEngine writes them: "
            + why
            + ". Something other than the Axon engine appended to the streams under '"
            + ENTITY_ROOT
            + ":' with an Axon kind; keep other writers out of that entity prefix (docs/axon.md).");
  }
}
