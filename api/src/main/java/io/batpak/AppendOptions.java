package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Per-append options. Immutable; each {@code with…} method returns a copy.
 *
 * @param expectedVersion the optimistic-concurrency check; {@link ExpectedVersion#any()} by default
 * @param idempotencyKey when set, it becomes the event id, and a retry with the same key returns
 *     the original receipt instead of appending again; {@code null} for none
 * @param correlationId the saga or request this event belongs to; {@code null} means the event's
 *     own id
 * @param causationId the event that caused this one; {@code null} for none
 * @param flags eight application-defined bits, stored and returned, never interpreted
 * @param extensions application metadata stored with the event and covered by its hash
 * @param gates atomic gates the writer runs against the stream at commit time, in order (the first
 *     denial stops them); see {@link #withGate}. For a batch each item's own gates run, and a
 *     denial of any item fails the whole batch. Gates are not stored with the event.
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record AppendOptions(
    ExpectedVersion expectedVersion,
    @Nullable IdempotencyKey idempotencyKey,
    @Nullable CorrelationId correlationId,
    @Nullable CausationId causationId,
    int flags,
    Map<ExtensionKey, Bytes> extensions,
    List<AtomicGate<?>> gates) {

  private static final AppendOptions DEFAULTS =
      new AppendOptions(ExpectedVersion.any(), null, null, null, 0, Map.of(), List.of());

  /** Validates and copies. */
  public AppendOptions {
    Objects.requireNonNull(expectedVersion, "expectedVersion");
    if (flags < 0 || flags > 0xFF) {
      throw new ValidationException("flags must fit in 8 bits (0..255), got " + flags);
    }
    Objects.requireNonNull(extensions, "extensions");
    extensions = java.util.Collections.unmodifiableMap(new TreeMap<>(extensions));
    Objects.requireNonNull(gates, "gates");
    for (int i = 0; i < gates.size(); i++) {
      Objects.requireNonNull(gates.get(i), "gates[" + i + "]");
    }
    gates = List.copyOf(gates);
  }

  /**
   * The options of earlier versions, without gates.
   *
   * @see #AppendOptions(ExpectedVersion, IdempotencyKey, CorrelationId, CausationId, int, Map,
   *     List)
   */
  public AppendOptions(
      ExpectedVersion expectedVersion,
      @Nullable IdempotencyKey idempotencyKey,
      @Nullable CorrelationId correlationId,
      @Nullable CausationId causationId,
      int flags,
      Map<ExtensionKey, Bytes> extensions) {
    this(expectedVersion, idempotencyKey, correlationId, causationId, flags, extensions, List.of());
  }

  /** No expectation, no key, no links, no flags, no extensions. */
  public static AppendOptions defaults() {
    return DEFAULTS;
  }

  /** A copy with {@code expectedVersion}. */
  public AppendOptions withExpectedVersion(ExpectedVersion expectedVersion) {
    return new AppendOptions(
        expectedVersion, idempotencyKey, correlationId, causationId, flags, extensions, gates);
  }

  /** A copy with {@code key}. */
  public AppendOptions withIdempotencyKey(@Nullable IdempotencyKey key) {
    return new AppendOptions(
        expectedVersion, key, correlationId, causationId, flags, extensions, gates);
  }

  /** A copy with {@code correlation}. */
  public AppendOptions withCorrelation(@Nullable CorrelationId correlation) {
    return new AppendOptions(
        expectedVersion, idempotencyKey, correlation, causationId, flags, extensions, gates);
  }

  /** A copy with {@code causation}. */
  public AppendOptions withCausation(@Nullable CausationId causation) {
    return new AppendOptions(
        expectedVersion, idempotencyKey, correlationId, causation, flags, extensions, gates);
  }

  /** A copy with {@code flags}. */
  public AppendOptions withFlags(int flags) {
    return new AppendOptions(
        expectedVersion, idempotencyKey, correlationId, causationId, flags, extensions, gates);
  }

  /** A copy with one more extension (replacing an earlier value for the same key). */
  public AppendOptions withExtension(ExtensionKey key, Bytes value) {
    Map<ExtensionKey, Bytes> copy = new TreeMap<>(extensions);
    copy.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    return new AppendOptions(
        expectedVersion, idempotencyKey, correlationId, causationId, flags, copy, gates);
  }

  // --- gates ---

  /**
   * A copy with one more atomic gate, run after the ones added before. The store runs the gates
   * inside its writer when it places this event, against the stream as it stands then (its version,
   * its latest event and the gate's fold, events earlier in the same group commit included); the
   * first denial fails the append with {@link GateDeniedException} and nothing is written for it. A
   * gate that throws, or runs past {@link StoreConfig#gateBudget()}, denies. Gates run after the
   * expected-version check and after idempotency: a retry of a committed keyed append returns its
   * receipt without running them again. See docs/gates.md.
   *
   * @throws NullPointerException if {@code gate} is null
   * @since 0.3
   */
  public AppendOptions withGate(AtomicGate<?> gate) {
    List<AtomicGate<?>> copy = new java.util.ArrayList<>(gates);
    copy.add(Objects.requireNonNull(gate, "gate"));
    return new AppendOptions(
        expectedVersion, idempotencyKey, correlationId, causationId, flags, extensions, copy);
  }
}
