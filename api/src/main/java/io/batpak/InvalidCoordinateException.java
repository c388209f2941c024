package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * A {@link Coordinate} component broke a validation rule. Says which component ({@link
 * #component()}), which rule ({@link #rule()}) and the offending value ({@link #value()}); the
 * message quotes the value (control characters escaped, long values truncated) and says what to do.
 * Nothing was written.
 *
 * <p>Rules are checked per component in the order of {@link Rule}'s constants, entity before scope,
 * and the first broken rule is reported.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class InvalidCoordinateException extends ValidationException {
  private static final long serialVersionUID = 1L;

  /** Which part of a coordinate is invalid. */
  public enum Component {
    /** The entity, the part before the last {@code '@'}. */
    ENTITY("entity"),
    /** The scope, the part after the last {@code '@'}. */
    SCOPE("scope");

    private final String label;

    Component(String label) {
      this.label = label;
    }

    /** The lowercase name used in messages: {@code "entity"} or {@code "scope"}. */
    public String label() {
      return label;
    }
  }

  /** The validation rules, in the order they are checked. */
  public enum Rule {
    /** The component is the empty string. */
    EMPTY,
    /** The UTF-8 encoding is longer than {@link Coordinate#MAX_COMPONENT_BYTES}. */
    TOO_LONG,
    /** The component contains U+0000. */
    NUL_BYTE,
    /** The component contains another control character: below U+0020, or U+007F. */
    CONTROL_CHAR,
    /** The component contains {@code '/'} or {@code ".."}. */
    PATH_TRAVERSAL,
    /**
     * The component contains {@code '|'} or {@code '='}, reserved because region identities are
     * written as {@code k=v|k=v}.
     */
    FORBIDDEN_SEPARATOR,
    /**
     * The component contains an unpaired UTF-16 surrogate, which has no UTF-8 encoding and so could
     * not be stored faithfully. Checked last; an addition to the rules of the Rust original, whose
     * strings cannot hold one.
     */
    UNPAIRED_SURROGATE
  }

  private final Component component;
  private final Rule rule;
  private final String value;

  InvalidCoordinateException(Component component, Rule rule, String value, String detail) {
    super(message(component, rule, value, detail));
    this.component = Objects.requireNonNull(component, "component");
    this.rule = Objects.requireNonNull(rule, "rule");
    this.value = Objects.requireNonNull(value, "value");
  }

  /** The invalid component. */
  public Component component() {
    return component;
  }

  /** The broken rule. */
  public Rule rule() {
    return rule;
  }

  /** The invalid value, exactly as passed (not escaped or truncated). */
  public String value() {
    return value;
  }

  private static String message(Component component, Rule rule, String value, String detail) {
    return "Invalid coordinate "
        + component.label()
        + " "
        + MessageQuoting.quote(value)
        + " (rule "
        + rule
        + "): "
        + detail
        + "; "
        + advice(component, rule);
  }

  private static String advice(Component component, Rule rule) {
    return switch (rule) {
      case EMPTY -> "give a non-empty " + component.label();
      case TOO_LONG -> "shorten it to at most " + Coordinate.MAX_COMPONENT_BYTES + " UTF-8 bytes";
      case NUL_BYTE -> "remove the NUL character";
      case CONTROL_CHAR -> "remove control characters (U+0000..U+001F and U+007F)";
      case PATH_TRAVERSAL ->
          "do not use '/' or \"..\"; nest names with ':' instead (e.g. \"alice:orders\")";
      case FORBIDDEN_SEPARATOR ->
          "remove '|' and '=', which are reserved as region identity separators";
      case UNPAIRED_SURROGATE -> "pass well-formed Unicode text";
    };
  }
}
