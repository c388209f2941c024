package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.apiguardian.api.API;

/**
 * Declares the {@link EventKind} and payload schema version of a typed event payload class, so
 * typed appends need not pass a kind. Read with {@link EventTypes#kindOf(Class)} and {@link
 * EventTypes#versionOf(Class)}, which validate it.
 *
 * <pre>{@code
 * @EventType(category = 0x1, typeId = 0x001, version = 2)
 * record OrderPlaced(String orderId, long cents) {}
 * }</pre>
 *
 * <p>{@code category} and {@code typeId} must form a user kind ({@link EventKind#custom(int, int)}:
 * not the reserved categories {@code 0x0} and {@code 0xD}); {@code version} must be at least 1. The
 * annotation is not inherited: each payload class declares its own.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface EventType {
  /** The kind's 4-bit category: {@code 0x1..0xC} or {@code 0xE..0xF}. */
  int category();

  /** The kind's 12-bit type id: {@code 0x000..0xFFF}. */
  int typeId();

  /**
   * The payload schema version, at least 1. Stamped on every event appended with this type, so
   * readers can upcast older versions. Raise it whenever the payload's shape changes.
   */
  int version() default 1;
}
