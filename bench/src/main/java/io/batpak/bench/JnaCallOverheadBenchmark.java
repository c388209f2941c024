package io.batpak.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * The per-call cost of crossing into native code through JNA, measured on {@code getpid()}, the
 * most trivial libc call there is: direct mapping ({@link Native#register}, which the {@code posix}
 * backend uses for {@code pread}, {@code pwrite}, {@code fsync} and {@code fdatasync}), interface
 * mapping ({@link Library}, used for the variadic {@code open} and {@code fcntl}), and a Java
 * baseline that reads a field through a non-inlined call.
 *
 * <p>Run (after {@code mvn -B install -pl fs-posix && mvn -B package -pl bench}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar JnaCallOverhead -f 1 -wi 2 -i 3 -w 2s -r 3s
 * </pre>
 *
 * <p>Thread-safe: the benchmark state is shared and read-only.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class JnaCallOverheadBenchmark {

  /** {@code getpid} through JNA direct mapping. */
  static final class Direct {
    static {
      Native.register(Platform.C_LIBRARY_NAME);
    }

    private Direct() {}

    static native int getpid();
  }

  /** {@code getpid} through JNA interface mapping. */
  public interface Interface extends Library {
    /** The binding. */
    Interface INSTANCE = Native.load(Platform.C_LIBRARY_NAME, Interface.class);

    /** {@code pid_t getpid(void)}. */
    int getpid();
  }

  private final int pid = (int) ProcessHandle.current().pid();

  /** Java baseline: a field read through a call the JIT is told not to inline. */
  @Benchmark
  public int javaBaseline() {
    return readPid();
  }

  @org.openjdk.jmh.annotations.CompilerControl(
      org.openjdk.jmh.annotations.CompilerControl.Mode.DONT_INLINE)
  private int readPid() {
    return pid;
  }

  /** {@code getpid()} through a direct-mapped native method. */
  @Benchmark
  public int jnaDirect() {
    return Direct.getpid();
  }

  /** {@code getpid()} through an interface-mapped proxy. */
  @Benchmark
  public int jnaInterface() {
    return Interface.INSTANCE.getpid();
  }
}
