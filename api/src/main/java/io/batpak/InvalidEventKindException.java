package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Locale;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * {@link EventKind#custom(int, int)} was given a category or type id that a user kind cannot have.
 * Says which rule was broken ({@link #rule()}) and carries both inputs; the message names them and
 * the allowed ranges. Nothing was written.
 *
 * <p>Rules are checked in the order of {@link Rule}'s constants and the first broken one is
 * reported.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class InvalidEventKindException extends ValidationException {
  private static final long serialVersionUID = 1L;

  /** The rules for user kinds, in the order they are checked. */
  public enum Rule {
    /** The category is not in {@code 0x0..0xF}. */
    CATEGORY_OUT_OF_RANGE,
    /** The category is {@code 0x0}, reserved for the store's system events. */
    RESERVED_SYSTEM_CATEGORY,
    /** The category is {@code 0xD}, reserved for the store's effect events. */
    RESERVED_EFFECT_CATEGORY,
    /** The type id is not in {@code 0x000..0xFFF}. */
    TYPE_ID_OUT_OF_RANGE
  }

  private final Rule rule;
  private final int category;
  private final int typeId;

  InvalidEventKindException(Rule rule, int category, int typeId) {
    super(message(Objects.requireNonNull(rule, "rule"), category, typeId));
    this.rule = rule;
    this.category = category;
    this.typeId = typeId;
  }

  /** The broken rule. */
  public Rule rule() {
    return rule;
  }

  /** The category that was passed. */
  public int category() {
    return category;
  }

  /** The type id that was passed. */
  public int typeId() {
    return typeId;
  }

  private static String message(Rule rule, int category, int typeId) {
    String why =
        switch (rule) {
          case CATEGORY_OUT_OF_RANGE -> "the category must fit in 4 bits (0x0..0xF)";
          case RESERVED_SYSTEM_CATEGORY -> "category 0x0 is reserved for the store's system events";
          case RESERVED_EFFECT_CATEGORY -> "category 0xD is reserved for the store's effect events";
          case TYPE_ID_OUT_OF_RANGE -> "the type id must fit in 12 bits (0x000..0xFFF)";
        };
    return "Invalid event kind: category "
        + number(category)
        + ", type id "
        + number(typeId)
        + " (rule "
        + rule
        + "): "
        + why
        + "; user kinds take a category in 0x1..0xC or 0xE..0xF and a type id in 0x000..0xFFF";
  }

  private static String number(int v) {
    return v >= 0
        ? v + " (0x" + Integer.toHexString(v).toUpperCase(Locale.ROOT) + ")"
        : Integer.toString(v);
  }
}
