package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A gate's refusal of a proposed append: which gate, a stable code, a message for people, and the
 * evidence. Carried by {@link GateDeniedException} (atomic gates), by a caller-side evaluation that
 * failed, and written into denial events ({@link DenialPayload}).
 *
 * <p>Codes the store itself uses: {@link #GATE_DEFECT} (the gate threw), {@link #GATE_TIMEOUT} (an
 * atomic gate ran past {@link StoreConfig#gateBudget()}) and {@link #GATE_STATE_UNAVAILABLE} (the
 * stream state an atomic gate needs cannot be read).
 *
 * <p>Thread-safety: immutable.
 *
 * @param gate the name of the gate that refused
 * @param code a short stable reason, 1 to {@value #MAX_CODE} characters
 * @param message what is wrong and what to do
 * @param context named evidence, in insertion order
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record Denial(String gate, String code, String message, Map<String, String> context)
    implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** The code of a denial made for a gate that threw instead of deciding: {@value}. */
  public static final String GATE_DEFECT = "GATE_DEFECT";

  /** The code of a denial made for an atomic gate that ran past its budget: {@value}. */
  public static final String GATE_TIMEOUT = "GATE_TIMEOUT";

  /**
   * The code of a denial made when the stream state an atomic gate needs cannot be read: its fold
   * needs an event a compaction dropped, or a read of the stream failed: {@value}.
   */
  public static final String GATE_STATE_UNAVAILABLE = "GATE_STATE_UNAVAILABLE";

  /** The longest code, in characters: {@value}. */
  public static final int MAX_CODE = 128;

  /** The longest gate name, in characters: {@value}. */
  public static final int MAX_GATE_NAME = 128;

  /**
   * Validates and copies.
   *
   * @throws NullPointerException if a component, or a key or value of {@code context}, is null
   * @throws ValidationException if the gate name or code is blank or too long
   */
  public Denial {
    checkGateName(Objects.requireNonNull(gate, "gate"));
    checkCode(Objects.requireNonNull(code, "code"));
    Objects.requireNonNull(message, "message");
    context = copyContext(context);
  }

  /**
   * Checks a gate's name: not blank, at most {@value #MAX_GATE_NAME} characters.
   *
   * @return {@code name}
   * @throws ValidationException naming the bad value
   */
  public static String checkGateName(String name) {
    Objects.requireNonNull(name, "name");
    if (name.isBlank() || name.length() > MAX_GATE_NAME) {
      throw new ValidationException(
          "a gate name must be 1 to "
              + MAX_GATE_NAME
              + " characters and not blank, got \""
              + name
              + "\"; give the gate a short stable name");
    }
    return name;
  }

  static void checkCode(String code) {
    if (code.isBlank() || code.length() > MAX_CODE) {
      throw new ValidationException(
          "a denial code must be 1 to "
              + MAX_CODE
              + " characters and not blank, got \""
              + code
              + "\"; use a short stable reason such as INSUFFICIENT_FUNDS");
    }
  }

  static Map<String, String> copyContext(Map<String, String> context) {
    Objects.requireNonNull(context, "context");
    Map<String, String> copy = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : context.entrySet()) {
      copy.put(
          Objects.requireNonNull(e.getKey(), "context key"),
          Objects.requireNonNull(e.getValue(), "context[" + e.getKey() + "]"));
    }
    return Collections.unmodifiableMap(copy);
  }

  /** {@code gate: CODE: message {k=v, ...}}. */
  @Override
  public String toString() {
    return gate + ": " + code + ": " + message + (context.isEmpty() ? "" : " " + context);
  }
}
