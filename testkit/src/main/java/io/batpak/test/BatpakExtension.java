package io.batpak.test;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.OutcomeUnknownException;
import io.batpak.fs.sim.SimSeed;
import java.lang.reflect.Method;
import java.security.SecureRandom;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * The extension behind {@link BatpakTest}: one seed per test, the parameters drawn from it, the
 * replay line on failure and the invariant check after the test.
 *
 * <p>Public only because JUnit instantiates it; use {@link BatpakTest}, not this class.
 */
@API(status = INTERNAL, since = "0.1")
public final class BatpakExtension
    implements ParameterResolver, TestExecutionExceptionHandler, AfterEachCallback {

  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(BatpakExtension.class);

  /** One test's seed and, once asked for, its store. */
  private static final class State {
    final long seed;
    @Nullable SimStore sim;

    State(long seed) {
      this.seed = seed;
    }
  }

  /** Created by JUnit, through {@link BatpakTest}. */
  public BatpakExtension() {}

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == SimStore.class || type == Random.class || type == SplittableRandom.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    State state = state(context);
    Class<?> type = parameter.getParameter().getType();
    if (type == SimStore.class) {
      if (state.sim == null) {
        state.sim = new SimStore(state.seed);
      }
      return state.sim;
    }
    return type == Random.class ? new Random(state.seed) : new SplittableRandom(state.seed);
  }

  @Override
  public void handleTestExecutionException(ExtensionContext context, Throwable failure)
      throws Throwable {
    State state = existing(context);
    if (state != null) {
      String replay = replay(context, state.seed);
      System.err.println(
          name(context) + " failed with seed " + state.seed + "; replay with: " + replay);
      failure.addSuppressed(new SimSeed.SeedReport(state.seed, replay));
    }
    throw failure;
  }

  @Override
  public void afterEach(ExtensionContext context) {
    State state = existing(context);
    SimStore sim = state == null ? null : state.sim;
    if (sim == null || !sim.opened()) {
      return;
    }
    try {
      if (context.getExecutionException().isEmpty() && invariantCheck(context)) {
        List<String> problems = InvariantCheck.run(sim);
        if (!problems.isEmpty()) {
          String replay = replay(context, state.seed);
          AssertionError error =
              new AssertionError(
                  "batpak invariant check after "
                      + name(context)
                      + " (seed "
                      + state.seed
                      + "; close, power loss, reopen): "
                      + problems.size()
                      + " problem(s); replay with: "
                      + replay
                      + problems.stream()
                          .limit(InvariantCheck.LISTED)
                          .collect(Collectors.joining("\n  - ", "\n  - ", "")));
          error.addSuppressed(new SimSeed.SeedReport(state.seed, replay));
          throw error;
        }
      } else {
        release(context, sim);
      }
    } finally {
      sim.closeFs();
    }
  }

  /** Closes a store the test left open when no check runs. */
  private static void release(ExtensionContext context, SimStore sim) {
    RecordingStore running = sim.running();
    sim.forgetRunning();
    if (running == null || running.isClosed() || sim.fs().isFrozen()) {
      return;
    }
    try {
      running.proxy().close();
    } catch (OutcomeUnknownException e) {
      // The test poisoned its store and switched the check off, or failed: say so, do not hide
      // the test's own outcome.
      System.err.println(name(context) + ": closing the store after the test: " + e);
    } catch (RuntimeException e) {
      if (context.getExecutionException().isEmpty()) {
        throw e;
      }
      System.err.println(name(context) + ": closing the store after the test: " + e);
    }
  }

  private static boolean invariantCheck(ExtensionContext context) {
    Method method = context.getRequiredTestMethod();
    BatpakTest onMethod = method.getAnnotation(BatpakTest.class);
    if (onMethod != null) {
      return onMethod.invariantCheck();
    }
    BatpakTest onClass = context.getRequiredTestClass().getAnnotation(BatpakTest.class);
    return onClass == null || onClass.invariantCheck();
  }

  private static String replay(ExtensionContext context, long seed) {
    return ReplayCommand.of(
        context.getRequiredTestClass(),
        context.getTestMethod().map(Method::getName).orElse(null),
        seed);
  }

  /** {@code Class#method}, as {@code -Dtest} spells it. */
  private static String name(ExtensionContext context) {
    return context.getRequiredTestClass().getSimpleName()
        + context.getTestMethod().map(m -> "#" + m.getName()).orElse("");
  }

  private static State state(ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .computeIfAbsent(
            State.class,
            k -> {
              long seed = SimSeed.resolve(new SecureRandom().nextLong());
              System.out.println(
                  name(context)
                      + ": seed "
                      + seed
                      + " (-D"
                      + BatpakTest.SEED_PROPERTY
                      + "="
                      + seed
                      + " replays it)");
              return new State(seed);
            },
            State.class);
  }

  private static @Nullable State existing(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(State.class, State.class);
  }
}
