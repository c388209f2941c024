package io.batpak.gate;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ExtensionKey;
import io.batpak.ValidationException;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * Evaluate, then commit: a {@link GateSet} and the only two ways to commit with it, a {@link
 * GateReceipt} its evaluation produced ({@link #commit}) or an audited bypass ({@link #bypass},
 * {@link #commitBypass}) whose {@link BypassAudit} is stored on the committed event. Each receipt
 * commits once.
 *
 * <p>The append itself is the caller's ({@link Append}, usually a call of {@code Store.append} with
 * the options it is given), so a pipeline works with any store and any payload type. Caller-side
 * gates decide before the append is queued, so what they read may change before it commits; for
 * checks that must hold at commit time use {@link io.batpak.AtomicGate}.
 *
 * <p>Thread-safety: immutable; safe to share.
 *
 * @param <C> the context its gates decide about
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public final class Pipeline<C> {
  /** What a {@link BypassReceipt} constructor needs; only this class makes one. */
  static final class Capability {
    private Capability() {}
  }

  private static final Capability CAPABILITY = new Capability();

  /**
   * Appends a proposal's payload with the options the pipeline gives (the caller's, plus a bypass
   * audit's extensions).
   *
   * @param <T> the payload type
   */
  @FunctionalInterface
  public interface Append<T> {
    /**
     * Appends {@code payload} with {@code options} and returns the receipt.
     *
     * @param payload the proposal's payload
     * @param options the options to append with; for a bypass they carry the audit
     */
    AppendReceipt append(T payload, AppendOptions options);
  }

  private final GateSet<C> gates;

  private Pipeline(GateSet<C> gates) {
    this.gates = gates;
  }

  /**
   * A pipeline over {@code gates}.
   *
   * @throws NullPointerException if {@code gates} is null
   */
  public static <C> Pipeline<C> of(GateSet<C> gates) {
    return new Pipeline<>(Objects.requireNonNull(gates, "gates"));
  }

  /** Its gates. */
  public GateSet<C> gates() {
    return gates;
  }

  /** {@link GateSet#evaluate} of its gates. */
  public <T> GateDecision<T> evaluate(C context, Proposal<T> proposal) {
    return gates.evaluate(context, proposal);
  }

  /**
   * Commits the proposal {@code receipt} proves permitted: calls {@code append} once with its
   * payload and {@code options}.
   *
   * @return what was committed
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the receipt was issued by another gate set, or was used before
   *     (a receipt commits once; evaluate again); nothing is appended
   * @throws io.batpak.StoreException whatever {@code append} throws (the receipt is used all the
   *     same: the outcome of a failed append may be unknown)
   */
  public <T> Committed<T> commit(GateReceipt<T> receipt, AppendOptions options, Append<T> append) {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(append, "append");
    if (receipt.issuer() != gates) {
      throw new ValidationException(
          "the receipt was issued by another gate set ("
              + receipt.issuer()
              + "), not by this pipeline's "
              + gates
              + " (gate sets are told apart by identity, not by their gates' names); nothing was"
              + " appended. Evaluate the proposal with this pipeline");
    }
    if (!receipt.consume()) {
      throw new ValidationException(
          "the receipt "
              + receipt
              + " was used by an earlier commit, whose append ran whether or not it succeeded; a"
              + " receipt commits once and nothing was appended. Evaluate the proposal again for a"
              + " new receipt");
    }
    T payload = receipt.proposal().payload();
    AppendReceipt r = Objects.requireNonNull(append.append(payload, options), "append result");
    return new Committed<>(payload, r, receipt.passed(), Optional.empty());
  }

  /**
   * Permission to commit {@code proposal} without evaluating the gates, recorded by {@code audit}.
   *
   * @throws NullPointerException if an argument is null
   */
  public <T> BypassReceipt<T> bypass(Proposal<T> proposal, BypassAudit audit) {
    Objects.requireNonNull(proposal, "proposal");
    Objects.requireNonNull(audit, "audit");
    return new BypassReceipt<>(CAPABILITY, this, proposal, audit);
  }

  /**
   * Commits a bypassed proposal: calls {@code append} once with its payload and {@code options}
   * plus the audit's three extensions ({@link BypassAudit#extensions()}), so the audit is stored on
   * the event and {@link BypassAudit#of} reads it back.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the receipt is another pipeline's or was used, or {@code
   *     options} already carry a bypass key; nothing is appended
   * @throws io.batpak.StoreException whatever {@code append} throws
   */
  public <T> Committed<T> commitBypass(
      BypassReceipt<T> receipt, AppendOptions options, Append<T> append) {
    Objects.requireNonNull(receipt, "receipt");
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(append, "append");
    if (receipt.issuer() != this) {
      throw new ValidationException("the bypass receipt was issued by another pipeline");
    }
    AppendOptions audited = options;
    for (Map.Entry<ExtensionKey, Bytes> e : receipt.audit().extensions().entrySet()) {
      if (options.extensions().containsKey(e.getKey())) {
        throw new ValidationException(
            "the options already carry " + e.getKey() + "; only the bypass writes it");
      }
      audited = audited.withExtension(e.getKey(), e.getValue());
    }
    if (!receipt.consume()) {
      throw new ValidationException("the bypass receipt was committed before; it commits once");
    }
    T payload = receipt.proposal().payload();
    AppendReceipt r = Objects.requireNonNull(append.append(payload, audited), "append result");
    return new Committed<>(payload, r, java.util.List.of(), Optional.of(receipt.audit()));
  }
}
