/** Service interfaces for implementations of the store, not for applications. */
package io.batpak.spi;
