package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * What an event carries, in one of two forms the compiler tells apart: {@link Raw} bytes, stored as
 * they are (no codec needed), or an {@link Encoded} object that the store's codec turns into bytes.
 * Used by {@link BatchItem}; single appends have a method per form ({@link Store#append(Coordinate,
 * EventKind, Bytes, AppendOptions)} and {@link Store#appendEncoded(Coordinate, EventKind, Object,
 * AppendOptions)}).
 *
 * <p>Immutable; safe to share between threads (an encoded value is encoded when the append is
 * called, so it must not change until then).
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.1")
public sealed interface Payload {

  /**
   * Bytes stored as they are.
   *
   * @throws NullPointerException if {@code bytes} is null
   */
  static Payload raw(Bytes bytes) {
    return new Raw(bytes);
  }

  /**
   * An object for the store's codec.
   *
   * @throws NullPointerException if {@code value} is null
   * @throws ValidationException if {@code value} is a {@link Bytes} or a {@link Payload}
   */
  static Payload encoded(Object value) {
    return new Encoded(value);
  }

  /**
   * Bytes stored as they are; no codec is involved.
   *
   * @param bytes the payload
   */
  record Raw(Bytes bytes) implements Payload {
    /** Checks for null. */
    public Raw {
      if (bytes == null) {
        throw new NullPointerException("bytes must not be null");
      }
    }
  }

  /**
   * An object the store's codec encodes when the append is called.
   *
   * @param value the object; never a {@link Bytes} (use {@link Raw}) nor a {@link Payload}
   */
  record Encoded(Object value) implements Payload {
    /**
     * Checks for null and for values that would be ambiguous.
     *
     * @throws ValidationException if {@code value} is a {@link Bytes} or a {@link Payload}
     */
    public Encoded {
      if (value == null) {
        throw new NullPointerException("value must not be null");
      }
      if (value instanceof Bytes || value instanceof Payload) {
        throw new ValidationException(
            "an encoded payload got a "
                + value.getClass().getSimpleName()
                + ": Bytes are stored as they are, so pass them as Payload.raw(bytes) (or to"
                + " Store.append), not to the codec");
      }
    }
  }
}
