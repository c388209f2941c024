package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * Reads and validates {@link EventType} annotations. Results are cached per class.
 *
 * <p>Thread-safety: stateless apart from a thread-safe cache; every method may be called from any
 * thread.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class EventTypes {

  /** A class's resolved annotation, or why it could not be resolved. */
  private static final class Resolved {
    final @Nullable EventKind kind;
    final int version;
    final @Nullable String error;
    final @Nullable InvalidEventKindException cause;

    Resolved(
        @Nullable EventKind kind,
        int version,
        @Nullable String error,
        @Nullable InvalidEventKindException cause) {
      this.kind = kind;
      this.version = version;
      this.error = error;
      this.cause = cause;
    }
  }

  private static final ClassValue<Resolved> CACHE =
      new ClassValue<>() {
        @Override
        protected Resolved computeValue(Class<?> type) {
          return resolve(type);
        }
      };

  private EventTypes() {}

  /**
   * The kind declared by {@code type}'s {@link EventType} annotation.
   *
   * @throws NullPointerException if {@code type} is null
   * @throws ValidationException naming the class if it has no {@link EventType} annotation, if the
   *     annotation's category and type id are not a user kind (the cause is then the {@link
   *     InvalidEventKindException}), or if its version is below 1
   */
  public static EventKind kindOf(Class<?> type) {
    return get(type).kind;
  }

  /**
   * The payload schema version declared by {@code type}'s {@link EventType} annotation, at least 1.
   *
   * @throws NullPointerException if {@code type} is null
   * @throws ValidationException as for {@link #kindOf(Class)}
   */
  public static int versionOf(Class<?> type) {
    return get(type).version;
  }

  private static Resolved get(Class<?> type) {
    Objects.requireNonNull(type, "type");
    Resolved r = CACHE.get(type);
    if (r.error != null) {
      // A fresh exception each time, so the stack trace shows this caller.
      throw r.cause == null
          ? new ValidationException(r.error)
          : new ValidationException(r.error, r.cause);
    }
    return r;
  }

  private static Resolved resolve(Class<?> type) {
    EventType annotation = type.getAnnotation(EventType.class);
    if (annotation == null) {
      return new Resolved(
          null,
          0,
          "Class "
              + type.getName()
              + " has no @EventType annotation; annotate it with @EventType(category = ...,"
              + " typeId = ...) or append with an explicit EventKind",
          null);
    }
    EventKind kind;
    try {
      kind = EventKind.custom(annotation.category(), annotation.typeId());
    } catch (InvalidEventKindException e) {
      return new Resolved(
          null, 0, "Class " + type.getName() + " has an invalid @EventType: " + e.getMessage(), e);
    }
    if (annotation.version() < 1) {
      return new Resolved(
          null,
          0,
          "Class "
              + type.getName()
              + " has an invalid @EventType: version "
              + annotation.version()
              + " is below 1; payload versions start at 1",
          null);
    }
    return new Resolved(kind, annotation.version(), null, null);
  }
}
