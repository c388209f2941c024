/**
 * Payload compressors for batpak, found by name: {@code lz4} and {@code zstd}. Applications do not
 * call these classes; they name a compressor in {@code StoreConfig.Builder.compression}.
 */
@NullMarked
package io.batpak.compress;

import org.jspecify.annotations.NullMarked;
