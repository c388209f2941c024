package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.Denial;
import io.batpak.GateVerdict;
import java.util.Map;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * What one run of an atomic gate amounts to, for the stores that run atomic gates (the engine's
 * writer, and {@code batpak-replication}'s proposing member): a permit, the gate's own denial, or a
 * {@link Denial#GATE_DEFECT} for a gate that threw or returned null. One wording for every store.
 * Not for applications.
 *
 * @since 0.3
 */
@API(status = INTERNAL, since = "0.3")
public final class AtomicGateOutcome {
  private AtomicGateOutcome() {}

  /**
   * The denial a run of gate {@code gate} amounts to, or null for a permit.
   *
   * @param verdict what the gate returned (null when it returned null or threw)
   * @param failure what it threw, or null
   */
  public static @Nullable Denial of(
      String gate, @Nullable GateVerdict verdict, @Nullable Throwable failure) {
    if (failure != null) {
      return new Denial(
          gate,
          Denial.GATE_DEFECT,
          "atomic gate '" + gate + "' threw " + failure + " instead of deciding; fix the gate",
          Map.of("exception", failure.getClass().getName()));
    }
    if (verdict == null) {
      return new Denial(
          gate,
          Denial.GATE_DEFECT,
          "atomic gate '" + gate + "' returned null instead of a verdict; fix the gate",
          Map.of());
    }
    return verdict instanceof GateVerdict.Deny d ? d.by(gate) : null;
  }
}
