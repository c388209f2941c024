package io.batpak.axon;

import java.time.Instant;
import org.axonframework.eventhandling.TrackedEventData;
import org.axonframework.eventhandling.TrackingToken;
import org.axonframework.serialization.SerializedMetaData;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.SimpleSerializedObject;
import org.jspecify.annotations.Nullable;

/**
 * A stored Axon event that belongs to no aggregate, as a tracked read returns it. Deliberately not
 * a {@code DomainEventData}, so Axon rebuilds it as a plain (non-domain) event message. Immutable.
 */
final class TrackedAxonEventData implements TrackedEventData<byte[]> {
  private final TrackingToken token;
  private final String eventIdentifier;
  private final Instant timestamp;
  private final SerializedObject<byte[]> payload;
  private final SerializedObject<byte[]> metaData;

  TrackedAxonEventData(
      TrackingToken token,
      String eventIdentifier,
      Instant timestamp,
      String payloadType,
      @Nullable String payloadRevision,
      byte[] payload,
      byte[] metaData) {
    this.token = token;
    this.eventIdentifier = eventIdentifier;
    this.timestamp = timestamp;
    this.payload =
        new SimpleSerializedObject<>(payload, byte[].class, payloadType, payloadRevision);
    this.metaData = new SerializedMetaData<>(metaData, byte[].class);
  }

  @Override
  public TrackingToken trackingToken() {
    return token;
  }

  @Override
  public String getEventIdentifier() {
    return eventIdentifier;
  }

  @Override
  public Instant getTimestamp() {
    return timestamp;
  }

  @Override
  public SerializedObject<byte[]> getMetaData() {
    return metaData;
  }

  @Override
  public SerializedObject<byte[]> getPayload() {
    return payload;
  }
}
