package io.batpak.codec.json;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.codec.jackson.JacksonCodecCore;
import io.batpak.spi.Codec;
import org.apiguardian.api.API;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The {@code json} payload codec: UTF-8 JSON written by Jackson 3, in a deterministic form, so that
 * equal values always encode to equal bytes (the store's content hash is taken over them).
 *
 * <h2>The form</h2>
 *
 * <ul>
 *   <li>Compact: no whitespace, no pretty printing.
 *   <li>Object properties in alphabetical order, record components included (Jackson's default of
 *       putting creator properties first is turned off).
 *   <li>Map entries ordered by key and set elements ordered naturally, whatever the insertion
 *       order; a map whose keys, or a set whose elements, cannot be compared is refused rather than
 *       written in an order that could change.
 *   <li>Dates and times as ISO-8601 text in UTC, with the root locale, independent of the machine's
 *       settings; non-ASCII characters as raw UTF-8.
 *   <li>A value with no properties to write (an empty bean) is refused: it would decode to nothing.
 * </ul>
 *
 * <p>Records, maps, lists, sets, arrays, enums, {@code Optional} and {@code java.time} values are
 * supported. Decoding is tolerant of properties the target type does not have (an older class
 * reading a newer event), and strict about everything else (wrong types, trailing content, a null
 * for a primitive).
 *
 * <p>Thread-safe: one instance may encode and decode from any number of threads.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class JsonCodec implements Codec {

  /** The codec's name, recorded in segment headers: {@value}. */
  public static final String NAME = "json";

  private final JacksonCodecCore core;

  /** Creates the codec with its fixed, deterministic configuration. */
  public JsonCodec() {
    this.core =
        new JacksonCodecCore(
            NAME,
            "the JSON is the literal null",
            JacksonCodecCore.deterministic(JsonMapper.builder())
                .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
                .build());
  }

  /** Returns {@value #NAME}. */
  @Override
  public String name() {
    return NAME;
  }

  /**
   * Encodes {@code value} as compact, deterministic UTF-8 JSON.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws CodecException naming the value's type and the reason, if Jackson cannot write it
   */
  @Override
  public Bytes encode(Object value) {
    return core.encode(value);
  }

  /**
   * Decodes UTF-8 JSON into an instance of {@code type}.
   *
   * @throws NullPointerException if an argument is null
   * @throws CodecException naming {@code type} and the reason, if the bytes are not JSON, do not
   *     fit the type, or are the JSON literal {@code null}
   */
  @Override
  public <T> T decode(Bytes bytes, Class<T> type) {
    return core.decode(bytes, type);
  }

  @Override
  public String toString() {
    return "JsonCodec[" + NAME + "]";
  }
}
