/**
 * The ports through which the store reaches the outside world: the filesystem ({@link
 * io.batpak.port.StoreFs}), time ({@link io.batpak.port.StoreClock}) and randomness ({@link
 * io.batpak.port.StoreEntropy}). The engine touches nothing else, which is what lets the simulator
 * replay a whole history from a seed. Payload encoding is a plug-in found by name, {@link
 * io.batpak.spi.Codec} (ADR 0011).
 */
@NullMarked
package io.batpak.port;

import org.jspecify.annotations.NullMarked;
