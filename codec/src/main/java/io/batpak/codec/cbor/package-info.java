/**
 * The {@code cbor} payload codec: deterministic CBOR (RFC 8949) on Jackson 3. {@link
 * io.batpak.codec.cbor.CborCodec} does the work; {@link io.batpak.codec.cbor.CborCodecProvider}
 * makes it available to {@link java.util.ServiceLoader} under the name {@code cbor}.
 */
@NullMarked
package io.batpak.codec.cbor;

import org.jspecify.annotations.NullMarked;
