package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Denial;
import io.batpak.GateVerdict;
import java.util.Objects;
import java.util.function.Function;
import org.apiguardian.api.API;

/**
 * A caller-defined policy check: a name and a decision about a context of the caller's type. The
 * store never runs it; a {@link GateSet} does, on the caller's thread.
 *
 * <p>Contract for implementers: decide from the context; return {@link GateVerdict#permit()} or a
 * denial, never null. A gate that throws (or returns null) is turned into a denial with code {@link
 * Denial#GATE_DEFECT} by the set; it never escapes. Thread-safety is the implementer's: a set
 * shared between threads calls its gates from each of them.
 *
 * @param <C> the context the gate decides about
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public interface Gate<C> {

  /** The gate's name, 1 to {@value Denial#MAX_GATE_NAME} characters, unique in its set. */
  String name();

  /**
   * Decides.
   *
   * @param context what the caller proposes, and whatever it knows
   * @return a permit or a denial
   */
  GateVerdict evaluate(C context);

  /** A short description for people; the name by default. */
  default String description() {
    return name();
  }

  /**
   * A gate from a name and a check.
   *
   * @throws NullPointerException if an argument is null
   * @throws io.batpak.ValidationException if {@code name} is blank or too long
   */
  static <C> Gate<C> of(String name, Function<C, GateVerdict> check) {
    Denial.checkGateName(Objects.requireNonNull(name, "name"));
    Objects.requireNonNull(check, "check");
    return new Gate<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public GateVerdict evaluate(C context) {
        return check.apply(context);
      }

      @Override
      public String toString() {
        return "Gate[" + name + "]";
      }
    };
  }
}
