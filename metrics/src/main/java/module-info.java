/**
 * Micrometer meters for a batpak store: {@link io.batpak.metrics.BatpakMetrics} implements the
 * engine's {@link io.batpak.StoreListener} port over a {@code MeterRegistry} (docs/metrics.md, ADR
 * 0034). The core modules have no metrics dependency.
 */
module io.batpak.metrics {
  requires static transitive org.apiguardian.api;
  requires static transitive org.jspecify;
  requires transitive io.batpak.api;
  requires transitive micrometer.core;

  exports io.batpak.metrics;
}
