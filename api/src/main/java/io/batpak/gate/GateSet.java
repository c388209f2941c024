package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import io.batpak.Denial;
import io.batpak.DenialPayload;
import io.batpak.EventKind;
import io.batpak.GateOutcome;
import io.batpak.GateVerdict;
import io.batpak.ValidationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Caller-side gates in order. {@link #evaluate} stops at the first denial and otherwise hands out
 * the only thing that proves all permitted, a {@link GateReceipt}; {@link #evaluateAll} runs every
 * gate and reports every denial. A gate that throws, or returns null, becomes a denial with code
 * {@link Denial#GATE_DEFECT} naming the exception; it never escapes ({@link OutOfMemoryError} is
 * the one throwable rethrown).
 *
 * <p>Thread-safety: immutable; safe to share. Its gates are called on the evaluating thread.
 *
 * @param <C> the context the gates decide about
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public final class GateSet<C> {
  /** What a {@link GateReceipt} constructor needs; only this class makes one. */
  static final class Capability {
    private Capability() {}
  }

  private static final Capability CAPABILITY = new Capability();

  private final List<Gate<C>> gates;

  private GateSet(List<Gate<C>> gates) {
    this.gates = gates;
  }

  /**
   * A set of {@code gates}, run in this order.
   *
   * @throws NullPointerException if the list or a gate is null
   * @throws ValidationException if two gates have the same name, or a name is invalid
   */
  public static <C> GateSet<C> of(List<? extends Gate<C>> gates) {
    Objects.requireNonNull(gates, "gates");
    List<Gate<C>> copy = new ArrayList<>(gates.size());
    Set<String> names = new HashSet<>();
    for (int i = 0; i < gates.size(); i++) {
      Gate<C> g = Objects.requireNonNull(gates.get(i), "gates[" + i + "]");
      String name =
          Denial.checkGateName(Objects.requireNonNull(g.name(), "gates[" + i + "].name()"));
      if (!names.add(name)) {
        throw new ValidationException(
            "two gates of the set are named '"
                + name
                + "' (the second at index "
                + i
                + "); a"
                + " denial names its gate, so names must be unique");
      }
      copy.add(g);
    }
    return new GateSet<>(List.copyOf(copy));
  }

  /** A copy with {@code gate} run last. See {@link #of(List)} for the exceptions. */
  public GateSet<C> with(Gate<C> gate) {
    List<Gate<C>> copy = new ArrayList<>(gates);
    copy.add(Objects.requireNonNull(gate, "gate"));
    return of(copy);
  }

  /** The number of gates. */
  public int size() {
    return gates.size();
  }

  /** The gates' names, in order. */
  public List<String> names() {
    List<String> out = new ArrayList<>(gates.size());
    for (Gate<C> g : gates) {
      out.add(g.name());
    }
    return List.copyOf(out);
  }

  /**
   * Runs the gates in order on {@code context} and stops at the first denial.
   *
   * @return {@link GateDecision.Passed} with a receipt for {@code proposal} when every gate
   *     permitted (an empty set permits), else {@link GateDecision.Denied}
   * @throws NullPointerException if an argument is null
   */
  public <T> GateDecision<T> evaluate(C context, Proposal<T> proposal) {
    Objects.requireNonNull(context, "context");
    Objects.requireNonNull(proposal, "proposal");
    for (int i = 0; i < gates.size(); i++) {
      Denial d = run(gates.get(i), context);
      if (d != null) {
        return new GateDecision.Denied<>(d, trace(i, d));
      }
    }
    return new GateDecision.Passed<>(new GateReceipt<>(CAPABILITY, this, proposal, names()));
  }

  /**
   * Runs every gate on {@code context}.
   *
   * @return every denial, in gate order; empty when all permitted
   * @throws NullPointerException if {@code context} is null
   */
  public List<Denial> evaluateAll(C context) {
    Objects.requireNonNull(context, "context");
    List<Denial> out = new ArrayList<>();
    for (Gate<C> g : gates) {
      Denial d = run(g, context);
      if (d != null) {
        out.add(d);
      }
    }
    return List.copyOf(out);
  }

  /**
   * The payload of a denial event for {@code failing}: the gates before it permitted, it denied,
   * the ones after were skipped (as {@link #evaluate} ran them). Pass it to {@code
   * Store.appendDenial}.
   *
   * @param proposedKind the kind that was proposed
   * @param proposedContentHash BLAKE3 of the proposed payload, or empty
   * @param pipeline what ran the gates, or empty
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code failing} names no gate of this set
   */
  public DenialPayload traceDenial(
      Denial failing, EventKind proposedKind, Bytes proposedContentHash, String pipeline) {
    Objects.requireNonNull(failing, "failing");
    for (int i = 0; i < gates.size(); i++) {
      if (gates.get(i).name().equals(failing.gate())) {
        return new DenialPayload(trace(i, failing), proposedKind, proposedContentHash, pipeline);
      }
    }
    throw new ValidationException(
        "the denial names gate '" + failing.gate() + "', which is not in this set " + names());
  }

  private List<GateOutcome> trace(int failing, Denial d) {
    List<GateOutcome> out = new ArrayList<>(gates.size());
    for (int i = 0; i < gates.size(); i++) {
      String name = gates.get(i).name();
      if (i < failing) {
        out.add(new GateOutcome.Permitted(name));
      } else if (i == failing) {
        out.add(new GateOutcome.Denied(d));
      } else {
        out.add(new GateOutcome.Skipped(name));
      }
    }
    return out;
  }

  /** The gate's denial, or null when it permitted; a throw or a null is a defect. */
  private static <C> @Nullable Denial run(Gate<C> gate, C context) {
    GateVerdict v;
    try {
      v = gate.evaluate(context);
    } catch (OutOfMemoryError e) {
      throw e;
    } catch (Throwable t) {
      return defect(gate.name(), t);
    }
    if (v == null) {
      return new Denial(
          gate.name(),
          Denial.GATE_DEFECT,
          "gate '" + gate.name() + "' returned null instead of a verdict; fix the gate",
          Map.of());
    }
    return v instanceof GateVerdict.Deny d ? d.by(gate.name()) : null;
  }

  /** The {@link Denial#GATE_DEFECT} denial of a gate that threw {@code t}. */
  static Denial defect(String gate, Throwable t) {
    return new Denial(
        gate,
        Denial.GATE_DEFECT,
        "gate '" + gate + "' threw " + t + " instead of deciding; fix the gate",
        Map.of("exception", t.getClass().getName()));
  }

  @Override
  public String toString() {
    return "GateSet" + names();
  }
}
