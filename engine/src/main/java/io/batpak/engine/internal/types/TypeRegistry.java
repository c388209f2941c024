package io.batpak.engine.internal.types;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.EventTypes;
import io.batpak.FutureEventVersionException;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.Upcaster;
import io.batpak.ValidationException;
import io.batpak.spi.Codec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The store's typed-event registry: the event types the application registered ({@link
 * StoreConfig#eventTypes()}), each with its kind, its current payload version and its complete
 * upcaster chain ({@link StoreConfig#upcasters()}), and the one place where a stored payload
 * becomes a typed object under the version rules of docs/schema-evolution.md.
 *
 * <p>Built and checked once, before the store touches its directory: an invalid {@link EventType},
 * two types claiming one kind, or an upcaster chain with a missing, duplicate or out-of-range step
 * fails the open with {@link ValidationException}, so a bad chain is found at open and never at the
 * first read of an old event.
 *
 * <p>Immutable and thread-safe: {@link #decode} may run on any number of threads at once.
 */
public final class TypeRegistry {

  /** A registered type: its kind, its version and its steps, {@code steps.get(v - 1)} reading v. */
  private record Registered(EventKind kind, int version, List<Upcaster> steps) {}

  private final Map<Class<?>, Registered> byClass;

  private TypeRegistry(Map<Class<?>, Registered> byClass) {
    this.byClass = Map.copyOf(byClass);
  }

  /**
   * Builds and checks the registry of {@code config}'s event types and upcasters.
   *
   * @throws ValidationException the existing one of {@link EventTypes#kindOf(Class)} for a class
   *     without a valid {@link EventType}; otherwise one listing every problem of the registry: two
   *     types of one kind (both class names and the kind), an upcaster for a type not registered,
   *     and for each type a step missing, registered twice, or at or above the type's version (the
   *     type, the version, and what to register)
   */
  public static TypeRegistry of(StoreConfig config) {
    List<String> problems = new ArrayList<>();
    Map<EventKind, Class<?>> byKind = new HashMap<>();
    Map<Class<?>, Integer> versions = new LinkedHashMap<>();
    for (Class<?> type : config.eventTypes()) {
      EventKind kind = EventTypes.kindOf(type);
      versions.put(type, EventTypes.versionOf(type));
      Class<?> other = byKind.putIfAbsent(kind, type);
      if (other != null) {
        problems.add(
            "kind "
                + kind
                + " is claimed by both "
                + other.getName()
                + " and "
                + type.getName()
                + " (@EventType(category = "
                + kind.category()
                + ", typeId = "
                + kind.typeId()
                + ")): a kind names one payload type. Give one of them another typeId, or register"
                + " only one");
      }
    }
    Map<Class<?>, Upcaster[]> steps = new HashMap<>();
    for (Upcaster u : config.upcasters()) {
      Class<?> type = u.type();
      int from = u.fromVersion();
      Integer version = type == null ? null : versions.get(type);
      if (version == null) {
        problems.add(
            "upcaster "
                + u
                + " is for "
                + (type == null
                    ? "no type (its type() is null)"
                    : type.getName()
                        + ", which is not a registered event type: register it with"
                        + " StoreConfig.Builder.eventTypes("
                        + type.getSimpleName()
                        + ".class)"));
        continue;
      }
      if (from < 1 || from >= version) {
        problems.add(
            "upcaster "
                + u
                + " reads version "
                + from
                + " of "
                + type.getName()
                + ", which is at version "
                + version
                + " (@EventType(version = "
                + version
                + ")): "
                + (version == 1
                    ? "a type at version 1 has no steps"
                    : "its steps read versions 1 to " + (version - 1))
                + ". Remove the step, or raise the @EventType version if the class has moved on");
        continue;
      }
      Upcaster[] chain = steps.computeIfAbsent(type, t -> new Upcaster[version - 1]);
      if (chain[from - 1] != null) {
        problems.add(
            "two upcasters read version "
                + from
                + " of "
                + type.getName()
                + " ("
                + chain[from - 1]
                + " and "
                + u
                + "): register exactly one step per version");
      } else {
        chain[from - 1] = u;
      }
    }
    for (Map.Entry<Class<?>, Integer> e : versions.entrySet()) {
      Class<?> type = e.getKey();
      int version = e.getValue();
      Upcaster[] chain = steps.computeIfAbsent(type, t -> new Upcaster[version - 1]);
      for (int from = 1; from < version; from++) {
        if (chain[from - 1] == null) {
          problems.add(
              type.getName()
                  + " is at version "
                  + version
                  + " (@EventType(version = "
                  + version
                  + ")), but no upcaster reads version "
                  + from
                  + ", so its events stored at version "
                  + from
                  + " could not be read as it. Register one with StoreConfig.Builder.upcaster("
                  + "Upcaster.of("
                  + type.getSimpleName()
                  + ".class, "
                  + from
                  + ", tree -> ...)), turning a version "
                  + from
                  + " payload into a version "
                  + (from + 1)
                  + " one");
        }
      }
    }
    if (!problems.isEmpty()) {
      throw new ValidationException(
          "the event types registered for the store in "
              + config.directory()
              + " are inconsistent (see docs/schema-evolution.md#what-happens-at-open):\n  "
              + String.join("\n  ", problems));
    }
    Map<Class<?>, Registered> byClass = new HashMap<>();
    for (Map.Entry<Class<?>, Integer> e : versions.entrySet()) {
      Class<?> type = e.getKey();
      byClass.put(
          type, new Registered(EventTypes.kindOf(type), e.getValue(), List.of(steps.get(type))));
    }
    return new TypeRegistry(byClass);
  }

  /**
   * Decodes {@code event}'s payload as {@code type} with {@code codec}, under the version rules: a
   * registered type read from an event of its kind is decoded directly at its own version or at
   * version 0, upcast from an older version, and refused from a newer one; anything else is decoded
   * directly.
   *
   * @throws FutureEventVersionException if the event is newer than the registered type
   * @throws CodecException if the codec cannot decode the payload, an upcaster throws or returns
   *     null, or the upcast tree does not decode as {@code type}
   */
  public <T> T decode(Codec codec, StoredEvent event, Class<T> type) {
    Registered r = byClass.get(type);
    EventHeader h = event.header();
    int stored = h.payloadVersion();
    if (r == null || !r.kind().equals(h.kind()) || stored == 0 || stored == r.version()) {
      return codec.decode(event.payload(), type);
    }
    String what = "event " + h.eventId() + " (kind " + h.kind() + ")";
    if (stored > r.version()) {
      throw new FutureEventVersionException(
          what
              + " is stored at payload version "
              + stored
              + ", but "
              + type.getName()
              + ", the registered type of its kind, knows versions up to "
              + r.version()
              + ": a newer version of the application wrote it. Upgrade this application to one"
              + " whose "
              + type.getSimpleName()
              + " knows version "
              + stored
              + ", or read the raw payload with Store.get(id).payload(). Nothing was changed",
          h.eventId(),
          type.getName(),
          stored,
          r.version());
    }
    Map<String, Object> tree = tree(codec, event.payload(), what, stored, type);
    for (int from = stored; from < r.version(); from++) {
      Upcaster step = r.steps().get(from - 1);
      Map<String, Object> next;
      try {
        next = step.upcast(new LinkedHashMap<>(tree));
      } catch (RuntimeException e) {
        throw new CodecException(
            what + " could not be upcast: " + stepName(step, type, from) + " threw " + e, e);
      }
      if (next == null) {
        throw new CodecException(
            what
                + " could not be upcast: "
                + stepName(step, type, from)
                + " returned null; a step returns the payload tree of the next version");
      }
      tree = next;
    }
    try {
      return codec.decode(codec.encode(tree), type);
    } catch (CodecException e) {
      throw new CodecException(
          what
              + ", stored at payload version "
              + stored
              + ", was upcast to version "
              + r.version()
              + ", and the result does not decode as "
              + type.getName()
              + ": "
              + e.getMessage()
              + ". Check that the upcasters from version "
              + stored
              + " produce the fields of version "
              + r.version(),
          e);
    }
  }

  private static String stepName(Upcaster step, Class<?> type, int from) {
    return "the upcaster of " + type.getName() + " from version " + from + " (" + step + ")";
  }

  /** The payload as the codec's tree: a map from property names to plain values. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> tree(
      Codec codec, Bytes payload, String what, int stored, Class<?> type) {
    try {
      return codec.decode(payload, Map.class);
    } catch (CodecException e) {
      throw new CodecException(
          what
              + ", stored at payload version "
              + stored
              + ", must be upcast to be read as "
              + type.getName()
              + ", but its payload is not an object the codec can decode to a tree: "
              + e.getMessage(),
          e);
    }
  }
}
