package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apiguardian.api.API;

/**
 * Permission to commit a {@link Proposal} without its gates, with the {@link BypassAudit} that will
 * be stored on the event. Only {@link Pipeline#bypass} makes one (as {@link GateReceipt}, it cannot
 * be forged); {@link Pipeline#commitBypass} accepts it once.
 *
 * <p>Thread-safety: safe to hand between threads.
 *
 * @param <T> the proposal's payload type
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public final class BypassReceipt<T> {
  private final Pipeline<?> issuer;
  private final Proposal<T> proposal;
  private final BypassAudit audit;
  private final AtomicBoolean used = new AtomicBoolean();

  BypassReceipt(
      Pipeline.Capability capability, Pipeline<?> issuer, Proposal<T> proposal, BypassAudit audit) {
    Objects.requireNonNull(capability, "capability");
    this.issuer = issuer;
    this.proposal = proposal;
    this.audit = audit;
  }

  /** The proposal. */
  public Proposal<T> proposal() {
    return proposal;
  }

  /** The audit that will be stored on the event. */
  public BypassAudit audit() {
    return audit;
  }

  /** Whether it was committed already. */
  public boolean isUsed() {
    return used.get();
  }

  Pipeline<?> issuer() {
    return issuer;
  }

  boolean consume() {
    return used.compareAndSet(false, true);
  }
}
