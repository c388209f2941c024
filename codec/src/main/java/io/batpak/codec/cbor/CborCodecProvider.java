package io.batpak.codec.cbor;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import org.apiguardian.api.API;

/**
 * Makes {@link CborCodec} available under the name {@code cbor}. Registered in {@code module-info}
 * and in {@code META-INF/services}; does no work until {@link #create()}.
 *
 * <p>Thread-safe (stateless).
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class CborCodecProvider implements CodecProvider {

  /** For {@link java.util.ServiceLoader}. */
  public CborCodecProvider() {}

  /** Returns {@value CborCodec#NAME}. */
  @Override
  public String name() {
    return CborCodec.NAME;
  }

  /** A new {@link CborCodec}. */
  @Override
  public Codec create() {
    return new CborCodec();
  }
}
