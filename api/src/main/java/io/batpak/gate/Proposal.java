package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What the caller proposes to append, handed to {@link GateSet#evaluate} and carried by the {@link
 * GateReceipt} to {@link Pipeline#commit}.
 *
 * <p>Thread-safety: immutable as far as {@code payload} is.
 *
 * @param payload the proposed value (an event record, a command, bytes)
 * @param <T> its type
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record Proposal<T>(T payload) {
  /** Checks for null. */
  public Proposal {
    Objects.requireNonNull(payload, "payload");
  }

  /**
   * The proposal of {@code payload}.
   *
   * @throws NullPointerException if {@code payload} is null
   */
  public static <T> Proposal<T> of(T payload) {
    return new Proposal<>(payload);
  }
}
