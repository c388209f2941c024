/**
 * Fake {@link io.batpak.spi.StoreFsProvider}s for the ServiceLoader scenarios. They are copied into
 * a temporary directory next to a generated {@code META-INF/services} file, and no services file on
 * the test class path lists them, so no other test discovers them.
 */
package io.batpak.it.fakes;
