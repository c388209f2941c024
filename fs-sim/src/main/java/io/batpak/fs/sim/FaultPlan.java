package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * An ordered list of {@link FaultRule}s, all active at once. For each operation, every rule whose
 * kind and glob match is consulted in order (so each advances its own counter or draws its own
 * random number), and the first one that fires decides the fault; the others do nothing for that
 * operation.
 *
 * @param rules the rules, in priority order
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record FaultPlan(List<FaultRule> rules) {

  /** Copies the list and checks that it holds no {@code null}. */
  public FaultPlan {
    rules = List.copyOf(rules);
  }

  /** A plan without faults: an honest disk. */
  public static FaultPlan none() {
    return new FaultPlan(List.of());
  }

  /** A plan of the given rules. */
  public static FaultPlan of(FaultRule... rules) {
    return new FaultPlan(List.of(rules));
  }

  /** This plan with {@code rule} added last. */
  public FaultPlan with(FaultRule rule) {
    Objects.requireNonNull(rule, "rule");
    List<FaultRule> copy = new ArrayList<>(rules);
    copy.add(rule);
    return new FaultPlan(copy);
  }
}
