package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * An event as read back: its header and its payload bytes as the codec encoded them.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param header the metadata
 * @param payload the payload bytes
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record StoredEvent(EventHeader header, Bytes payload) {

  /** Checks for nulls. */
  public StoredEvent {
    Objects.requireNonNull(header, "header");
    Objects.requireNonNull(payload, "payload");
  }
}
