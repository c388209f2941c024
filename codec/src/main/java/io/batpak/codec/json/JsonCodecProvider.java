package io.batpak.codec.json;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import org.apiguardian.api.API;

/**
 * Makes {@link JsonCodec} available under the name {@code json}. Registered in {@code module-info}
 * and in {@code META-INF/services}; does no work until {@link #create()}.
 *
 * <p>Thread-safe (stateless).
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class JsonCodecProvider implements CodecProvider {

  /** For {@link java.util.ServiceLoader}. */
  public JsonCodecProvider() {}

  /** Returns {@value JsonCodec#NAME}. */
  @Override
  public String name() {
    return JsonCodec.NAME;
  }

  /** A new {@link JsonCodec}. */
  @Override
  public Codec create() {
    return new JsonCodec();
  }
}
