package io.batpak;

import java.util.Objects;

/**
 * An event as read back: its header and its payload bytes as the codec encoded them.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param header the metadata
 * @param payload the payload bytes
 * @since 0.1
 */
public record StoredEvent(EventHeader header, Bytes payload) {

  /** Checks for nulls. */
  public StoredEvent {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(payload, "payload");
  }
}
