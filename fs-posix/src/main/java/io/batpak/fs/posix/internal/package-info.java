/**
 * The JNA side of the {@code posix} backend: libc bindings (direct mapping for the hot calls,
 * interface mapping for the variadic ones, one class per optional symbol), errno mapping, and the
 * {@link io.batpak.port.StoreFs}, {@link io.batpak.port.FileHandle} and {@link
 * io.batpak.port.StoreLock} implementations. Not exported; opened to {@code com.sun.jna} so JNA can
 * fill {@link io.batpak.fs.posix.internal.Flock} reflectively. Only {@link Errno} and {@link
 * LinuxAbi} load without JNA.
 */
package io.batpak.fs.posix.internal;
