package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Denial;
import io.batpak.GateOutcome;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The result of {@link GateSet#evaluate}: {@link Passed} with a receipt, or {@link Denied} with the
 * first denial and every gate's outcome.
 *
 * <p>Thread-safety: immutable.
 *
 * @param <T> the proposal's payload type
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public sealed interface GateDecision<T> permits GateDecision.Passed, GateDecision.Denied {

  /**
   * Every gate permitted.
   *
   * @param receipt the proof, for {@link Pipeline#commit}
   */
  record Passed<T>(GateReceipt<T> receipt) implements GateDecision<T> {
    /** Checks for null. */
    public Passed {
      Objects.requireNonNull(receipt, "receipt");
    }
  }

  /**
   * A gate denied; the ones after it were skipped.
   *
   * @param denial the denial
   * @param outcomes every gate's outcome in order: permitted before the denial, skipped after it
   */
  record Denied<T>(Denial denial, List<GateOutcome> outcomes) implements GateDecision<T> {
    /** Checks for nulls and copies. */
    public Denied {
      Objects.requireNonNull(denial, "denial");
      outcomes = List.copyOf(outcomes);
    }
  }
}
