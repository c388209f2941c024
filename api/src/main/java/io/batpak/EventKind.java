package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Locale;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * What an event is: a 16-bit value whose upper 4 bits are the <em>category</em> and lower 12 bits
 * the <em>type id</em>, raw form {@code (category << 12) | typeId}. The raw form is stable on disk
 * and on the wire. Text form {@code 0xHHHH}.
 *
 * <p>Categories {@code 0x0} (system) and {@code 0xD} (effect) are reserved for the store's own
 * events ({@link #isReserved()}); user kinds are made with {@link #custom(int, int)}, which refuses
 * them. {@link #fromRaw(int)} accepts any 16-bit value, for decoding. {@link #DATA} is a
 * user-category kind provided for untyped payloads.
 *
 * <p>Ordering ({@link #compareTo}) is by raw value. Thread-safety: immutable.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class EventKind implements Comparable<EventKind> {
  /** The reserved category of the store's system events: {@value}. */
  public static final int SYSTEM_CATEGORY = 0x0;

  /** The reserved category of the store's effect events: {@value}. */
  public static final int EFFECT_CATEGORY = 0xD;

  /** The largest type id: {@value}. */
  public static final int MAX_TYPE_ID = 0xFFF;

  /** The largest raw value: {@value}. */
  public static final int MAX_RAW = 0xFFFF;

  /** Untyped data, {@code 0x1000}: a user category, so applications may append it. */
  public static final EventKind DATA = new EventKind(0x1000);

  /** Store initialised, {@code 0x0001}. Reserved. */
  public static final EventKind SYSTEM_INIT = new EventKind(0x0001);

  /** Store shut down, {@code 0x0002}. Reserved. */
  public static final EventKind SYSTEM_SHUTDOWN = new EventKind(0x0002);

  /** Heartbeat, {@code 0x0003}. Reserved. */
  public static final EventKind SYSTEM_HEARTBEAT = new EventKind(0x0003);

  /** Configuration changed, {@code 0x0004}. Reserved. */
  public static final EventKind SYSTEM_CONFIG_CHANGE = new EventKind(0x0004);

  /** Checkpoint, {@code 0x0005}. Reserved. */
  public static final EventKind SYSTEM_CHECKPOINT = new EventKind(0x0005);

  /** Start of an atomic batch, {@code 0x0006}. Reserved. */
  public static final EventKind SYSTEM_BATCH_BEGIN = new EventKind(0x0006);

  /** Commit of an atomic batch, {@code 0x0007}. Reserved. */
  public static final EventKind SYSTEM_BATCH_COMMIT = new EventKind(0x0007);

  /** Store open completed, {@code 0x0008}. Reserved. */
  public static final EventKind SYSTEM_OPEN_COMPLETED = new EventKind(0x0008);

  /** Store close completed, {@code 0x0009}. Reserved. */
  public static final EventKind SYSTEM_CLOSE_COMPLETED = new EventKind(0x0009);

  /** A persisted gate denial, {@code 0x000F}. Reserved. */
  public static final EventKind SYSTEM_DENIAL = new EventKind(0x000F);

  /** Tombstone, {@code 0x0FFE}. Reserved (system category). */
  public static final EventKind TOMBSTONE = new EventKind(0x0FFE);

  /** Effect failed, {@code 0xD001}. Reserved. */
  public static final EventKind EFFECT_ERROR = new EventKind(0xD001);

  /** Effect to be retried, {@code 0xD002}. Reserved. */
  public static final EventKind EFFECT_RETRY = new EventKind(0xD002);

  /** Effect acknowledged, {@code 0xD004}. Reserved. */
  public static final EventKind EFFECT_ACK = new EventKind(0xD004);

  /** Effect under backpressure, {@code 0xD005}. Reserved. */
  public static final EventKind EFFECT_BACKPRESSURE = new EventKind(0xD005);

  /** Effect cancelled, {@code 0xD006}. Reserved. */
  public static final EventKind EFFECT_CANCEL = new EventKind(0xD006);

  /** Effect conflicted, {@code 0xD007}. Reserved. */
  public static final EventKind EFFECT_CONFLICT = new EventKind(0xD007);

  private final int raw;

  private EventKind(int raw) {
    this.raw = raw;
  }

  /**
   * A user kind. The category must be {@code 0x1..0xC} or {@code 0xE..0xF} and the type id {@code
   * 0x000..0xFFF}; checked in that order.
   *
   * @throws InvalidEventKindException with {@link
   *     InvalidEventKindException.Rule#CATEGORY_OUT_OF_RANGE} if the category is not in {@code
   *     0x0..0xF}, {@link InvalidEventKindException.Rule#RESERVED_SYSTEM_CATEGORY} if it is {@code
   *     0x0}, {@link InvalidEventKindException.Rule#RESERVED_EFFECT_CATEGORY} if it is {@code 0xD},
   *     {@link InvalidEventKindException.Rule#TYPE_ID_OUT_OF_RANGE} if the type id is not in {@code
   *     0x000..0xFFF}
   */
  public static EventKind custom(int category, int typeId) {
    InvalidEventKindException.@Nullable Rule broken = null;
    if (category < 0 || category > 0xF) {
      broken = InvalidEventKindException.Rule.CATEGORY_OUT_OF_RANGE;
    } else if (category == SYSTEM_CATEGORY) {
      broken = InvalidEventKindException.Rule.RESERVED_SYSTEM_CATEGORY;
    } else if (category == EFFECT_CATEGORY) {
      broken = InvalidEventKindException.Rule.RESERVED_EFFECT_CATEGORY;
    } else if (typeId < 0 || typeId > MAX_TYPE_ID) {
      broken = InvalidEventKindException.Rule.TYPE_ID_OUT_OF_RANGE;
    }
    if (broken != null) {
      throw new InvalidEventKindException(broken, category, typeId);
    }
    return new EventKind((category << 12) | typeId);
  }

  /**
   * The kind with raw value {@code raw}, reserved or not: for decoding stored events. Appending
   * code must not use this to forge reserved kinds; the store refuses them on its append paths.
   *
   * @throws ValidationException if {@code raw} is not in {@code 0..0xFFFF}
   */
  public static EventKind fromRaw(int raw) {
    if (raw < 0 || raw > MAX_RAW) {
      throw new ValidationException(
          "Invalid raw event kind "
              + raw
              + ": it must be a 16-bit value in 0..65535 (0x0000..0xFFFF); pass the value read"
              + " from EventKind.raw()");
    }
    return new EventKind(raw);
  }

  /** The raw 16-bit value, {@code (category << 12) | typeId}, in {@code 0..0xFFFF}. */
  public int raw() {
    return raw;
  }

  /** The upper 4 bits, in {@code 0x0..0xF}. */
  public int category() {
    return raw >>> 12;
  }

  /** The lower 12 bits, in {@code 0x000..0xFFF}. */
  public int typeId() {
    return raw & MAX_TYPE_ID;
  }

  /**
   * Whether the category is reserved for the store: {@code 0x0} (system) or {@code 0xD} (effect).
   */
  public boolean isReserved() {
    return isSystem() || isEffect();
  }

  /**
   * Whether the category is {@code 0x0}, the store's system events (including {@link #TOMBSTONE}).
   */
  public boolean isSystem() {
    return category() == SYSTEM_CATEGORY;
  }

  /** Whether the category is {@code 0xD}, the store's effect events. */
  public boolean isEffect() {
    return category() == EFFECT_CATEGORY;
  }

  /** Compares by raw value. */
  @Override
  public int compareTo(EventKind other) {
    return Integer.compare(raw, other.raw);
  }

  /** Two kinds are equal when their raw values are. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof EventKind && ((EventKind) o).raw == raw;
  }

  @Override
  public int hashCode() {
    return raw;
  }

  /** {@code 0x} followed by the raw value as 4 uppercase hex digits, e.g. {@code 0x1000}. */
  @Override
  public String toString() {
    return String.format(Locale.ROOT, "0x%04X", raw);
  }
}
