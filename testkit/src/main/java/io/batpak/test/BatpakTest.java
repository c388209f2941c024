package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class (or one method) with the batpak test kit. A test method may then declare
 * parameters of these types, all drawn from one seed per test:
 *
 * <ul>
 *   <li>{@link SimStore}: a store on the simulated filesystem ({@code SimStoreFs}, {@code
 *       SimStoreClock}, {@code SimEntropy}, deterministic mode), with crash-and-reopen and fault
 *       arming;
 *   <li>{@link java.util.Random} and {@link java.util.SplittableRandom}: generators for
 *       property-style tests.
 * </ul>
 *
 * <p><b>Seed.</b> The seed is the value of the system property {@value #SEED_PROPERTY} when it is
 * set, else a fresh random one. It is printed when the test starts, and when the test fails the
 * failure carries (as a suppressed {@code SimSeed.SeedReport}) and prints the one-line Maven
 * command that replays the test with that seed.
 *
 * <p><b>Invariant check.</b> After each test that opened a {@link SimStore}, and after its
 * {@code @AfterEach} methods, the kit removes every fault, closes the store, simulates a power loss
 * ({@code CrashProfile.SECTOR}), reopens the store and checks that every receipt the test was given
 * by the kit's store verifies ({@code Store.verifyReceipt}), that each such event reads back with
 * the sequences of its receipt, and that {@code Store.verifyAll} finds no problem. A test that
 * loses an acknowledged event on purpose (for example with a lying fsync) switches the check off
 * with {@code @BatpakTest(invariantCheck = false)} on its method; on a method the annotation
 * replaces the class's.
 *
 * <p>Tests of one class may run in parallel: each test has its own {@link SimStore}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(BatpakExtension.class)
public @interface BatpakTest {

  /**
   * The system property that fixes the seed of every test in the run: {@value}. The one seed
   * property of the whole project (the simulator's {@code SimSeed} reads it too).
   */
  String SEED_PROPERTY = "batpak.test.seed";

  /**
   * Whether the invariant check runs after the test (see the class documentation); true unless a
   * test loses acknowledged events on purpose.
   *
   * @return false to switch the check off
   */
  boolean invariantCheck() default true;
}
