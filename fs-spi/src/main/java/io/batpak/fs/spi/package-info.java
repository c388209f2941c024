/**
 * What a filesystem-backend author needs: the {@link io.batpak.fs.spi.StoreFsProvider} service, the
 * resolver that picks a backend, and {@link io.batpak.fs.spi.ForwardingStoreFs}, the base for
 * decorators.
 */
package io.batpak.fs.spi;
