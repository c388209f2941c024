package io.batpak.replication;

import java.lang.reflect.Parameter;
import java.util.Random;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Supplies a seeded {@link Random} parameter, prints its seed, and names the seed in a failure.
 * Replay with {@code -Dbatpak.test.seed=<seed>}.
 */
final class Seeded implements ParameterResolver, TestExecutionExceptionHandler {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(Seeded.class);

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext context) {
    Parameter parameter = p.getParameter();
    return parameter.getType() == Random.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext context) {
    Long fixed = Long.getLong("batpak.test.seed");
    long seed = fixed != null ? fixed : new Random().nextLong();
    context.getStore(NS).put("seed", seed);
    System.out.println(context.getDisplayName() + ": seed " + seed);
    return new Random(seed);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable t) throws Throwable {
    Long seed = context.getStore(NS).get("seed", Long.class);
    if (seed == null) {
      throw t;
    }
    throw new AssertionError(
        "[seed " + seed + ": rerun with -Dbatpak.test.seed=" + seed + "] " + t, t);
  }
}
