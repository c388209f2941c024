/**
 * Fake providers of every kind ({@link io.batpak.spi.StoreFsProvider}s, {@link
 * io.batpak.spi.StoreEngine}s and {@link io.batpak.spi.CodecProvider}s) for the ServiceLoader
 * scenarios. They are copied into a temporary directory next to a generated {@code
 * META-INF/services} file, or listed in a services file served by a scenario's class loader, and no
 * services file on the test class path lists them, so no other test discovers them.
 */
package io.batpak.it.fakes;
