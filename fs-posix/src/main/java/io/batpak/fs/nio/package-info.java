/**
 * The pure-NIO {@code nio} filesystem backend, the portable fallback to {@code posix}: {@link
 * io.batpak.fs.nio.NioStoreFsProvider} (found through {@link java.util.ServiceLoader}) and {@link
 * io.batpak.fs.nio.NioStoreFs}. It needs nothing but the JDK; what it cannot promise (race-free
 * symbolic-link refusal, exclusion of {@code flock} users such as the Rust batpak) is stated in its
 * {@link io.batpak.port.FsCapabilities}.
 */
@NullMarked
package io.batpak.fs.nio;

import org.jspecify.annotations.NullMarked;
