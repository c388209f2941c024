package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.InvalidExtensionKeyException.Rule;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * The name of an append extension: opaque bytes an application attaches to an event, persisted in
 * its frame and covered by the receipt signature. A key is {@code namespace.field}: visible ASCII
 * ({@code 0x21..0x7E}), 1 to {@value #MAX_LENGTH} characters, exactly one {@code '.'} with
 * non-empty text on both sides. The namespace {@code batpak} (in any letter case) is reserved for
 * the store.
 *
 * <p>Ordering ({@link #compareTo}) is by {@link #value()}, which for ASCII is byte order, the order
 * extensions are encoded in.
 *
 * <p>Thread-safety: immutable.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class ExtensionKey implements Comparable<ExtensionKey> {
  /** The maximum length of a key in characters (equal to bytes, since keys are ASCII): {@value}. */
  public static final int MAX_LENGTH = 256;

  /** The reserved namespace: {@value}. */
  public static final String RESERVED_NAMESPACE = "batpak";

  private final String value;
  private final int dot;

  private ExtensionKey(String value, int dot) {
    this.value = value;
    this.dot = dot;
  }

  /**
   * The key {@code key}, validated in this order: not empty ({@link Rule#EMPTY}); visible ASCII
   * only ({@link Rule#NON_ASCII}); at most {@value #MAX_LENGTH} characters ({@link Rule#TOO_LONG});
   * exactly one {@code '.'} with non-empty halves ({@link Rule#INVALID_NAMESPACE_FORMAT});
   * namespace not {@code batpak} ({@link Rule#RESERVED_NAMESPACE}).
   *
   * @throws NullPointerException if {@code key} is null
   * @throws InvalidExtensionKeyException on the first broken rule
   */
  public static ExtensionKey of(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new InvalidExtensionKeyException(Rule.EMPTY, key, "it is empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x21 || c > 0x7E) {
        throw new InvalidExtensionKeyException(
            Rule.NON_ASCII,
            key,
            "character "
                + MessageQuoting.quoteChar(c)
                + " at index "
                + i
                + " is not visible ASCII (0x21..0x7E)");
      }
    }
    if (key.length() > MAX_LENGTH) {
      throw new InvalidExtensionKeyException(
          Rule.TOO_LONG,
          key,
          "it is " + key.length() + " characters long, the maximum is " + MAX_LENGTH);
    }
    int dot = key.indexOf('.');
    if (dot < 0) {
      throw new InvalidExtensionKeyException(
          Rule.INVALID_NAMESPACE_FORMAT, key, "it has no '.' between namespace and field");
    }
    if (key.indexOf('.', dot + 1) >= 0) {
      throw new InvalidExtensionKeyException(
          Rule.INVALID_NAMESPACE_FORMAT, key, "it has more than one '.'");
    }
    if (dot == 0 || dot == key.length() - 1) {
      throw new InvalidExtensionKeyException(
          Rule.INVALID_NAMESPACE_FORMAT,
          key,
          dot == 0 ? "the namespace before '.' is empty" : "the field after '.' is empty");
    }
    if (key.regionMatches(true, 0, RESERVED_NAMESPACE, 0, dot)
        && dot == RESERVED_NAMESPACE.length()) {
      throw new InvalidExtensionKeyException(
          Rule.RESERVED_NAMESPACE,
          key,
          "the namespace \""
              + key.substring(0, dot)
              + "\" is reserved for the store; use your own");
    }
    return new ExtensionKey(key, dot);
  }

  // --- gates ---

  /**
   * Store-defined key: why a gate evaluation was bypassed ({@code io.batpak.gate.Pipeline}), UTF-8.
   * Written only by the pipeline's audited bypass; see docs/gates.md.
   *
   * @since 0.3
   */
  public static final ExtensionKey BYPASS_REASON = reserved("bypass-reason");

  /**
   * Store-defined key: the justification of a bypass, UTF-8.
   *
   * @since 0.3
   */
  public static final ExtensionKey BYPASS_JUSTIFICATION = reserved("bypass-justification");

  /**
   * Store-defined key: who approved a bypass, UTF-8.
   *
   * @since 0.3
   */
  public static final ExtensionKey BYPASS_APPROVER = reserved("bypass-approver");

  private static ExtensionKey reserved(String field) {
    return new ExtensionKey(RESERVED_NAMESPACE + "." + field, RESERVED_NAMESPACE.length());
  }

  /**
   * The store-defined key named {@code key} (one of the constants in the reserved namespace), for
   * decoding stored extensions; empty for any other name.
   *
   * @throws NullPointerException if {@code key} is null
   * @since 0.3
   */
  public static java.util.Optional<ExtensionKey> storeDefined(String key) {
    Objects.requireNonNull(key, "key");
    if (!key.startsWith(RESERVED_NAMESPACE + ".")) {
      return java.util.Optional.empty(); // the common case: an application's key
    }
    for (ExtensionKey k :
        new ExtensionKey[] {BYPASS_REASON, BYPASS_JUSTIFICATION, BYPASS_APPROVER}) {
      if (k.value.equals(key)) {
        return java.util.Optional.of(k);
      }
    }
    return java.util.Optional.empty();
  }

  /** The whole key, {@code namespace.field}. */
  public String value() {
    return value;
  }

  /** The part before the {@code '.'}. */
  public String namespace() {
    return value.substring(0, dot);
  }

  /** The part after the {@code '.'}. */
  public String field() {
    return value.substring(dot + 1);
  }

  /** Compares by {@link #value()}. */
  @Override
  public int compareTo(ExtensionKey other) {
    return value.compareTo(other.value);
  }

  /** Two keys are equal when their values are. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof ExtensionKey && ((ExtensionKey) o).value.equals(value);
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  /** The key, {@link #value()}. */
  @Override
  public String toString() {
    return value;
  }
}
