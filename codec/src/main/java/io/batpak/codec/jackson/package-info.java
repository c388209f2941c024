/**
 * What the Jackson-based payload codecs share (not exported): {@link
 * io.batpak.codec.jackson.JacksonCodecCore} holds the deterministic mapper set-up and the encode
 * and decode paths with their typed failures; {@code ModuleAccess} explains module-system access
 * failures.
 */
@NullMarked
package io.batpak.codec.jackson;

import org.jspecify.annotations.NullMarked;
