package io.batpak.fs.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Decides which fault, if any, an operation meets: the rules of the {@link FaultPlan}, all active
 * at once, each with its own counter, then the one-shot slot of {@link SimStoreFs#armFaultOn}.
 * Every matching rule counts the operation; the first one whose trigger fires chooses the action.
 * Probabilistic triggers draw from the simulator's seeded generator.
 *
 * <p>Not thread-safe: the simulator calls it under its one lock.
 */
final class FaultInjector {

  /** The rules and their counters at one instant, for a {@link SimSnapshot}. */
  record Saved(List<FaultRule> rules, long[] counts, FaultRule armedRule, long armedCount) {}

  /** A rule with its own counter. */
  private static final class ActiveRule {
    final FaultRule rule;
    final Pattern pattern;
    long count;

    ActiveRule(FaultRule rule, long count) {
      this.rule = rule;
      this.pattern = "**".equals(rule.glob()) ? null : FaultRule.globRegex(rule.glob());
      this.count = count;
    }

    boolean matchesPath(String path) {
      return pattern == null || pattern.matcher(path).matches();
    }
  }

  private final Rng rng;
  private List<ActiveRule> rules = new ArrayList<>();
  private ActiveRule armed;

  FaultInjector(Rng rng, FaultPlan plan) {
    this.rng = rng;
    setPlan(plan);
  }

  /** Replaces every rule of the plan; counters start at zero, the armed slot is kept. */
  void setPlan(FaultPlan plan) {
    List<ActiveRule> fresh = new ArrayList<>();
    for (FaultRule r : plan.rules()) {
      fresh.add(new ActiveRule(r, 0));
    }
    rules = fresh;
  }

  void add(FaultRule rule) {
    List<ActiveRule> copy = new ArrayList<>(rules);
    copy.add(new ActiveRule(rule, 0));
    rules = copy;
  }

  /** The rules of the plan, without the armed slot. */
  FaultPlan plan() {
    List<FaultRule> out = new ArrayList<>();
    for (ActiveRule r : rules) {
      out.add(r.rule);
    }
    return new FaultPlan(out);
  }

  /** Puts {@code rule} in the one-shot slot, replacing what was there, its counter at zero. */
  void arm(FaultRule rule) {
    armed = new ActiveRule(rule, 0);
  }

  void clear() {
    rules = new ArrayList<>();
    armed = null;
  }

  /**
   * The action operation {@code seq} of kind {@code op} on {@code p1} (and {@code p2}, or null)
   * meets, or null; counts it in every matching rule.
   */
  FaultAction evaluate(FsOp op, String p1, String p2, long seq) {
    FaultAction chosen = null;
    int n = rules.size();
    for (int i = 0; i <= n; i++) {
      ActiveRule r = i < n ? rules.get(i) : armed;
      if (r == null || !r.rule.matchesOp(op)) {
        continue;
      }
      if (!r.matchesPath(p1) && (p2 == null || !r.matchesPath(p2))) {
        continue;
      }
      boolean fires;
      FaultTrigger t = r.rule.trigger();
      if (t instanceof FaultTrigger.Nth) {
        r.count++;
        fires = r.count == ((FaultTrigger.Nth) t).n();
      } else if (t instanceof FaultTrigger.Probability) {
        fires = rng.nextDouble() < ((FaultTrigger.Probability) t).p();
      } else {
        fires = seq > ((FaultTrigger.AfterOp) t).k();
      }
      if (fires && chosen == null) {
        chosen = r.rule.action();
      }
    }
    return chosen;
  }

  Saved save() {
    long[] counts = new long[rules.size()];
    List<FaultRule> rs = new ArrayList<>(rules.size());
    for (int i = 0; i < counts.length; i++) {
      counts[i] = rules.get(i).count;
      rs.add(rules.get(i).rule);
    }
    return new Saved(
        List.copyOf(rs),
        counts,
        armed == null ? null : armed.rule,
        armed == null ? 0 : armed.count);
  }

  void restore(Saved saved) {
    List<ActiveRule> rs = new ArrayList<>();
    for (int i = 0; i < saved.rules().size(); i++) {
      rs.add(new ActiveRule(saved.rules().get(i), saved.counts()[i]));
    }
    rules = rs;
    armed =
        saved.armedRule() == null ? null : new ActiveRule(saved.armedRule(), saved.armedCount());
  }
}
