package io.batpak.codec.cbor;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.codec.jackson.JacksonCodecCore;
import io.batpak.spi.Codec;
import org.apiguardian.api.API;
import tools.jackson.dataformat.cbor.CBORMapper;
import tools.jackson.dataformat.cbor.CBORWriteFeature;

/**
 * The {@code cbor} payload codec: CBOR (RFC 8949, the IETF's Concise Binary Object Representation)
 * written by Jackson 3, in a deterministic form, so that equal values always encode to equal bytes
 * (the store's content hash is taken over them). Smaller and faster than {@code json} for typical
 * events, and readable by any CBOR library in any language; {@code docs/adr/0025} records why CBOR
 * and not Smile.
 *
 * <h2>The form</h2>
 *
 * <p>The same data model and order as {@link io.batpak.codec.json.JsonCodec}, in CBOR:
 *
 * <ul>
 *   <li>Object properties in alphabetical order, record components included; map entries ordered by
 *       key and set elements ordered naturally, whatever the insertion order; a map whose keys, or
 *       a set whose elements, cannot be compared is refused.
 *   <li>Integers in their shortest form (so an {@code int} and a {@code long} of one value encode
 *       alike); floating-point numbers at the precision of their Java type; no string references
 *       (CBOR's {@code stringref} extension is off, so no item depends on an earlier one) and no
 *       self-describe tag.
 *   <li>Dates and times as ISO-8601 text in UTC, enums by name, {@code Optional} as its value or
 *       null, byte arrays as CBOR byte strings.
 *   <li>Records, beans and maps are written as CBOR maps of indefinite length, lists and arrays as
 *       arrays of definite length: Jackson's fixed form, deterministic for equal values, but not
 *       RFC 8949's "core deterministic encoding" (section 4.2), which other tools may expect when
 *       they re-encode. Integer map keys stay CBOR integers; other keys are text.
 * </ul>
 *
 * <p>Decoding is tolerant of properties the target type does not have, and strict about everything
 * else. Any payload decodes as {@code Map.class} into maps, lists, strings, numbers, booleans and
 * nulls (and {@code byte[]} for byte strings), and such a map encodes back to the same bytes.
 *
 * <p>Thread-safe: one instance may encode and decode from any number of threads.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class CborCodec implements Codec {

  /** The codec's name, recorded in segment headers: {@value}. */
  public static final String NAME = "cbor";

  private final JacksonCodecCore core;

  /** Creates the codec with its fixed, deterministic configuration. */
  public CborCodec() {
    this.core =
        new JacksonCodecCore(
            NAME,
            "the CBOR data item is null",
            JacksonCodecCore.deterministic(CBORMapper.builder())
                .enable(CBORWriteFeature.WRITE_MINIMAL_INTS)
                .disable(CBORWriteFeature.WRITE_MINIMAL_DOUBLES)
                .disable(CBORWriteFeature.STRINGREF)
                .disable(CBORWriteFeature.WRITE_TYPE_HEADER)
                .build());
  }

  /** Returns {@value #NAME}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Encodes {@code value} as deterministic CBOR.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws CodecException naming the value's type and the reason, if Jackson cannot write it
   */
  @Override
  public Bytes encode(Object value) {
    return core.encode(value);
  }

  /**
   * Decodes one CBOR data item into an instance of {@code type}.
   *
   * @throws NullPointerException if an argument is null
   * @throws CodecException naming {@code type} and the reason, if the bytes are not one CBOR data
   *     item, do not fit the type, or are CBOR's {@code null}
   */
  @Override
  public <T> T decode(Bytes bytes, Class<T> type) {
    return core.decode(bytes, type);
  }

  @Override
  public String toString() {
    return "CborCodec[" + NAME + "]";
  }
}
