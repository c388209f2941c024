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
 * A member's payload codec, the one its local store uses (its segment headers name it), found the
 * way the engine finds it. The member that takes an append encodes object payloads with it, so the
 * Raft entry carries bytes and every member stores exactly those bytes (ADR 0041); the engine would
 * encode with the same codec on the same member, so the stored payload is what a single-node {@code
 * appendEncoded} stores. Typed events travel as their encoding, which every member decodes back to
 * the record with it before its store's {@code appendTyped} encodes them again.
 *
 * <p>Thread-safe: the codec is found once, on first use.
 */
final class MemberCodec {
  private final String memberId;
  private volatile @Nullable Codec codec;

  MemberCodec(String memberId) {
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

  /**
   * Decodes {@code bytes} to {@code type}.
   *
   * @throws CodecException as for {@link #encode}, or if the bytes do not decode to {@code type}
   */
  <T> T decode(String codecName, Bytes bytes, Class<T> type) {
    return codec(codecName, type).decode(bytes, type);
  }

  private Codec codec(String name, Object value) {
    Codec c = codec;
    if (c != null) {
      return c;
    }
    String what =
        "member "
            + memberId
            + " cannot encode or decode a payload of type "
            + (value instanceof Class<?> k ? k : value.getClass()).getName();
    if (name.equals("bytes")) {
      throw new CodecException(
          what
              + ": its local store has no payload codec (its segment headers name codec 'bytes')."
              + " Pass the payload as Bytes, encoded yourself. See docs/codecs.md#bytes-stores");
    }
    ProviderChoice<CodecProvider> choice =
        ProviderLoader.load(
                ProviderKind.CODEC,
                ServiceLoader.load(CodecProvider.class, MemberCodec.class.getClassLoader()))
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
