package io.batpak.codec.jackson;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.spi.Codec;
import java.util.Locale;
import java.util.Objects;
import java.util.TimeZone;
import org.apiguardian.api.API;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.cfg.MapperBuilder;

/**
 * What the Jackson codecs ({@code json}, {@code cbor}) share: the deterministic mapper set-up, and
 * encoding and decoding with failures turned into {@link CodecException}s that name the codec, the
 * type and the reason (or, on the module path, the {@code opens} line the application is missing).
 *
 * <p>Not API: the package is not exported; the codecs delegate to it (and the bench measures other
 * formats through it).
 *
 * <p>Thread-safe once built (an {@link ObjectMapper} is).
 */
@API(status = INTERNAL, since = "0.1")
public final class JacksonCodecCore implements Codec {

  private final String name;
  private final String nullValue;
  private final ObjectMapper mapper;

  /**
   * Wraps {@code mapper}, which {@link #deterministic} configured.
   *
   * @param name the codec's name, first word of every message ("json codec cannot ...")
   * @param nullValue how the format's null reads in a message, for example "the JSON is the literal
   *     null"
   * @param mapper the configured mapper
   */
  public JacksonCodecCore(String name, String nullValue, ObjectMapper mapper) {
    this.name = Objects.requireNonNull(name, "name");
    this.nullValue = Objects.requireNonNull(nullValue, "nullValue");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** The codec's name, as given. */
  @Override
  public String name() {
    return name;
  }

  /**
   * Applies the settings that make a mapper of any format deterministic and independent of the
   * machine: properties in alphabetical order (record components too), map entries by key and set
   * elements in natural order (refusing keys or elements that cannot be compared), empty beans
   * refused, dates and durations as ISO-8601 text in UTC with the root locale; on decode, unknown
   * properties ignored, trailing content and nulls for primitives refused.
   *
   * @param builder a new builder of any Jackson format
   * @return {@code builder}, for chaining the format's own settings
   */
  public static <M extends ObjectMapper, B extends MapperBuilder<M, B>> B deterministic(B builder) {
    return builder
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
        .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .defaultTimeZone(TimeZone.getTimeZone("UTC"))
        .defaultLocale(Locale.ROOT);
  }

  /**
   * Encodes {@code value}.
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
          name
              + " codec cannot encode a value of type "
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
   * Decodes {@code bytes} into an instance of {@code type}.
   *
   * @throws NullPointerException if an argument is null
   * @throws CodecException naming {@code type} and the reason, if the bytes are not in the format,
   *     do not fit the type, or are the format's null
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
          cannotDecode(bytes, type)
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
          cannotDecode(bytes, type) + nullValue + ", which is no value of that type");
    }
    return value;
  }

  /** "json codec cannot decode 12 bytes as com.example.Order: ". */
  private String cannotDecode(Bytes bytes, Class<?> type) {
    return name + " codec cannot decode " + bytes.size() + " bytes as " + type.getName() + ": ";
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
}
