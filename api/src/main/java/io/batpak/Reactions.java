package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * The follow-ups a {@link Reactor} stages for one source event, committed together as one atomic
 * batch after {@link Reactor#react} returns (nothing is written before). Valid only during that
 * call, on its thread.
 *
 * <p>Each follow-up gets correlation = the source's correlation, causation = the source's id, and
 * an idempotency key derived from the reactor's checkpoint id, the source's id and the follow-up's
 * index; options that set any of these three are refused.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public interface Reactions {

  /**
   * Stages a follow-up whose payload is stored as is.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalStateException if called after {@link Reactor#react} returned
   */
  default void append(Coordinate coordinate, EventKind kind, Bytes payload) {
    append(coordinate, kind, payload, AppendOptions.defaults());
  }

  /**
   * Stages a follow-up with options (expected version, flags, extensions, gate).
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code options} sets an idempotency key, a correlation or a
   *     causation (the reactor sets them)
   * @throws IllegalStateException if called after {@link Reactor#react} returned
   */
  void append(Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options);

  /**
   * Stages a follow-up whose payload the store's codec encodes when the batch is committed.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code value} is a {@link Bytes}
   * @throws IllegalStateException if called after {@link Reactor#react} returned
   */
  void appendEncoded(Coordinate coordinate, EventKind kind, Object value);

  /** How many follow-ups are staged. */
  int size();
}
