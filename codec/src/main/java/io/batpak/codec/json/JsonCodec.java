package io.batpak.codec.json;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.spi.Codec;
import java.util.Locale;
import java.util.Objects;
import java.util.TimeZone;
import org.apiguardian.api.API;
import tools.jackson.core.JacksonException;
import tools.jackson.core.json.JsonWriteFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
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

  private final JsonMapper mapper;

  /** Creates the codec with its fixed, deterministic configuration. */
  public JsonCodec() {
    this.mapper =
        JsonMapper.builder()
            .enable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .disable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS)
            .enable(SerializationFeature.FAIL_ON_ORDER_MAP_BY_INCOMPARABLE_KEY)
            .enable(SerializationFeature.ORDER_SET_ELEMENTS)
            .enable(SerializationFeature.FAIL_ON_ORDER_SET_BY_INCOMPARABLE_ELEMENT)
            .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .disable(SerializationFeature.INDENT_OUTPUT)
            .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DateTimeFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(JsonWriteFeature.ESCAPE_NON_ASCII)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .defaultTimeZone(TimeZone.getTimeZone("UTC"))
            .defaultLocale(Locale.ROOT)
            .build();
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
    Objects.requireNonNull(value, "value");
    try {
      return Bytes.ofOwned(mapper.writeValueAsBytes(value));
    } catch (RuntimeException e) {
      Class<?> type = value.getClass();
      throw new CodecException(
          "json codec cannot encode a value of type "
              + type.getName()
              + ": "
              + ModuleAccess.explain(type, e)
                  .orElseGet(
                      () ->
                          reason(e)
                              + (type.isRecord()
                                  ? ". Use component types Jackson can write, and map keys and"
                                      + " set elements of one comparable type."
                                  : ". Give the type public accessors (a record works best), and"
                                      + " use map keys and set elements of one comparable type.")),
          e);
    }
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
    Objects.requireNonNull(bytes, "bytes");
    Objects.requireNonNull(type, "type");
    T value;
    try {
      value = mapper.readValue(bytes.toByteArray(), type);
    } catch (RuntimeException e) {
      throw new CodecException(
          "json codec cannot decode "
              + bytes.size()
              + " bytes as "
              + type.getName()
              + ": "
              + ModuleAccess.explain(type, e)
                  .orElseGet(
                      () ->
                          reason(e)
                              + ". Check that the event was written from this type or a"
                              + " compatible version of it."),
          e);
    }
    if (value == null) {
      throw new CodecException(
          "json codec cannot decode "
              + bytes.size()
              + " bytes as "
              + type.getName()
              + ": the JSON is the literal null, which is no value of that type");
    }
    return value;
  }

  /**
   * Jackson's own message without its location blurb, plus the property path when there is one; for
   * anything else (an accessor that threw, incomparable keys) the exception itself.
   */
  private static String reason(RuntimeException e) {
    if (!(e instanceof JacksonException)) {
      return e.toString();
    }
    JacksonException je = (JacksonException) e;
    String message = je.getOriginalMessage();
    if (message == null || message.isBlank()) {
      message = je.getClass().getSimpleName();
    }
    // Jackson may put "\n at [Source: ...]" into the original message too; keep one line.
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    if (!je.getPath().isEmpty()) {
      message = message + " (at " + je.getPathReference() + ")";
    }
    return message;
  }

  @Override
  public String toString() {
    return "JsonCodec[" + NAME + "]";
  }
}
