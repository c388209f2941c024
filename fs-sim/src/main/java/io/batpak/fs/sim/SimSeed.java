package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.security.SecureRandom;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Seeds for simulation tests, and the line that replays a failure. Has no test-framework
 * dependency, so it works from JUnit, TestNG or a {@code main}.
 *
 * <pre>{@code
 * long seed = SimSeed.resolve(42L);
 * SimSeed.run(seed, SimSeed.replayCommand("fs-sim", MyTest.class, "crashes", seed), s -> {
 *   SimStoreFs fs = new SimStoreFs(s);
 *   ...
 * });
 * }</pre>
 *
 * <p>Thread-safe (stateless).
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SimSeed {

  /** The system property that overrides a test's seed: {@code -Dbatpak.test.seed=N}. */
  public static final String PROPERTY = "batpak.test.seed";

  private SimSeed() {}

  /**
   * The seed to use: the value of {@code -Dbatpak.test.seed} when set, else {@code fallback}.
   *
   * @throws IllegalArgumentException if the property is set but is not a long
   */
  public static long resolve(long fallback) {
    String raw = System.getProperty(PROPERTY);
    if (raw == null || raw.isBlank()) {
      return fallback;
    }
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("-D" + PROPERTY + " must be a long, was '" + raw + "'", e);
    }
  }

  /** The value of {@code -Dbatpak.test.seed} when set, else a fresh random seed (print it!). */
  public static long resolveOrRandom() {
    return resolve(new SecureRandom().nextLong());
  }

  /**
   * The Maven command that replays one test method with {@code seed}, for example {@code mvn -B
   * test -pl fs-sim -Dtest=SimStoreFsTest#crashes -Dsurefire.failIfNoSpecifiedTests=false
   * -Dbatpak.test.seed=42}.
   *
   * @param module the Maven module ({@code -pl})
   * @param testClass the test class
   * @param method the test method, or {@code null} for the whole class
   * @param seed the seed
   */
  public static String replayCommand(
      String module, Class<?> testClass, @Nullable String method, long seed) {
    Objects.requireNonNull(module, "module");
    Objects.requireNonNull(testClass, "testClass");
    return "mvn -B test -pl "
        + module
        + " -Dtest="
        + testClass.getSimpleName()
        + (method == null ? "" : "#" + method)
        + " -Dsurefire.failIfNoSpecifiedTests=false -D"
        + PROPERTY
        + "="
        + seed;
  }

  /** A body that takes a seed and may throw anything. */
  @FunctionalInterface
  public interface SeededBody {
    /**
     * Runs with {@code seed}.
     *
     * @throws Throwable anything; {@link SimSeed#run} reports the seed with it
     */
    void run(long seed) throws Throwable;
  }

  /**
   * Runs {@code body} with {@code seed}; if it throws, the throwable is rethrown unchanged (checked
   * ones too) with a suppressed {@link SeedReport} naming the seed and {@code replayCommand}, which
   * test reports print under the failure.
   */
  public static void run(long seed, String replayCommand, SeededBody body) {
    Objects.requireNonNull(body, "body");
    try {
      body.run(seed);
    } catch (Throwable t) {
      t.addSuppressed(new SeedReport(seed, replayCommand));
      throw SimSeed.<RuntimeException>sneaky(t);
    }
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T sneaky(Throwable t) throws T {
    throw (T) t;
  }

  /**
   * Attached to a failure as a suppressed exception: which seed failed and how to replay it.
   *
   * @since 0.1
   */
  public static final class SeedReport extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long seed;

    /**
     * Creates the report.
     *
     * @param seed the seed that failed
     * @param replayCommand the command that replays it
     */
    public SeedReport(long seed, String replayCommand) {
      super("failed with seed " + seed + "; replay with: " + replayCommand, null, false, false);
      this.seed = seed;
    }

    /** The seed that failed. */
    public long seed() {
      return seed;
    }
  }
}
