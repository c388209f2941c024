/**
 * The ports through which the store reaches the outside world: the filesystem ({@link
 * io.batpak.port.StoreFs}), time ({@link io.batpak.port.StoreClock}), randomness ({@link
 * io.batpak.port.StoreEntropy}) and payload encoding ({@link io.batpak.port.Codec}). The engine
 * touches nothing else, which is what lets the simulator replay a whole history from a seed.
 */
@NullMarked
package io.batpak.port;

import org.jspecify.annotations.NullMarked;
