package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.InvalidCoordinateException.Component;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A query predicate over events: which entities, which scope, which kinds, which stream sequence
 * numbers. Every part is optional and every part that is set must match; {@link #all()} sets none
 * and matches everything.
 *
 * <ul>
 *   <li><b>Entity prefix</b>: a <em>namespace</em> prefix, not a raw string prefix. Prefix {@code
 *       alice} matches entity {@code alice} and every {@code alice:...} descendant, but not {@code
 *       alice2} or {@code alice-prod}.
 *   <li><b>Scope</b>: exact equality.
 *   <li><b>Kind filter</b>: either one exact {@link EventKind} ({@link #withKind}) or one 4-bit
 *       category ({@link #withCategory}), not both: setting one replaces the other, as in the Rust
 *       original where the two are cases of one filter.
 *   <li><b>Stream sequence range</b>: an inclusive range on the per-entity sequence number, not on
 *       the global sequence.
 * </ul>
 *
 * <p>The {@code with*} methods return a new region and leave this one unchanged. Thread-safety:
 * immutable.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Region {
  private static final Region ALL = new Region(null, null, null, -1, -1L, -1L);

  private final @Nullable String entityPrefix;
  private final @Nullable String scope;
  private final @Nullable EventKind kind;
  private final int category;
  private final long sequenceFrom;
  private final long sequenceTo;

  private Region(
      @Nullable String entityPrefix,
      @Nullable String scope,
      @Nullable EventKind kind,
      int category,
      long sequenceFrom,
      long sequenceTo) {
    this.entityPrefix = entityPrefix;
    this.scope = scope;
    this.kind = kind;
    this.category = category;
    this.sequenceFrom = sequenceFrom;
    this.sequenceTo = sequenceTo;
  }

  /** The region that matches every event. */
  public static Region all() {
    return ALL;
  }

  /**
   * The events of entity {@code prefix} and of every entity in its namespace ({@code prefix:...}).
   *
   * @throws NullPointerException if {@code prefix} is null
   * @throws InvalidCoordinateException if {@code prefix} is not a valid coordinate entity
   */
  public static Region entity(String prefix) {
    return ALL.withEntityPrefix(prefix);
  }

  /**
   * The events in scope {@code scope}.
   *
   * @throws NullPointerException if {@code scope} is null
   * @throws InvalidCoordinateException if {@code scope} is not a valid coordinate scope
   */
  public static Region scope(String scope) {
    return ALL.withScope(scope);
  }

  /**
   * Whether {@code entity} is {@code prefix} or lies in its namespace: {@code
   * entity.equals(prefix)} or {@code entity} starts with {@code prefix + ":"}. Does not validate
   * either string. Package-private: the one public matcher is {@link #matches}.
   *
   * @throws NullPointerException if an argument is null
   */
  static boolean entityMatchesPrefix(String entity, String prefix) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(prefix, "prefix");
    int n = prefix.length();
    return entity.startsWith(prefix) && (entity.length() == n || entity.charAt(n) == ':');
  }

  /**
   * This region restricted to entity {@code prefix} and its namespace, replacing any earlier
   * prefix.
   *
   * @throws NullPointerException if {@code prefix} is null
   * @throws InvalidCoordinateException if {@code prefix} is not a valid coordinate entity (such a
   *     prefix could never match)
   */
  public Region withEntityPrefix(String prefix) {
    Coordinate.validateComponent(Component.ENTITY, prefix);
    return new Region(prefix, scope, kind, category, sequenceFrom, sequenceTo);
  }

  /**
   * This region restricted to scope {@code scope}, replacing any earlier scope.
   *
   * @throws NullPointerException if {@code scope} is null
   * @throws InvalidCoordinateException if {@code scope} is not a valid coordinate scope (such a
   *     scope could never match)
   */
  public Region withScope(String scope) {
    Coordinate.validateComponent(Component.SCOPE, scope);
    return new Region(entityPrefix, scope, kind, category, sequenceFrom, sequenceTo);
  }

  /**
   * This region restricted to events of exactly {@code kind}, replacing any earlier kind or
   * category filter.
   *
   * @throws NullPointerException if {@code kind} is null
   */
  public Region withKind(EventKind kind) {
    Objects.requireNonNull(kind, "kind");
    return new Region(entityPrefix, scope, kind, -1, sequenceFrom, sequenceTo);
  }

  /**
   * This region restricted to events whose kind has category {@code category} ({@link
   * EventKind#category()}), replacing any earlier kind or category filter. Reserved categories are
   * allowed: reading system events is legitimate.
   *
   * @throws ValidationException if {@code category} is not in {@code 0..15}
   */
  public Region withCategory(int category) {
    if (category < 0 || category > 0xF) {
      throw new ValidationException(
          "Invalid region category "
              + category
              + ": an event kind category is 4 bits, so it must be in 0..15 (0x0..0xF)");
    }
    return new Region(entityPrefix, scope, null, category, sequenceFrom, sequenceTo);
  }

  /**
   * This region restricted to per-entity stream sequence numbers in {@code fromInclusive ..
   * toInclusive}, replacing any earlier range. A single sequence is {@code (n, n)}.
   *
   * @throws ValidationException unless {@code 0 <= fromInclusive <= toInclusive}; the message names
   *     both
   */
  public Region withStreamSequenceRange(long fromInclusive, long toInclusive) {
    if (fromInclusive < 0 || fromInclusive > toInclusive) {
      throw new ValidationException(
          "Invalid stream sequence range "
              + fromInclusive
              + ".."
              + toInclusive
              + ": it needs 0 <= from <= to (both inclusive); "
              + (fromInclusive < 0 ? "sequences start at 0" : "swap the bounds"));
    }
    return new Region(entityPrefix, scope, kind, category, fromInclusive, toInclusive);
  }

  /** The entity namespace prefix, if set. */
  public Optional<String> entityPrefix() {
    return Optional.ofNullable(entityPrefix);
  }

  /** The exact scope, if set. */
  public Optional<String> scope() {
    return Optional.ofNullable(scope);
  }

  /** The exact kind, if the kind filter is an exact kind. */
  public Optional<EventKind> kind() {
    return Optional.ofNullable(kind);
  }

  /** The category, if the kind filter is a category. */
  public OptionalInt category() {
    return category < 0 ? OptionalInt.empty() : OptionalInt.of(category);
  }

  /** The first stream sequence of the range, inclusive, if a range is set. */
  public OptionalLong streamSequenceFrom() {
    return sequenceFrom < 0 ? OptionalLong.empty() : OptionalLong.of(sequenceFrom);
  }

  /** The last stream sequence of the range, inclusive, if a range is set. */
  public OptionalLong streamSequenceTo() {
    return sequenceFrom < 0 ? OptionalLong.empty() : OptionalLong.of(sequenceTo);
  }

  /** Whether this region sets no part and so matches every event. */
  public boolean isAll() {
    return equals(ALL);
  }

  /**
   * Whether an event with these attributes lies in this region: every part that is set matches.
   *
   * @param entity the event's coordinate entity
   * @param scope the event's coordinate scope
   * @param kind the event's kind
   * @param streamSequence the event's per-entity sequence number
   * @throws NullPointerException if {@code entity}, {@code scope} or {@code kind} is null
   */
  public boolean matches(String entity, String scope, EventKind kind, long streamSequence) {
    Objects.requireNonNull(entity, "entity");
    Objects.requireNonNull(scope, "scope");
    Objects.requireNonNull(kind, "kind");
    return (entityPrefix == null || entityMatchesPrefix(entity, entityPrefix))
        && (this.scope == null || this.scope.equals(scope))
        && (this.kind == null || this.kind.equals(kind))
        && (category < 0 || kind.category() == category)
        && (sequenceFrom < 0 || (streamSequence >= sequenceFrom && streamSequence <= sequenceTo));
  }

  /**
   * Like {@link #matches(String, String, EventKind, long)} with the coordinate's parts.
   *
   * @throws NullPointerException if {@code coordinate} or {@code kind} is null
   */
  public boolean matches(Coordinate coordinate, EventKind kind, long streamSequence) {
    return matches(coordinate.entity(), coordinate.scope(), kind, streamSequence);
  }

  /** Equal when every part is equal. */
  @Override
  public boolean equals(@Nullable Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Region)) {
      return false;
    }
    Region r = (Region) o;
    return Objects.equals(entityPrefix, r.entityPrefix)
        && Objects.equals(scope, r.scope)
        && Objects.equals(kind, r.kind)
        && category == r.category
        && sequenceFrom == r.sequenceFrom
        && sequenceTo == r.sequenceTo;
  }

  @Override
  public int hashCode() {
    return Objects.hash(entityPrefix, scope, kind, category, sequenceFrom, sequenceTo);
  }

  /**
   * A readable description, e.g. {@code Region[entity="alice", scope=*, kind=category 0x1,
   * streamSequence=3..7]}; {@code *} marks a part that is not set. Not a stable format.
   */
  @Override
  public String toString() {
    String kindText;
    if (kind != null) {
      kindText = kind.toString();
    } else if (category >= 0) {
      kindText = "category 0x" + Integer.toHexString(category).toUpperCase(Locale.ROOT);
    } else {
      kindText = "*";
    }
    return "Region[entity="
        + (entityPrefix == null ? "*" : MessageQuoting.quote(entityPrefix))
        + ", scope="
        + (scope == null ? "*" : MessageQuoting.quote(scope))
        + ", kind="
        + kindText
        + ", streamSequence="
        + (sequenceFrom < 0 ? "*" : sequenceFrom + ".." + sequenceTo)
        + "]";
  }
}
