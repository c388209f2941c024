package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What one gate decided about one proposed append: {@link Permit} or {@link Deny}. Returned by
 * caller-side gates ({@code io.batpak.gate.Gate}) and by atomic gates ({@link AtomicGate}); the
 * gate's name is added by whoever ran it, which turns a {@link Deny} into a {@link Denial}.
 *
 * <p>Thread-safety: immutable.
 *
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public sealed interface GateVerdict permits GateVerdict.Permit, GateVerdict.Deny {

  /** The gate lets the append through. */
  static GateVerdict permit() {
    return Permit.INSTANCE;
  }

  /**
   * The gate refuses the append.
   *
   * @param code a short stable machine-readable reason, e.g. {@code INSUFFICIENT_FUNDS}
   * @param message what is wrong and what to do, for people
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code code} is blank or longer than {@value Denial#MAX_CODE}
   */
  static GateVerdict deny(String code, String message) {
    return new Deny(code, message, Map.of());
  }

  /**
   * The gate refuses the append, with evidence.
   *
   * @param context named values that explain the decision (e.g. {@code balance=40}), kept in
   *     insertion order when the map has one
   * @see #deny(String, String)
   */
  static GateVerdict deny(String code, String message, Map<String, String> context) {
    return new Deny(code, message, context);
  }

  /** The gate lets the append through. Use {@link GateVerdict#permit()}. */
  enum Permit implements GateVerdict {
    /** The one permit. */
    INSTANCE
  }

  /**
   * The gate refuses the append.
   *
   * @param code a short stable reason ({@link Denial#code()})
   * @param message what is wrong and what to do
   * @param context evidence, in order
   */
  record Deny(String code, String message, Map<String, String> context) implements GateVerdict {
    /** Validates and copies (the context keeps its order). */
    public Deny {
      Denial.checkCode(Objects.requireNonNull(code, "code"));
      Objects.requireNonNull(message, "message");
      context = Denial.copyContext(context);
    }

    /** The denial of the gate named {@code gate}. */
    public Denial by(String gate) {
      return new Denial(gate, code, message, context);
    }
  }
}
