/** Service interfaces for implementations of the store, not for applications. */
@NullMarked
package io.batpak.spi;

import org.jspecify.annotations.NullMarked;
