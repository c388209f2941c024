package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.EventTypes;
import io.batpak.Store;
import io.batpak.StoredEvent;
import java.util.Objects;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * A follow-up event a reactor is expected to have appended ({@link
 * ReactorFixture.Outcome#expectReactions}): its coordinate, its kind and its payload, either as
 * bytes or as a typed {@link io.batpak.EventType @EventType} record compared after decoding with
 * the store's codec. Immutable.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class Reaction {
  private final Coordinate coordinate;
  private final EventKind kind;
  private final @Nullable Bytes payload;
  private final @Nullable Object typed;

  private Reaction(
      Coordinate coordinate, EventKind kind, @Nullable Bytes payload, @Nullable Object typed) {
    this.coordinate = coordinate;
    this.kind = kind;
    this.payload = payload;
    this.typed = typed;
  }

  /**
   * A follow-up with a payload stored as is (staged with {@code Reactions.append}).
   *
   * @throws NullPointerException if an argument is null
   */
  public static Reaction of(Coordinate coordinate, EventKind kind, Bytes payload) {
    return new Reaction(
        Objects.requireNonNull(coordinate, "coordinate"),
        Objects.requireNonNull(kind, "kind"),
        Objects.requireNonNull(payload, "payload"),
        null);
  }

  /**
   * A follow-up holding {@code event}, an {@link io.batpak.EventType @EventType} record, whose kind
   * is its type's kind and whose payload decodes ({@link Store#decode}) to a value equal to it.
   *
   * @throws NullPointerException if an argument is null
   * @throws io.batpak.ValidationException if {@code event}'s class has no {@code @EventType}
   */
  public static Reaction typed(Coordinate coordinate, Object event) {
    Objects.requireNonNull(event, "event");
    return new Reaction(
        Objects.requireNonNull(coordinate, "coordinate"),
        EventTypes.kindOf(event.getClass()),
        null,
        event);
  }

  /** A follow-up staged with {@code Reactions.appendEncoded}: compared decoded as {@code value}. */
  static Reaction encoded(Coordinate coordinate, EventKind kind, Object value) {
    return new Reaction(coordinate, kind, null, value);
  }

  /** Whether {@code event}, read from {@code store}, is this follow-up. */
  boolean matches(Store store, StoredEvent event) {
    if (!event.header().coordinate().equals(coordinate) || !event.header().kind().equals(kind)) {
      return false;
    }
    if (payload != null) {
      return payload.equals(event.payload());
    }
    try {
      return Objects.equals(typed, store.decode(event, Objects.requireNonNull(typed).getClass()));
    } catch (CodecException e) { // a payload the codec cannot read as that type is another event
      return false;
    }
  }

  @Override
  public String toString() {
    return coordinate + " " + kind + " " + (payload != null ? Scenario.payload(payload) : typed);
  }
}
