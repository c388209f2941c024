/**
 * The {@code posix} filesystem backend: {@link io.batpak.fs.posix.PosixStoreFsProvider}, found
 * through {@link java.util.ServiceLoader}. The implementation lives in the non-exported {@code
 * internal} package.
 */
package io.batpak.fs.posix;
