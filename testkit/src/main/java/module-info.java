/**
 * The test kit for users' own tests ({@code batpak-test}): {@link io.batpak.test.BatpakTest}, a
 * JUnit Jupiter extension that gives a test a store on the simulated filesystem ({@link
 * io.batpak.test.SimStore}) with a printed seed, a replay line on failure, crash-and-reopen and
 * fault arming, and an invariant check after every test; and {@link
 * io.batpak.test.StoreFsContractTest}, which runs the {@code StoreFs} contract suite against a
 * user's own backend with the child JVM's class path set up by the kit.
 */
module io.batpak.test {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires transitive io.batpak.fs.spi;
  requires transitive io.batpak.fs.sim;
  requires transitive io.batpak.fs.testkit;
  requires transitive org.junit.jupiter.api;

  exports io.batpak.test;

  // JUnit instantiates the extensions and injects the @TempDir field of ProviderStoreFsContract.
  opens io.batpak.test to
      org.junit.platform.commons;
}
