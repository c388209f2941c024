/**
 * The conformance kit for {@link io.batpak.port.StoreFs} backends: {@link
 * io.batpak.fs.testkit.StoreFsContract}, the abstract JUnit suite that every backend (ours and
 * users' own adapters) runs, and {@link io.batpak.fs.testkit.LockHolder}, the child process it uses
 * to prove that locks exclude other processes.
 */
module io.batpak.fs.testkit {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.fs.spi;
  requires transitive org.junit.jupiter.api;
  requires org.junit.jupiter.params;

  exports io.batpak.fs.testkit;

  // JUnit reflects over the suite's (package-private) test methods and parameter sources.
  opens io.batpak.fs.testkit to
      org.junit.platform.commons;

  uses io.batpak.spi.StoreFsProvider;
}
