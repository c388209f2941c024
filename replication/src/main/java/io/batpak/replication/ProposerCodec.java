package io.batpak.replication;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import io.batpak.spi.ProviderChoice;
import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import java.util.ServiceLoader;
import org.jspecify.annotations.Nullable;

/**
 * Encodes the object payloads of a replicated append on the member that takes it, with the codec
 * its local store uses (the one its segment headers name), so the Raft entry carries bytes and
 * every member stores exactly those bytes (ADR 0041). The engine would encode with the same codec
 * on the same member, so the stored payload is what a single-node {@code appendEncoded} stores.
 *
 * <p>Thread-safe: the codec is found once, on first use.
 */
final class ProposerCodec {
  private final String memberId;
  private volatile @Nullable Codec codec;

  ProposerCodec(String memberId) {
    this.memberId = memberId;
  }

  /**
   * The bytes to store for {@code value}: {@link Bytes} as they are, anything else encoded.
   *
   * @param codecName the codec the local store uses ({@link io.batpak.OpenReport#codec()})
   * @throws CodecException if the store has no codec, its codec is not on the class path, or the
   *     codec cannot encode {@code value}
   */
  Bytes encode(String codecName, Object value) {
    if (value instanceof Bytes b) {
      return b;
    }
    return codec(codecName, value).encode(value);
  }

  private Codec codec(String name, Object value) {
    Codec c = codec;
    if (c != null) {
      return c;
    }
    String what =
        "member " + memberId + " cannot encode a payload of type " + value.getClass().getName();
    if (name.equals("bytes")) {
      throw new CodecException(
          what
              + ": its local store has no payload codec (its segment headers name codec 'bytes')."
              + " Pass the payload as Bytes, encoded yourself. See docs/codecs.md#bytes-stores");
    }
    ProviderChoice<CodecProvider> choice =
        ProviderLoader.load(
                ProviderKind.CODEC,
                ServiceLoader.load(CodecProvider.class, ProposerCodec.class.getClassLoader()))
            .selectByName(name);
    if (choice instanceof ProviderChoice.Refused<CodecProvider> refused) {
      throw new CodecException(
          what
              + ": its local store uses codec '"
              + name
              + "', which this member cannot load. Put the codec's artifact on every member's"
              + " class path, or pass the payload as Bytes. "
              + refused.message());
    }
    c = choice.orThrow().create();
    codec = c;
    return c;
  }
}
