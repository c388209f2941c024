package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.function.Function;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A gate the store runs inside its writer, at commit time, against the stream's state right then
 * ({@link GateContext}: its version, its latest event and a fold over it), attached to an append
 * with {@link AppendOptions#withGate}. Because nothing else is appended to the store while it runs,
 * "check, then append" cannot race another writer. See docs/gates.md.
 *
 * <h2>Outcomes</h2>
 *
 * A {@link GateVerdict.Deny} fails that append alone with {@link GateDeniedException} (nothing is
 * written for it, the rest of the group commits, the store stays healthy). A gate that throws is a
 * denial with code {@link Denial#GATE_DEFECT}; one that has not returned within {@link
 * StoreConfig#gateBudget()} is a denial with code {@link Denial#GATE_TIMEOUT}.
 *
 * <h2>Contract for implementers</h2>
 *
 * Decide from the context alone, quickly (every append of the group waits while a gate runs); do
 * not call the store (it would wait for itself), do no I/O, hold no locks an appender may hold.
 * Must be thread-safe: the store calls it on its gate thread.
 *
 * @param <S> the state of the gate's fold
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public interface AtomicGate<S> {

  /** The gate's name, 1 to {@value Denial#MAX_GATE_NAME} characters; names it in denials. */
  String name();

  /** The fold the store computes for {@link GateContext#state()}; {@link StreamFold#none()}. */
  StreamFold<S> fold();

  /**
   * Decides.
   *
   * @param context the proposed event and the stream at commit time
   * @return {@link GateVerdict#permit()} or a denial; never null (null counts as a defect)
   */
  GateVerdict evaluate(GateContext<S> context);

  /**
   * A gate from a name, a fold and a check.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code name} is blank or too long
   */
  static <S> AtomicGate<S> of(
      String name, StreamFold<S> fold, Function<GateContext<S>, GateVerdict> check) {
    Denial.checkGateName(Objects.requireNonNull(name, "name"));
    Objects.requireNonNull(fold, "fold");
    Objects.requireNonNull(check, "check");
    return new AtomicGate<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public StreamFold<S> fold() {
        return fold;
      }

      @Override
      public GateVerdict evaluate(GateContext<S> context) {
        return check.apply(context);
      }

      @Override
      public String toString() {
        return "AtomicGate[" + name + "]";
      }
    };
  }

  /**
   * A gate that needs no fold (only the version, the latest event and the proposed event).
   *
   * @see #of(String, StreamFold, Function)
   */
  static AtomicGate<@Nullable Void> of(
      String name, Function<GateContext<@Nullable Void>, GateVerdict> check) {
    return of(name, StreamFold.none(), check);
  }
}
