package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A stored event's payload version is newer than the version its registered type knows: the event
 * was written by a newer version of the application, and this one cannot read it as that type
 * without losing what the newer version added. Nothing is guessed and nothing is changed; upgrade
 * the application (to one whose class and upcasters know {@link #storedVersion()}), or read the raw
 * payload with {@link Store#get(EventId)}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class FutureEventVersionException extends CodecException {
  private static final long serialVersionUID = 1L;

  private final EventId eventId;
  private final String typeName;
  private final int storedVersion;
  private final int knownVersion;

  /**
   * Creates the exception.
   *
   * @param message which event, which type, both versions, and what to do
   * @param eventId the event that could not be read
   * @param typeName the registered type it was read as (its class name)
   * @param storedVersion the payload version stamped on the stored event
   * @param knownVersion the newest version the registered type knows ({@link EventType#version()})
   * @throws NullPointerException if {@code eventId} or {@code typeName} is null
   */
  public FutureEventVersionException(
      String message, EventId eventId, String typeName, int storedVersion, int knownVersion) {
    super(message);
    if (eventId == null) {
      throw new NullPointerException("eventId must not be null");
    }
    if (typeName == null) {
      throw new NullPointerException("typeName must not be null");
    }
    this.eventId = eventId;
    this.typeName = typeName;
    this.storedVersion = storedVersion;
    this.knownVersion = knownVersion;
  }

  /** The event that could not be read. */
  public EventId eventId() {
    return eventId;
  }

  /** The class name of the registered type the event was read as. */
  public String typeName() {
    return typeName;
  }

  /** The payload version stamped on the stored event. */
  public int storedVersion() {
    return storedVersion;
  }

  /** The newest payload version the registered type knows. */
  public int knownVersion() {
    return knownVersion;
  }
}
