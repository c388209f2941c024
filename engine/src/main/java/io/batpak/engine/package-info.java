/**
 * The engine's one public package: the {@link io.batpak.spi.StoreEngine} provider, {@link
 * io.batpak.engine.Repair} and the diagnostic {@link io.batpak.engine.FrameLocation}. Everything
 * else lives in {@code io.batpak.engine.internal.*} and is not exported.
 */
@NullMarked
package io.batpak.engine;

import org.jspecify.annotations.NullMarked;
