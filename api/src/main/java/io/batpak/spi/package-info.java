/**
 * Service interfaces for implementations of the store, not for applications: {@link
 * io.batpak.spi.StoreEngine}, {@link io.batpak.spi.CodecProvider} and {@link
 * io.batpak.spi.StoreFsProvider} (with its {@link io.batpak.spi.ProbeResult} and {@link
 * io.batpak.spi.FsOptions}), all {@link io.batpak.spi.NamedProvider}s, and {@link
 * io.batpak.spi.ProviderLoader}, the one strict loader that finds all three and refuses broken,
 * duplicate and tied providers with coded diagnostics.
 */
@NullMarked
package io.batpak.spi;

import org.jspecify.annotations.NullMarked;
