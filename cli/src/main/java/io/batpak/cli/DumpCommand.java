package io.batpak.cli;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import io.batpak.Store;
import io.batpak.ValidationException;
import io.batpak.engine.FrameLocation;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.util.RawValue;

/** {@code batpak dump <dir> [--entity E] [--after N]}: one JSON line per event, read-only. */
final class DumpCommand implements Command {

  private final JsonMapper mapper =
      JsonMapper.builder().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();

  @Override
  public String name() {
    return "dump";
  }

  @Override
  public String summary() {
    return "print events as JSON lines, optionally one stream or after a global sequence";
  }

  @Override
  public String help() {
    return "usage: batpak dump <dir> [--entity E] [--after N]\n\n"
        + "Opens the store in dir read-only and prints one JSON object per line for every\n"
        + "visible event, in global order: its header fields (ids, coordinate, kind, sequences,\n"
        + "timestamp, hashes, position) and its payload, embedded as JSON when the payload is\n"
        + "JSON text (field \"payload\"), otherwise base64 (field \"payloadBase64\").\n\n"
        + "  --entity E   only the events of stream E (an entity, e.g. order:1001)\n"
        + "  --after N    only events with global sequence greater than N (N >= -1)\n\n"
        + "exit codes: 0 ok, 1 the store cannot be read, 2 usage error\n";
  }

  @Override
  public Set<String> valueOptions() {
    return Set.of("--entity", "--after");
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(1, 1, "one store directory");
    Path dir = CommandSupport.existingDirectory(args.positionals().get(0));
    long after = args.longValue("--after", -1).orElse(-1L);
    Optional<String> entity = args.value("--entity");
    if (entity.isPresent()) {
      try {
        Coordinate.of(entity.get(), "x");
      } catch (ValidationException e) {
        throw new UsageException("--entity: " + e.getMessage());
      }
    }
    PrintStream out = t.out();
    try (Store store = CommandSupport.openReadOnly(dir)) {
      // Prints one event; false once the output is closed (dump | head), which ends the dump.
      Predicate<EventHeader> print =
          h -> {
            out.println(line(store, h));
            return !out.checkError();
          };
      if (entity.isPresent()) {
        List<EventHeader> events = store.stream(entity.get());
        if (events.isEmpty()) {
          t.err().println("dump: stream '" + entity.get() + "' has no events in " + dir);
        }
        for (EventHeader h : events) {
          if (h.globalSequence() > after && !print.test(h)) {
            break;
          }
        }
      } else {
        CommandSupport.forEachEvent(store, after, print);
      }
    }
    out.flush();
    return Main.OK;
  }

  /** The JSON line of one event. */
  String line(Store store, EventHeader h) {
    ObjectNode o = mapper.createObjectNode();
    o.put("globalSequence", h.globalSequence());
    o.put("eventId", h.eventId().toString());
    o.put("entity", h.entity());
    o.put("scope", h.coordinate().scope());
    o.put("streamSequence", h.streamSequence());
    o.put("kind", h.kind().toString());
    o.put("timestampMicros", h.timestampMicros());
    o.put("timestamp", timestamp(h.timestampMicros()));
    o.put("correlationId", h.correlationId().toString());
    if (h.causation().isPresent()) {
      o.put("causationId", h.causation().get().toString());
    } else {
      o.putNull("causationId");
    }
    o.put("payloadVersion", h.payloadVersion());
    o.put("flags", h.flags());
    ObjectNode extensions = o.putObject("extensions");
    h.extensions().entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> extensions.put(keyName(e.getKey()), base64(e.getValue())));
    o.put("payloadSize", h.payloadSize());
    o.put("contentHash", h.contentHash().toHex());
    o.put("prevHash", h.prevHash().toHex());
    o.put("eventHash", h.eventHash().toHex());
    FrameLocation frame = FrameLocation.of(store, h.eventId());
    ObjectNode position = o.putObject("position");
    position.put("segmentId", frame.segmentId());
    position.put("offset", frame.offset());
    position.put("length", frame.length());
    Bytes payload = store.get(h.eventId()).payload();
    Optional<String> json = jsonText(payload);
    if (json.isPresent()) {
      o.putRawValue("payload", new RawValue(json.get()));
    } else {
      o.put("payloadBase64", base64(payload));
    }
    return mapper.writeValueAsString(o);
  }

  private static String keyName(ExtensionKey key) {
    return key.value();
  }

  /**
   * The payload as one line of JSON text, when it is valid UTF-8 holding exactly one JSON value;
   * re-written compactly when it spans lines, so that the dump stays one event per line.
   */
  private Optional<String> jsonText(Bytes payload) {
    if (payload.isEmpty()) {
      return Optional.empty();
    }
    String text;
    try {
      text =
          StandardCharsets.UTF_8
              .newDecoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .decode(ByteBuffer.wrap(payload.toByteArray()))
              .toString();
    } catch (CharacterCodingException e) {
      return Optional.empty();
    }
    JsonNode tree;
    try {
      tree = mapper.readTree(text);
    } catch (JacksonException e) {
      return Optional.empty();
    }
    if (tree == null || tree.isMissingNode()) {
      return Optional.empty();
    }
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      return Optional.of(mapper.writeValueAsString(tree));
    }
    return Optional.of(text.strip());
  }

  private static String base64(Bytes bytes) {
    return Base64.getEncoder().encodeToString(bytes.toByteArray());
  }

  private static String timestamp(long micros) {
    return Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L)
        .toString();
  }
}
