/**
 * The {@code json} payload codec: deterministic JSON on Jackson 3. {@link
 * io.batpak.codec.json.JsonCodec} does the work; {@link io.batpak.codec.json.JsonCodecProvider}
 * makes it available to {@link java.util.ServiceLoader} under the name {@code json}.
 */
@NullMarked
package io.batpak.codec.json;

import org.jspecify.annotations.NullMarked;
