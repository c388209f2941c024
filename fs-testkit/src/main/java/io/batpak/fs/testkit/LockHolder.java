package io.batpak.fs.testkit;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.port.LockMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.spi.FsOptions;
import io.batpak.spi.StoreFsProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A tiny program that takes a lock through a {@link StoreFsProvider} found by name, so {@link
 * StoreFsContract} can prove that a lock excludes holders in <em>another process</em> and is
 * released when that process dies.
 *
 * <p>Usage: {@code java -cp ... io.batpak.fs.testkit.LockHolder <providerName> <lockFile>
 * <EXCLUSIVE|SHARED> [key=value ...]}. The optional {@code key=value} arguments become the {@link
 * FsOptions} passed to {@link StoreFsProvider#open(FsOptions)}.
 *
 * <p>Protocol on standard output, exactly one status line:
 *
 * <ul>
 *   <li>{@code LOCKED} when the lock was taken; the lock is then held until standard input reaches
 *       end of file (the parent closes it) or the process is killed;
 *   <li>{@code REFUSED <exception class name>} when {@link StoreFs#lock} threw an {@link
 *       IOException}; the program then also waits for end of input;
 *   <li>{@code ERROR <description>} when the program could not get as far as trying (bad arguments,
 *       no provider of that name, a provider that failed to open); exit status 2.
 * </ul>
 *
 * <p>The provider is looked up with {@link ServiceLoader} through this class's class loader, so the
 * child's class path (or module path) must hold the backend and its {@code META-INF/services} or
 * {@code provides} declaration.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class LockHolder {

  /** The status line printed when the lock was taken. */
  public static final String LOCKED = "LOCKED";

  /** The prefix of the status line printed when the lock was refused. */
  public static final String REFUSED = "REFUSED";

  /** The prefix of the status line printed when the program could not try to lock. */
  public static final String ERROR = "ERROR";

  private LockHolder() {}

  /**
   * Takes the lock described by {@code args}, reports on standard output, and holds the lock until
   * standard input ends.
   *
   * @param args provider name, lock file, lock mode, then optional {@code key=value} options
   */
  public static void main(String[] args) {
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    int status = run(args, out, System.in);
    out.flush();
    if (status != 0) {
      System.exit(status);
    }
  }

  /** Runs the program; returns its exit status. Package-private for tests. */
  static int run(String[] args, PrintStream out, InputStream in) {
    if (args.length < 3) {
      out.println(ERROR + " usage: LockHolder <providerName> <lockFile> <EXCLUSIVE|SHARED> [k=v]");
      return 2;
    }
    LockMode mode;
    try {
      mode = LockMode.valueOf(args[2]);
    } catch (IllegalArgumentException e) {
      out.println(ERROR + " unknown lock mode " + args[2]);
      return 2;
    }
    Map<String, String> settings = new HashMap<>();
    for (int i = 3; i < args.length; i++) {
      int eq = args[i].indexOf('=');
      if (eq <= 0) {
        out.println(ERROR + " option is not key=value: " + args[i]);
        return 2;
      }
      settings.put(args[i].substring(0, eq), args[i].substring(eq + 1));
    }
    StoreFsProvider provider;
    try {
      provider = find(args[0]);
    } catch (ServiceConfigurationError e) {
      out.println(ERROR + " provider loading failed: " + e);
      return 2;
    }
    if (provider == null) {
      out.println(ERROR + " no StoreFsProvider named " + args[0] + "; found " + names());
      return 2;
    }
    StoreFs fs;
    try {
      fs = provider.open(new FsOptions(settings));
    } catch (IOException | RuntimeException e) {
      out.println(ERROR + " provider " + args[0] + " failed to open: " + e);
      return 2;
    }
    StoreLock lock = null;
    try {
      lock = fs.lock(Path.of(args[1]), mode);
      out.println(LOCKED);
    } catch (IOException e) {
      out.println(REFUSED + " " + e.getClass().getName());
    }
    out.flush();
    try {
      byte[] sink = new byte[64];
      while (in.read(sink) >= 0) {
        // Hold until the parent closes our standard input.
      }
    } catch (IOException e) {
      // The parent went away; release and exit.
    }
    try {
      if (lock != null) {
        lock.close();
      }
      fs.close();
    } catch (IOException e) {
      out.println(ERROR + " release failed: " + e);
      return 3;
    }
    return 0;
  }

  private static @Nullable StoreFsProvider find(String name) {
    for (StoreFsProvider p :
        ServiceLoader.load(StoreFsProvider.class, LockHolder.class.getClassLoader())) {
      if (p.name().equals(name)) {
        return p;
      }
    }
    return null;
  }

  private static List<String> names() {
    List<String> names = new ArrayList<>();
    try {
      for (StoreFsProvider p :
          ServiceLoader.load(StoreFsProvider.class, LockHolder.class.getClassLoader())) {
        names.add(p.name());
      }
    } catch (ServiceConfigurationError e) {
      names.add("<" + e + ">");
    }
    return names;
  }
}
