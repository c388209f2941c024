/**
 * What a filesystem-backend author needs besides the {@link io.batpak.spi.StoreFsProvider} service
 * (which lives in {@code io.batpak.spi} with every provider interface, and is declared in both
 * {@code module-info} and {@code META-INF/services}): {@link io.batpak.fs.spi.StoreFsResolver},
 * which picks a backend (instance, then name, then priority and probe) and explains its choice with
 * coded diagnostics, and {@link io.batpak.fs.spi.ForwardingStoreFs} and {@link
 * io.batpak.fs.spi.ForwardingFileHandle}, the bases for decorators that inject faults or observe
 * calls.
 */
@NullMarked
package io.batpak.fs.spi;

import org.jspecify.annotations.NullMarked;
