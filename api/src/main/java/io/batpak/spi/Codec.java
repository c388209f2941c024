package io.batpak.spi;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.Bytes;
import org.apiguardian.api.API;

/**
 * Turns payload objects into bytes and back. The codec's {@link #name()} is recorded in every
 * segment header, so a store always reads its payloads with the codec that wrote them.
 *
 * <p>Implementations are thread-safe and deterministic: the same value encodes to the same bytes
 * every time (the content hash depends on it).
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface Codec {

  /** Short lowercase ASCII name, for example {@code json}; it never changes once released. */
  String name();

  /**
   * Encodes {@code value}.
   *
   * @throws io.batpak.CodecException if the value cannot be encoded
   */
  Bytes encode(Object value);

  /**
   * Decodes {@code bytes} as an instance of {@code type}.
   *
   * @throws io.batpak.CodecException if the bytes do not decode to {@code type}
   */
  <T> T decode(Bytes bytes, Class<T> type);
}
