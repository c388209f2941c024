package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apiguardian.api.API;

/**
 * Proof that every gate of a {@link GateSet} permitted a {@link Proposal}. Only {@link
 * GateSet#evaluate} makes one: the class is final and its only constructor needs a capability only
 * {@code GateSet} holds, so code outside this package cannot forge one, and code that declares
 * itself into the package still cannot (on the module path the package cannot be split at all).
 * {@link Pipeline#commit} accepts it once.
 *
 * <p>Thread-safety: safe to hand between threads; {@link Pipeline#commit} consumes it atomically.
 *
 * @param <T> the proposal's payload type
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public final class GateReceipt<T> {
  private final GateSet<?> issuer;
  private final Proposal<T> proposal;
  private final List<String> passed;
  private final AtomicBoolean used = new AtomicBoolean();

  GateReceipt(
      GateSet.Capability capability, GateSet<?> issuer, Proposal<T> proposal, List<String> passed) {
    Objects.requireNonNull(capability, "capability");
    this.issuer = issuer;
    this.proposal = proposal;
    this.passed = List.copyOf(passed);
  }

  /** The proposal the gates permitted. */
  public Proposal<T> proposal() {
    return proposal;
  }

  /** The names of the gates that permitted it, in the order they ran (every gate of the set). */
  public List<String> passed() {
    return passed;
  }

  /** Whether a pipeline has committed with this receipt already. */
  public boolean isUsed() {
    return used.get();
  }

  GateSet<?> issuer() {
    return issuer;
  }

  /** Marks the receipt used; false if it was already. */
  boolean consume() {
    return used.compareAndSet(false, true);
  }

  @Override
  public String toString() {
    return "GateReceipt" + passed + (used.get() ? " (used)" : "");
  }
}
