/**
 * The engine's one public package: the {@link io.batpak.spi.StoreEngine} provider. Everything else
 * lives in {@code io.batpak.engine.internal.*} and is not exported.
 */
@NullMarked
package io.batpak.engine;

import org.jspecify.annotations.NullMarked;
