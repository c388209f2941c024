package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.function.BiFunction;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A left fold over one stream's events, in stream order, which the writer computes for an {@link
 * AtomicGate} at commit time: {@code apply(...apply(apply(initial(), e0), e1)..., en)}.
 *
 * <h2>Contract</h2>
 *
 * {@link #apply} must be a pure function of its arguments: it must not mutate {@code state} (return
 * a new value), must not call the store, and must give the same result for the same arguments. The
 * store caches the state it computed per stream and per fold <em>instance</em> (identity), keyed by
 * the number of events folded, and only folds the events appended since on the next gated append:
 * reuse one fold instance (a constant) for a cost of O(new events) per append. A new instance each
 * time costs a fold over the whole stream each time. Events of a fence that is still open, and
 * events earlier in the same group commit, are folded into a copy and never cached.
 *
 * <p>Thread-safety: called on the store's gate thread, one call at a time per store; the state
 * values are shared between calls, so they should be immutable.
 *
 * @param <S> the state
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public interface StreamFold<S> {

  /** The state of an empty stream. */
  S initial();

  /**
   * The state after {@code event}.
   *
   * @param state the state after the stream's earlier events
   * @param event the next event of the stream, header and payload
   */
  S apply(S state, StoredEvent event);

  /**
   * A fold from an initial state and a step function.
   *
   * @throws NullPointerException if an argument is null
   */
  static <S> StreamFold<S> of(S initial, BiFunction<S, StoredEvent, S> step) {
    Objects.requireNonNull(initial, "initial");
    Objects.requireNonNull(step, "step");
    return new StreamFold<>() {
      @Override
      public S initial() {
        return initial;
      }

      @Override
      public S apply(S state, StoredEvent event) {
        return step.apply(state, event);
      }
    };
  }

  /**
   * The fold that reads nothing: its state is always {@code null}, and the store skips reading the
   * stream for it. For gates that need only the version and the latest event.
   */
  static StreamFold<@Nullable Void> none() {
    return NoFold.INSTANCE;
  }
}

/** {@link StreamFold#none()}. */
enum NoFold implements StreamFold<@Nullable Void> {
  INSTANCE;

  @Override
  public @Nullable Void initial() {
    return null;
  }

  @Override
  public @Nullable Void apply(@Nullable Void state, StoredEvent event) {
    return null;
  }
}
