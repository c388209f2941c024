package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.apiguardian.api.API;

/**
 * One step of a typed event's schema history: turns the payload of {@link #type()} stored at
 * version {@link #fromVersion()} into the payload of version {@code fromVersion() + 1}. Register
 * one step per version with {@link StoreConfig.Builder#upcaster(Upcaster)}: a type at version
 * {@code n} (its {@link EventType#version()}) needs the steps from 1, 2, ..., {@code n - 1}, and
 * the store checks the chain is complete when it opens.
 *
 * <p>A step works on the codec-neutral tree of the payload: the map the store's codec decodes the
 * stored bytes to ({@code Map<String, Object>} whose values are maps, lists, strings, numbers,
 * booleans or null). It runs in memory when an older event is read as {@code type()}; the journal
 * is never rewritten. Steps are pure functions of the tree: the same tree in, the same tree out.
 *
 * <pre>{@code
 * // version 1 called the field "customer"; version 2 calls it "customerId"
 * Upcaster renameCustomer =
 *     Upcaster.of(OrderPlaced.class, 1, tree -> {
 *       tree.put("customerId", tree.remove("customer"));
 *       return tree;
 *     });
 * }</pre>
 *
 * <p>Thread-safety: an implementation must be safe to call from any number of threads at once (a
 * store reads concurrently); each call gets its own tree.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Upcaster {

  /**
   * The registered event type whose older payloads this step reads (it carries {@link EventType}).
   */
  Class<?> type();

  /**
   * The payload version this step reads, at least 1; it returns version {@code fromVersion() + 1}.
   */
  int fromVersion();

  /**
   * Turns a payload tree of version {@link #fromVersion()} into one of the next version.
   *
   * @param tree the payload at version {@code fromVersion()}: a mutable map owned by this call,
   *     which the step may change and return
   * @return the payload at version {@code fromVersion() + 1}, never null
   */
  Map<String, Object> upcast(Map<String, Object> tree);

  /**
   * A step from a function.
   *
   * @param type the registered event type
   * @param fromVersion the payload version {@code step} reads, at least 1
   * @param step the function from the version {@code fromVersion} tree to the next version's
   * @throws NullPointerException if {@code type} or {@code step} is null
   * @throws ValidationException if {@code fromVersion} is below 1
   */
  static Upcaster of(Class<?> type, int fromVersion, UnaryOperator<Map<String, Object>> step) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(step, "step");
    if (fromVersion < 1) {
      throw new ValidationException(
          "an upcaster for "
              + type.getName()
              + " reads from version "
              + fromVersion
              + ", but payload versions start at 1: give the version the step reads (1 for the"
              + " step from version 1 to 2)");
    }
    return new Upcaster() {
      @Override
      public Class<?> type() {
        return type;
      }

      @Override
      public int fromVersion() {
        return fromVersion;
      }

      @Override
      public Map<String, Object> upcast(Map<String, Object> tree) {
        return step.apply(tree);
      }

      @Override
      public String toString() {
        return "Upcaster["
            + type.getName()
            + " v"
            + fromVersion
            + " -> v"
            + (fromVersion + 1)
            + "]";
      }
    };
  }
}
