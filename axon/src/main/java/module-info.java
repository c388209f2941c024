/**
 * Axon Framework 4's {@code EventStorageEngine} on a batpak {@code Store} (docs/axon.md, ADR 0032).
 */
module io.batpak.axon {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires java.management;
  requires transitive org.axonframework.eventsourcing;
  requires transitive org.axonframework.messaging;
  requires transitive org.axonframework.modelling;
  requires transitive org.axonframework.config;

  exports io.batpak.axon;
}
