package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendReceipt;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * What a {@link Pipeline} committed.
 *
 * <p>Thread-safety: immutable as far as the payload is.
 *
 * @param payload the committed proposal's payload
 * @param receipt the store's receipt for the event
 * @param passed the gates that permitted it, in order (empty for a bypass)
 * @param bypass the audit stored on the event when it was committed through a bypass
 * @param <T> the payload type
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record Committed<T>(
    T payload, AppendReceipt receipt, List<String> passed, Optional<BypassAudit> bypass) {
  /** Checks for nulls and copies. */
  public Committed {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(receipt, "receipt");
    passed = List.copyOf(passed);
    Objects.requireNonNull(bypass, "bypass");
  }
}
