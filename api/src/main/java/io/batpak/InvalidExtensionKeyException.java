package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * {@link ExtensionKey#of(String)} was given a string that is not a valid extension key. Says which
 * rule was broken ({@link #rule()}) and the offending value ({@link #value()}); the message quotes
 * the value (escaped, long values truncated) and says what to do. Nothing was written.
 *
 * <p>Rules are checked in the order of {@link Rule}'s constants and the first broken one is
 * reported.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class InvalidExtensionKeyException extends ValidationException {
  private static final long serialVersionUID = 1L;

  /** The rules for extension keys, in the order they are checked. */
  public enum Rule {
    /** The key is the empty string. */
    EMPTY,
    /** The key has a character outside visible ASCII ({@code 0x21..0x7E}), including space. */
    NON_ASCII,
    /** The key is longer than {@link ExtensionKey#MAX_LENGTH} characters. */
    TOO_LONG,
    /** The key does not have exactly one {@code '.'} with non-empty text on both sides. */
    INVALID_NAMESPACE_FORMAT,
    /** The namespace is {@code batpak} (in any letter case), reserved for the store itself. */
    RESERVED_NAMESPACE
  }

  private final Rule rule;
  private final String value;

  InvalidExtensionKeyException(Rule rule, String value, String detail) {
    super(
        "Invalid extension key "
            + MessageQuoting.quote(value)
            + " (rule "
            + rule
            + "): "
            + detail
            + "; an extension key is namespace.field in visible ASCII, at most "
            + ExtensionKey.MAX_LENGTH
            + " characters, e.g. \"myapp.trace_id\", and the namespace \"batpak\" is reserved");
    this.rule = Objects.requireNonNull(rule, "rule");
    this.value = Objects.requireNonNull(value, "value");
  }

  /** The broken rule. */
  public Rule rule() {
    return rule;
  }

  /** The invalid key, exactly as passed (not escaped or truncated). */
  public String value() {
    return value;
  }
}
