/**
 * The JNA-based {@code posix} filesystem backend (and, in this module too, the pure NIO {@code nio}
 * fallback).
 *
 * <p>{@code com.sun.jna} (JNA's automatic module name) is required, not {@code requires static}:
 * Maven always brings {@code jna.jar} along with this module, and on the module path a static
 * dependency is not resolved unless something else requires it, so {@code posix} would quietly lose
 * to {@code nio} (and its weaker, fcntl-only lock) for every module-path user who did not add
 * {@code --add-modules com.sun.jna}. A store that silently changes lock family is worse than a
 * resolution error that names the missing module. On the class path, where {@code jna.jar} can be
 * missing, the provider still loads and its probe says so.
 *
 * <p>The internal package is opened to JNA, which reads and writes the fields of {@code struct
 * flock} reflectively.
 */
module io.batpak.fs.posix {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.fs.spi;
  requires com.sun.jna;

  exports io.batpak.fs.posix;
  exports io.batpak.fs.nio;

  opens io.batpak.fs.posix.internal to
      com.sun.jna;

  provides io.batpak.spi.StoreFsProvider with
      io.batpak.fs.posix.PosixStoreFsProvider,
      io.batpak.fs.nio.NioStoreFsProvider;
}
