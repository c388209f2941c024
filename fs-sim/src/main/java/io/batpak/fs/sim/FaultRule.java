package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import java.util.regex.Pattern;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One fault to inject, as data: which operations it matches (kind and path glob), when it fires
 * among them ({@link FaultTrigger}) and what it does ({@link FaultAction}).
 *
 * <p><b>Globs</b> match the normalised absolute path string (for example {@code /sim/store/seg-1}):
 * {@code *} matches within one path component, {@code **} across components, {@code ?} one
 * character other than {@code /}, and {@code {a,b}} either alternative; everything else is literal.
 * {@code "**"} matches every path. Rename, copy and publish match if either of their two paths
 * matches; a publish's steps match on their own path (the temporary file for its sync, both paths
 * for its rename, the directory for its directory sync).
 *
 * @param op the operation kind, or {@code null} for every kind (then the action must be {@link
 *     FaultAction.Fail}, {@link FaultAction.CrashBefore} or {@link FaultAction.CrashAfter})
 * @param glob the path glob
 * @param trigger when it fires
 * @param action what it does; must apply to {@code op}
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record FaultRule(@Nullable FsOp op, String glob, FaultTrigger trigger, FaultAction action) {

  /** Validates the rule and checks that the action applies to the operation kind. */
  public FaultRule {
    Objects.requireNonNull(glob, "glob");
    Objects.requireNonNull(trigger, "trigger");
    Objects.requireNonNull(action, "action");
    if (op == null) {
      if (action.appliesTo().size() != FsOp.values().length) {
        throw new IllegalArgumentException(
            "a rule for every operation kind can only fail or crash, not " + action);
      }
    } else if (!action.appliesTo().contains(op)) {
      throw new IllegalArgumentException(
          action + " does not apply to " + op + "; it applies to " + action.appliesTo());
    }
    globRegex(glob); // fails early on a malformed glob
  }

  /** A rule on {@code op} for every path. */
  public static FaultRule on(FsOp op, FaultTrigger trigger, FaultAction action) {
    return new FaultRule(op, "**", trigger, action);
  }

  /** A rule on {@code op} for the paths matching {@code glob}. */
  public static FaultRule on(FsOp op, String glob, FaultTrigger trigger, FaultAction action) {
    return new FaultRule(op, glob, trigger, action);
  }

  /**
   * A power loss just before the {@code nth} operation of any kind (1-based, counted from when the
   * rule is installed; control calls such as {@code CLOSE} and {@code CRASH} do not count). For
   * crashing at every point of a run, for instance of a recovery.
   */
  public static FaultRule crashBeforeNth(long nth) {
    return new FaultRule(null, "**", FaultTrigger.nth(nth), FaultAction.crashBefore());
  }

  /** Whether {@code path} (normalised) matches this rule's glob. */
  public boolean matchesPath(String path) {
    return "**".equals(glob) || globRegex(glob).matcher(path).matches();
  }

  /** Whether this rule applies to operations of kind {@code kind}. */
  public boolean matchesOp(FsOp kind) {
    return op == null || op == kind;
  }

  static Pattern globRegex(String glob) {
    StringBuilder re = new StringBuilder();
    int depth = 0;
    for (int i = 0; i < glob.length(); i++) {
      char c = glob.charAt(i);
      switch (c) {
        case '*':
          if (i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
            i++;
            if (i + 1 < glob.length() && glob.charAt(i + 1) == '/') {
              i++;
              re.append("(?:.*/)?");
            } else {
              re.append(".*");
            }
          } else {
            re.append("[^/]*");
          }
          break;
        case '?':
          re.append("[^/]");
          break;
        case '{':
          depth++;
          re.append("(?:");
          break;
        case '}':
          if (depth == 0) {
            throw new IllegalArgumentException("unbalanced '}' in glob " + glob);
          }
          depth--;
          re.append(')');
          break;
        case ',':
          re.append(depth > 0 ? "|" : ",");
          break;
        default:
          re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    if (depth != 0) {
      throw new IllegalArgumentException("unbalanced '{' in glob " + glob);
    }
    return Pattern.compile(re.toString());
  }
}
