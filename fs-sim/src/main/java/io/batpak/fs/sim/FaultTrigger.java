package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * When a {@link FaultRule} fires, among the operations that match its kind and path glob.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public sealed interface FaultTrigger {

  /**
   * Fires on the {@code n}-th matching operation only (1-based), counted from when the rule was
   * installed; earlier and later matching operations pass. This is the reference's one-shot
   * semantics.
   *
   * @param n the occurrence, at least 1
   */
  record Nth(long n) implements FaultTrigger {
    /** Validates {@code n}. */
    public Nth {
      if (n < 1) {
        throw new IllegalArgumentException("n must be at least 1 (1-based), was " + n);
      }
    }
  }

  /**
   * Fires on each matching operation with probability {@code p}, drawn from the simulator's seeded
   * generator (one draw per matching operation), so a seed fixes the schedule.
   *
   * @param p the probability, in {@code [0, 1]}
   */
  record Probability(double p) implements FaultTrigger {
    /** Validates {@code p}. */
    public Probability {
      if (!(p >= 0.0 && p <= 1.0)) {
        throw new IllegalArgumentException("p must be in [0, 1], was " + p);
      }
    }
  }

  /**
   * Fires on every matching operation whose op-log sequence number is greater than {@code k}: a
   * device that goes bad after operation {@code k}. {@code AfterOp(0)} fires always.
   *
   * @param k the last sequence number that passes, at least 0
   */
  record AfterOp(long k) implements FaultTrigger {
    /** Validates {@code k}. */
    public AfterOp {
      if (k < 0) {
        throw new IllegalArgumentException("k must not be negative, was " + k);
      }
    }
  }

  /** The {@code n}-th matching operation (1-based). */
  static FaultTrigger nth(long n) {
    return new Nth(n);
  }

  /** Each matching operation with probability {@code p}. */
  static FaultTrigger probability(double p) {
    return new Probability(p);
  }

  /** Every matching operation after operation {@code k} of the op log. */
  static FaultTrigger afterOp(long k) {
    return new AfterOp(k);
  }

  /** Every matching operation. */
  static FaultTrigger always() {
    return new AfterOp(0);
  }
}
