package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * A read model computed from events: a left fold {@code apply(...apply(apply(initial(), e0),
 * e1)..., en)} over the visible events of one stream ({@link Store#project(String, Projection)}) or
 * of a region ({@link Store#project(Region, Projection)}), in order. See docs/projections.md.
 *
 * <h2>Identity</h2>
 *
 * {@link #id()} is a stable name chosen by the application (never derived from a class or its hash,
 * which change between builds): 1 to 128 characters of {@code [A-Za-z0-9._-]}. Together with {@link
 * #schemaVersion()} it names the projection's cached state (the projection cache, {@link
 * StoreConfig#projectionCache()}): bump the schema version whenever {@link #apply} or the state's
 * shape changes, and the cached states of the old version are ignored (and replaced).
 *
 * <h2>What it reads</h2>
 *
 * {@link #kinds()} lists the event kinds {@link #apply} is called for; the empty set means every
 * kind. Events of a cancelled visibility fence never reach {@code apply}; events compaction dropped
 * are skipped; a tombstoned event is an event of kind {@link EventKind#TOMBSTONE} with an empty
 * payload and reaches {@code apply} when the kinds are empty or contain {@code TOMBSTONE}. When
 * {@link #readsPayloads()} is false, {@code apply} gets every event with an empty payload (its
 * header is complete, {@link EventHeader#payloadSize()} included) and the store never copies a
 * payload for it.
 *
 * <h2>Contract</h2>
 *
 * {@code apply} must be a pure function of its arguments: it must not mutate {@code state} (return
 * a new value), must not call the store, and must give the same result for the same arguments, so
 * that a fold resumed from a cached state equals a fold from the start. It runs on the calling
 * thread, one call at a time per projection call; states should be immutable. An exception thrown
 * by {@code apply} propagates to the caller of {@code project} unchanged.
 *
 * @param <S> the state
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public interface Projection<S> {

  /** The longest id: 128 characters. */
  int MAX_ID_LENGTH = 128;

  /**
   * The stable id: 1 to {@value #MAX_ID_LENGTH} characters of {@code [A-Za-z0-9._-]}; checked by
   * every {@code project} call ({@link #checkId}).
   */
  String id();

  /** The schema version of the state and the fold, at least 0. */
  int schemaVersion();

  /** The kinds {@link #apply} is called for; empty for every kind. */
  Set<EventKind> kinds();

  /** The state before the first event. */
  S initial();

  /**
   * The state after {@code event}.
   *
   * @param state the state after the earlier events
   * @param event the next event (with an empty payload when {@link #readsPayloads()} is false)
   */
  S apply(S state, StoredEvent event);

  /** The state's class, which the store's codec decodes a cached state as. */
  Class<S> stateType();

  /**
   * Whether {@link #apply} reads payloads; when false every event reaches it with an empty payload
   * and the store skips copying payloads (a headers-only replay). True by default.
   */
  default boolean readsPayloads() {
    return true;
  }

  /**
   * This projection reading headers only: the same id, schema version, kinds and fold, with {@link
   * #readsPayloads()} false.
   */
  default Projection<S> headersOnly() {
    Projection<S> self = this;
    return new Projection<>() {
      @Override
      public String id() {
        return self.id();
      }

      @Override
      public int schemaVersion() {
        return self.schemaVersion();
      }

      @Override
      public Set<EventKind> kinds() {
        return self.kinds();
      }

      @Override
      public S initial() {
        return self.initial();
      }

      @Override
      public S apply(S state, StoredEvent event) {
        return self.apply(state, event);
      }

      @Override
      public Class<S> stateType() {
        return self.stateType();
      }

      @Override
      public boolean readsPayloads() {
        return false;
      }
    };
  }

  /**
   * A projection from its parts, reading payloads (see {@link #headersOnly()}).
   *
   * @param id the stable id ({@link #checkId})
   * @param schemaVersion at least 0
   * @param kinds the kinds to fold; empty for every kind (copied)
   * @param initial the initial state
   * @param stateType the state's class
   * @param step the fold step, a pure function
   * @throws NullPointerException if an argument or a kind is null, naming it
   * @throws ValidationException if the id is invalid or the schema version negative, naming the
   *     value
   */
  static <S> Projection<S> of(
      String id,
      int schemaVersion,
      Set<EventKind> kinds,
      S initial,
      Class<S> stateType,
      BiFunction<S, StoredEvent, S> step) {
    checkId(Objects.requireNonNull(id, "id must not be null"));
    Objects.requireNonNull(kinds, "kinds must not be null");
    Objects.requireNonNull(initial, "initial must not be null");
    Objects.requireNonNull(stateType, "stateType must not be null");
    Objects.requireNonNull(step, "step must not be null");
    if (schemaVersion < 0) {
      throw new ValidationException(
          "projection '" + id + "': schemaVersion must be at least 0, got " + schemaVersion);
    }
    Set<EventKind> copy = Set.copyOf(kinds);
    return new Projection<>() {
      @Override
      public String id() {
        return id;
      }

      @Override
      public int schemaVersion() {
        return schemaVersion;
      }

      @Override
      public Set<EventKind> kinds() {
        return copy;
      }

      @Override
      public S initial() {
        return initial;
      }

      @Override
      public S apply(S state, StoredEvent event) {
        return step.apply(state, event);
      }

      @Override
      public Class<S> stateType() {
        return stateType;
      }

      @Override
      public String toString() {
        return "Projection[" + id + " v" + schemaVersion + "]";
      }
    };
  }

  /**
   * Checks a projection id.
   *
   * @return {@code id}
   * @throws NullPointerException if {@code id} is null
   * @throws ValidationException if it is empty, longer than {@value #MAX_ID_LENGTH} characters or
   *     holds a character outside {@code [A-Za-z0-9._-]}; the message quotes it
   */
  static String checkId(String id) {
    Objects.requireNonNull(id, "id must not be null");
    if (!ProjectionIds.VALID.matcher(id).matches()) {
      String shown = id.length() > 200 ? id.substring(0, 200) + "..." : id;
      throw new ValidationException(
          "invalid projection id '"
              + shown
              + "' ("
              + id.length()
              + " characters): an id is 1 to "
              + MAX_ID_LENGTH
              + " characters of [A-Za-z0-9._-], chosen once and kept stable (it names the"
              + " projection's cached state); for example 'orders.totals'");
    }
    return id;
  }
}

/** The id pattern of {@link Projection#checkId}. */
final class ProjectionIds {
  static final Pattern VALID =
      Pattern.compile("[A-Za-z0-9._-]{1," + Projection.MAX_ID_LENGTH + "}");

  private ProjectionIds() {}
}
