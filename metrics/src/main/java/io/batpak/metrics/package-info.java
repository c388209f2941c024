/** Micrometer meters for a batpak store ({@link io.batpak.metrics.BatpakMetrics}). */
@NullMarked
package io.batpak.metrics;

import org.jspecify.annotations.NullMarked;
