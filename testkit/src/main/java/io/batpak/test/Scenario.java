package io.batpak.test;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoredEvent;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.opentest4j.AssertionFailedError;

/**
 * What the given/when/then fixtures share: the kit's store, the given events appended through it
 * (so the invariant check after the test covers them), the "when" command and what it threw, and
 * the text of events in failure messages. Not thread-safe: used from the test's thread.
 */
final class Scenario {
  private final SimStore sim;
  private final String subject;
  private final List<AppendReceipt> given = new ArrayList<>();
  private final List<String> steps = new ArrayList<>();
  private boolean whenRan;
  private @Nullable Throwable whenFailure;

  Scenario(SimStore sim, String subject) {
    this.sim = Objects.requireNonNull(sim, "sim");
    this.subject = subject;
    sim.store(); // fails now, saying what to do, when no store is open
  }

  SimStore sim() {
    return sim;
  }

  Store store() {
    return sim.store();
  }

  List<AppendReceipt> given() {
    return List.copyOf(given);
  }

  void given(Coordinate coordinate, EventKind kind, Bytes payload) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(payload, "payload");
    requireNoWhen("given");
    given.add(store().append(coordinate, kind, payload));
    steps.add("given " + coordinate + " " + kind + " " + payload(payload));
  }

  void givenTyped(Coordinate coordinate, Object... events) {
    Objects.requireNonNull(coordinate, "coordinate");
    Objects.requireNonNull(events, "events");
    requireNoWhen("givenTyped");
    for (int i = 0; i < events.length; i++) {
      Object event = Objects.requireNonNull(events[i], "events[" + i + "]");
      given.add(store().appendTyped(coordinate, event));
      steps.add("given " + coordinate + " " + event);
    }
  }

  void when(StoreCommand command) {
    Objects.requireNonNull(command, "command");
    requireNoWhen("when");
    whenRan = true;
    long before = store().watermarks().visible() - 1; // the last visible global sequence
    try {
      command.run(store());
    } catch (Exception | AssertionError e) { // reported, typed, at the "then" step
      whenFailure = e;
    }
    List<StoredEvent> appended = after(store(), before);
    steps.add(
        "when: the command "
            + (whenFailure == null ? "returned" : "threw " + whenFailure)
            + ", having appended"
            + describe(appended));
  }

  /** The visible events after global sequence {@code after}, in global order. */
  static List<StoredEvent> after(Store store, long after) {
    List<StoredEvent> events = new ArrayList<>();
    long last = after;
    while (true) {
      List<EventHeader> page = store.queryAfter(Region.all(), last, 1000);
      if (page.isEmpty()) {
        return events;
      }
      for (EventHeader h : page) {
        events.add(store.get(h.eventId()));
        last = h.globalSequence();
      }
    }
  }

  /** Fails when the "when" command threw: a "then" about state expects it to have returned. */
  void requireWhenReturned() {
    if (whenFailure != null) {
      throw new AssertionFailedError(
          subject
              + ": the when command threw "
              + whenFailure
              + " (use thenRefused(type) to expect that)\n"
              + history(),
          whenFailure);
    }
  }

  /** The "when" command's exception, which must be of {@code type}. */
  <X extends Throwable> X refused(Class<X> type) {
    Objects.requireNonNull(type, "type");
    if (!whenRan) {
      throw new IllegalStateException(subject + ": thenRefused needs a when(...) step first");
    }
    if (!type.isInstance(whenFailure)) {
      throw new AssertionFailedError(
          subject
              + ": expected the when command to throw "
              + type.getName()
              + ", but it "
              + (whenFailure == null ? "returned" : "threw " + whenFailure)
              + "\n"
              + history(),
          type.getName(),
          whenFailure == null ? "returned" : whenFailure.getClass().getName(),
          whenFailure);
    }
    return type.cast(whenFailure);
  }

  /** Adds a step to the history. */
  void note(String step) {
    steps.add(step);
  }

  /** The given and when steps, one a line, for failure messages. */
  String history() {
    StringBuilder text = new StringBuilder("scenario (seed " + sim.seed() + "):");
    if (steps.isEmpty()) {
      text.append("\n  (no given events, no when command)");
    }
    steps.forEach(s -> text.append("\n  ").append(s));
    return text.toString();
  }

  /** One event, one line: its place, kind, links and payload. */
  static String describe(StoredEvent event) {
    var h = event.header();
    return "#"
        + h.globalSequence()
        + " "
        + h.coordinate()
        + " seq "
        + h.streamSequence()
        + " "
        + h.kind()
        + " causation "
        + h.causation().map(Object::toString).orElse("none")
        + " "
        + (event.payload().isEmpty() && h.payloadSize() > 0
            ? "(payload not read: " + h.payloadSize() + " bytes)"
            : payload(event.payload()));
  }

  /** Events, one a line, indented; "(none)" for none. */
  static String describe(List<StoredEvent> events) {
    if (events.isEmpty()) {
      return "\n    (none)";
    }
    StringBuilder text = new StringBuilder();
    events.forEach(e -> text.append("\n    ").append(describe(e)));
    return text.toString();
  }

  /** A payload as quoted UTF-8 text when it is text, else as hex; at most 200 characters. */
  static String payload(Bytes payload) {
    String text;
    try {
      text =
          '"'
              + StandardCharsets.UTF_8
                  .newDecoder()
                  .onMalformedInput(CodingErrorAction.REPORT)
                  .onUnmappableCharacter(CodingErrorAction.REPORT)
                  .decode(ByteBuffer.wrap(payload.toByteArray()))
                  .toString()
              + '"';
    } catch (CharacterCodingException e) {
      text = "0x" + payload.toHex();
    }
    return text.length() > 200
        ? text.substring(0, 200) + "... (" + payload.size() + " bytes)"
        : text;
  }

  private void requireNoWhen(String step) {
    if (whenRan) {
      throw new IllegalStateException(
          subject + ": " + step + "(...) after when(...); a scenario has its givens first");
    }
  }
}
