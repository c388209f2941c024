package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.InvalidCoordinateException.Component;
import io.batpak.InvalidCoordinateException.Rule;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * Where an event lives: an {@code entity} (the stream key and hash-chain anchor, "who") and a
 * {@code scope} (an isolation or grouping label, "where"). Text form {@code entity@scope}.
 *
 * <p>Each component is validated in this order, entity first, and the first broken rule is reported
 * as an {@link InvalidCoordinateException} naming the component, the rule and the value:
 *
 * <ol>
 *   <li>{@code null}: {@link NullPointerException};
 *   <li>empty: {@link Rule#EMPTY};
 *   <li>UTF-8 encoding longer than {@link #MAX_COMPONENT_BYTES} bytes: {@link Rule#TOO_LONG};
 *   <li>contains U+0000: {@link Rule#NUL_BYTE};
 *   <li>contains a character below U+0020 or U+007F: {@link Rule#CONTROL_CHAR};
 *   <li>contains {@code '/'} or {@code ".."}: {@link Rule#PATH_TRAVERSAL};
 *   <li>contains {@code '|'} or {@code '='}: {@link Rule#FORBIDDEN_SEPARATOR};
 *   <li>contains an unpaired UTF-16 surrogate: {@link Rule#UNPAIRED_SURROGATE}.
 * </ol>
 *
 * <p>Use {@code ':'} to build namespaces ({@code "alice:orders"}): a {@link Region} with an entity
 * prefix matches on those boundaries. {@code '@'} is allowed in the entity; {@link #parse} splits
 * at the last {@code '@'}.
 *
 * <p>Thread-safety: immutable.
 *
 * @param entity the stream key, validated as above
 * @param scope the isolation label, validated as above
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record Coordinate(String entity, String scope) {
  /** The maximum length of each component in UTF-8 bytes: {@value}. */
  public static final int MAX_COMPONENT_BYTES = 1024;

  /**
   * Validates both components.
   *
   * @throws NullPointerException if a component is null
   * @throws InvalidCoordinateException if a component breaks a rule
   */
  public Coordinate {
    validateComponent(Component.ENTITY, entity);
    validateComponent(Component.SCOPE, scope);
  }

  /**
   * The coordinate {@code entity@scope}.
   *
   * @throws NullPointerException if a component is null
   * @throws InvalidCoordinateException if a component breaks a rule
   */
  public static Coordinate of(String entity, String scope) {
    return new Coordinate(entity, scope);
  }

  /**
   * Parses {@code entity@scope}, splitting at the last {@code '@'}. {@code
   * parse(c.toString()).equals(c)} for every coordinate whose scope has no {@code '@'}.
   *
   * @throws NullPointerException if {@code text} is null
   * @throws ValidationException if {@code text} has no {@code '@'}
   * @throws InvalidCoordinateException (a {@link ValidationException}) if a component breaks a rule
   */
  public static Coordinate parse(String text) {
    Objects.requireNonNull(text, "text");
    int at = text.lastIndexOf('@');
    if (at < 0) {
      throw new ValidationException(
          "Cannot parse a coordinate from "
              + MessageQuoting.quote(text)
              + ": it has no '@'; write entity@scope, as Coordinate.toString() does");
    }
    return new Coordinate(text.substring(0, at), text.substring(at + 1));
  }

  /** {@code entity + "@" + scope}. */
  @Override
  public String toString() {
    return entity + "@" + scope;
  }

  /**
   * Checks one component against the rules, in order.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws InvalidCoordinateException on the first broken rule
   */
  static void validateComponent(Component component, String value) {
    Objects.requireNonNull(value, component.label());
    if (value.isEmpty()) {
      throw new InvalidCoordinateException(component, Rule.EMPTY, value, "it is empty");
    }
    int utf8 = utf8Length(value);
    if (utf8 > MAX_COMPONENT_BYTES) {
      throw new InvalidCoordinateException(
          component,
          Rule.TOO_LONG,
          value,
          "it is " + utf8 + " UTF-8 bytes long, the maximum is " + MAX_COMPONENT_BYTES);
    }
    int nul = value.indexOf('\0');
    if (nul >= 0) {
      throw new InvalidCoordinateException(
          component, Rule.NUL_BYTE, value, "it contains NUL (U+0000) at index " + nul);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7F) {
        throw new InvalidCoordinateException(
            component,
            Rule.CONTROL_CHAR,
            value,
            "it contains the control character " + MessageQuoting.quoteChar(c) + " at index " + i);
      }
    }
    int slash = value.indexOf('/');
    if (slash >= 0) {
      throw new InvalidCoordinateException(
          component, Rule.PATH_TRAVERSAL, value, "it contains '/' at index " + slash);
    }
    int dots = value.indexOf("..");
    if (dots >= 0) {
      throw new InvalidCoordinateException(
          component, Rule.PATH_TRAVERSAL, value, "it contains \"..\" at index " + dots);
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '|' || c == '=') {
        throw new InvalidCoordinateException(
            component, Rule.FORBIDDEN_SEPARATOR, value, "it contains '" + c + "' at index " + i);
      }
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidCoordinateException(
            component,
            Rule.UNPAIRED_SURROGATE,
            value,
            "it contains the unpaired surrogate " + MessageQuoting.quoteChar(c) + " at index " + i);
      }
    }
  }

  /**
   * The UTF-8 length of {@code s}, counting an unpaired surrogate as 3 bytes (its generalized UTF-8
   * width), without allocating.
   */
  static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
