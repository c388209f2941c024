package io.batpak.it.concurrency;

import static org.jetbrains.lincheck.datastructures.ManagedStrategyGuaranteeKt.forClasses;

import io.batpak.Durability;
import org.jetbrains.lincheck.datastructures.ModelCheckingOptions;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.junit.jupiter.api.Test;

/**
 * Lincheck checks that the store's concurrent operations ({@link StoreActors}) are linearizable
 * with respect to {@link StoreModel}, the sequential specification.
 *
 * <p>Model checking covers deterministic mode (the appending threads commit the queue themselves
 * under the commit lock); stress mode covers the threaded committer, its completion thread and the
 * self-commit path. The threaded committer cannot be model checked by Lincheck 3.7: the
 * data-structure API builds the test instance, and so opens the store and starts the committer, on
 * its unmanaged runner thread, after which a signal from a managed actor never reaches the
 * unmanaged committer and {@code close()} waits for it forever; and {@code
 * Lincheck.runConcurrentTest}, where threads started inside the test are managed, refuses every
 * {@code java.nio.file.Path} call from analysed code ("File operations are not supported in
 * Lincheck"), which opening a store makes. {@code docs/testing.md} has the details.
 *
 * <p>{@code -Dbatpak.lincheck.iterations=N} (scenarios) and {@code -Dbatpak.lincheck.invocations=N}
 * (interleavings or runs per scenario) scale both tests.
 */
class StoreLincheckIT {

  /** Deterministic mode: every appending thread commits the queue itself under the commit lock. */
  public static final class DeterministicDurable extends StoreActors {
    /** Opens the store. */
    public DeterministicDurable() {
      super(true, Durability.DURABLE);
    }
  }

  /** Threaded mode: the committer thread and the completion thread, durable appends. */
  public static final class ThreadedDurable extends StoreActors {
    /** Opens the store. */
    public ThreadedDurable() {
      super(false, Durability.DURABLE);
    }
  }

  /** Threaded mode, {@code VISIBLE} durability (an fsync every 2 events or 10 ms). */
  public static final class ThreadedVisible extends StoreActors {
    /** Opens the store. */
    public ThreadedVisible() {
      super(false, Durability.VISIBLE);
    }
  }

  static int iterations(int fallback) {
    return Integer.getInteger("batpak.lincheck.iterations", fallback);
  }

  static int invocations(int fallback) {
    return Integer.getInteger("batpak.lincheck.invocations", fallback);
  }

  /**
   * Code Lincheck runs as one atomic step, without switch points inside: the simulator and the
   * backend decorators (every call takes the simulator's one mutex, so it is atomic anyway, and
   * Lincheck refuses any {@code java.nio.file.Path} call from analysed code), the journal (its
   * writes and syncs run under the commit lock; its reads are positional reads of immutable bytes),
   * the pure functions that encode, decode and hash frames (BLAKE3 from Bouncy Castle is far too
   * slow to trace byte by byte), and the index checkpoint's writer with the authority-file envelope
   * (written on close with the commit path quiet; it names its files with {@code Path} calls).
   */
  static boolean runsUnanalysed(String className) {
    return className.startsWith("io.batpak.fs.")
        || className.startsWith("io.batpak.engine.internal.format.")
        || className.startsWith("io.batpak.engine.internal.artifact.")
        || className.startsWith("org.bouncycastle.")
        || className.equals("io.batpak.engine.internal.segment.Journal")
        || className.equals("io.batpak.engine.internal.index.IndexCheckpoint")
        || className.equals("io.batpak.engine.internal.index.IndexImage");
  }

  /**
   * The wall-clock backstop of one model-checking invocation. Lincheck instruments a class lazily,
   * by retransforming it inside the first invocation that reaches it, and its timer counts that
   * work: on two cores at load 11 one invocation spent over Lincheck's default 30 s in ASM,
   * retransforming {@code Sequencer} on its first read, with the other actor parked on Lincheck's
   * scheduler, and was reported as "the execution has hung". Model checking finds a real deadlock
   * or live-lock from the schedule (every thread blocked, or a spin past the hang threshold), not
   * from this timer, so a longer backstop hides nothing. The stress tests keep the default: there
   * the timer is the only hang detector. ({@code invocationTimeout} is Kotlin-internal in Lincheck
   * 3.7, hence the mangled name.)
   */
  private static final long MODEL_CHECKING_INVOCATION_TIMEOUT_MS = 300_000;

  @Test
  void deterministicModeIsLinearizableUnderModelChecking() {
    new ModelCheckingOptions()
        .threads(2)
        .actorsPerThread(2)
        .actorsBefore(1)
        .actorsAfter(1)
        .iterations(iterations(2)) // about 90 s on two loaded cores: most of it is instrumentation
        .invocationsPerIteration(invocations(20))
        .sequentialSpecification(StoreModel.class)
        .addGuarantee(forClasses(StoreLincheckIT::runsUnanalysed).allMethods().ignore())
        .invocationTimeout$lincheck(MODEL_CHECKING_INVOCATION_TIMEOUT_MS)
        .check(DeterministicDurable.class);
  }

  @Test
  void threadedDurableIsLinearizableUnderStress() {
    stress().check(ThreadedDurable.class);
  }

  @Test
  void threadedVisibleIsLinearizableUnderStress() {
    stress().check(ThreadedVisible.class);
  }

  private static StressOptions stress() {
    return new StressOptions()
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(1)
        .iterations(iterations(10))
        .invocationsPerIteration(invocations(100))
        .sequentialSpecification(StoreModel.class);
  }
}
