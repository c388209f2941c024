/**
 * The deterministic, in-memory, fault-injecting filesystem simulator for batpak ({@link
 * io.batpak.fs.sim.SimStoreFs}), with its clock ({@link io.batpak.fs.sim.SimStoreClock}) and
 * entropy ({@link io.batpak.fs.sim.SimEntropy}). Published for users' own tests; its provider
 * ({@code sim}) is never selected automatically.
 */
module io.batpak.fs.sim {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.fs.spi;

  exports io.batpak.fs.sim;

  provides io.batpak.spi.StoreFsProvider with
      io.batpak.fs.sim.SimStoreFsProvider;
}
