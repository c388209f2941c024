/**
 * The {@code posix} filesystem backend: {@link io.batpak.fs.posix.PosixStoreFsProvider}, found
 * through {@link java.util.ServiceLoader}. The implementation lives in the non-exported {@code
 * internal} package.
 */
@NullMarked
package io.batpak.fs.posix;

import org.jspecify.annotations.NullMarked;
