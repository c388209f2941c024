package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One gate's part in an evaluation that ended in a denial, as a denial event records it ({@link
 * DenialPayload}): it permitted, it denied (the {@link Denial}), or it was skipped because an
 * earlier gate denied.
 *
 * <p>Thread-safety: immutable.
 *
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public sealed interface GateOutcome
    permits GateOutcome.Permitted, GateOutcome.Denied, GateOutcome.Skipped {

  /** The gate's name. */
  String gate();

  /**
   * The gate permitted.
   *
   * @param gate its name
   */
  record Permitted(String gate) implements GateOutcome {
    /** Validates the name. */
    public Permitted {
      Denial.checkGateName(Objects.requireNonNull(gate, "gate"));
    }
  }

  /**
   * The gate denied.
   *
   * @param denial its denial
   */
  record Denied(Denial denial) implements GateOutcome {
    /** Checks for null. */
    public Denied {
      Objects.requireNonNull(denial, "denial");
    }

    @Override
    public String gate() {
      return denial.gate();
    }
  }

  /**
   * The gate did not run: an earlier one denied.
   *
   * @param gate its name
   */
  record Skipped(String gate) implements GateOutcome {
    /** Validates the name. */
    public Skipped {
      Denial.checkGateName(Objects.requireNonNull(gate, "gate"));
    }
  }
}
