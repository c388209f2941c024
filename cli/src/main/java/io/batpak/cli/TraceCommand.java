package io.batpak.cli;

import io.batpak.CauseWalk;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventNotFoundException;
import io.batpak.Store;
import io.batpak.ValidationException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code batpak trace <dir> <event-id> [--format tree|json|dot] [--depth N]}: the causal tree of
 * one event, its causes up to the root and its consequences down, read-only.
 */
final class TraceCommand implements Command {
  private static final int DEFAULT_DEPTH = 10;

  private final JsonMapper mapper = JsonMapper.builder().build();

  @Override
  public String name() {
    return "trace";
  }

  @Override
  public String summary() {
    return "print an event's causes and consequences as a tree, JSON or Graphviz dot";
  }

  @Override
  public String help() {
    return "usage: batpak trace <dir> <event-id> [--format tree|json|dot] [--depth N]\n\n"
        + "Opens the store in dir read-only and prints the causal tree of one event: its causes\n"
        + "up to the root cause (following causation ids), then the event, then what it caused,\n"
        + "and what that caused, down to N levels. Each event shows its kind, stream (entity),\n"
        + "stream sequence, global sequence and time. A walk up that stops early says why:\n"
        + "DANGLING (a cause no visible event has), CYCLE, COMPACTED, READ_FAILURE. An event met\n"
        + "twice below is printed once and marked.\n\n"
        + "  <event-id>     event:<32 hex digits>, as dump and receipts print it\n"
        + "  --format F     tree (indented text, the default), json, or dot (Graphviz:\n"
        + "                 batpak trace DIR ID --format dot | dot -Tsvg > trace.svg)\n"
        + "  --depth N      at most N causes up and N levels of consequences down (default "
        + DEFAULT_DEPTH
        + ")\n\n"
        + "exit codes: 0 ok, 1 the store cannot be read or has no such event, 2 usage error\n";
  }

  @Override
  public Set<String> valueOptions() {
    return Set.of("--format", "--depth");
  }

  /** One event of the tree and what it caused (within the depth). */
  private record Node(EventHeader event, boolean repeated, List<Node> consequences) {}

  /** Everything a format prints. */
  private record Trace(EventHeader event, List<EventHeader> causes, CauseWalk walk, Node tree) {}

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(2, 2, "a store directory and an event id");
    Path dir = CommandSupport.existingDirectory(args.positionals().get(0));
    String idText = args.positionals().get(1);
    EventId id;
    try {
      id = EventId.parse(idText);
    } catch (ValidationException e) {
      throw new UsageException(
          "'" + idText + "' is not an event id (event:<32 hex digits>): " + e.getMessage());
    }
    String format = args.value("--format").orElse("tree");
    if (!format.equals("tree") && !format.equals("json") && !format.equals("dot")) {
      throw new UsageException("--format must be tree, json or dot, got '" + format + "'");
    }
    long depth = args.longValue("--depth", 1).orElse((long) DEFAULT_DEPTH);
    int levels = (int) Math.min(depth, 10_000);
    Trace trace;
    try (Store store = CommandSupport.openReadOnly(dir)) {
      EventHeader event;
      try {
        event = store.get(id).header();
      } catch (EventNotFoundException e) {
        t.err().println("batpak trace: " + e.getMessage() + " in " + dir);
        return Main.FAILURE;
      }
      CauseWalk walk = store.walkCauses(id);
      List<EventHeader> causes = walk.causes();
      if (causes.size() > levels) {
        causes = causes.subList(0, levels);
      }
      Set<EventId> shown = new HashSet<>();
      shown.add(id);
      trace = new Trace(event, causes, walk, tree(store, event, levels, shown));
    }
    PrintStream out = t.out();
    if (format.equals("json")) {
      out.println(json(trace));
    } else if (format.equals("dot")) {
      out.print(dot(trace));
    } else {
      out.print(tree(trace, levels));
    }
    out.flush();
    return Main.OK;
  }

  private static Node tree(Store store, EventHeader event, int levels, Set<EventId> shown) {
    List<Node> below = new ArrayList<>();
    if (levels > 0) {
      for (EventHeader c : store.consequences(event.eventId())) {
        boolean first = shown.add(c.eventId());
        below.add(first ? tree(store, c, levels - 1, shown) : new Node(c, true, List.of()));
      }
    }
    return new Node(event, false, below);
  }

  // ------------------------------------------------------------------ tree

  private static String tree(Trace trace, int levels) {
    StringBuilder b = new StringBuilder();
    List<EventHeader> up = new ArrayList<>(trace.causes());
    java.util.Collections.reverse(up); // root first
    String stop = stopLine(trace.walk(), trace.causes().size() < trace.walk().causes().size());
    b.append("causes: ").append(stop).append('\n');
    int indent = 0;
    for (EventHeader h : up) {
      b.append("  ".repeat(indent)).append(describe(h)).append('\n');
      indent++;
    }
    b.append("  ".repeat(indent)).append("=> ").append(describe(trace.event())).append('\n');
    appendBelow(b, trace.tree(), indent + 1);
    if (trace.tree().consequences().isEmpty()) {
      b.append("  ".repeat(indent + 1)).append("(no consequences)\n");
    }
    b.append("(consequences down to ").append(levels).append(" levels)\n");
    return b.toString();
  }

  private static void appendBelow(StringBuilder b, Node node, int indent) {
    for (Node c : node.consequences()) {
      b.append("  ".repeat(indent)).append(describe(c.event()));
      if (c.repeated()) {
        b.append("  (shown above)");
      }
      b.append('\n');
      appendBelow(b, c, indent + 1);
    }
  }

  private static String stopLine(CauseWalk walk, boolean cut) {
    if (cut) {
      return walk.causes().size() + " causes, the nearest shown (raise --depth for more)";
    }
    String s = walk.boundary().toString();
    if (walk.boundary() == CauseWalk.Boundary.ROOT) {
      return walk.causes().isEmpty() ? "none (the event is a root cause)" : "up to the root";
    }
    return s + " at global sequence " + walk.atGlobalSequence() + ": " + walk.detail();
  }

  private static String describe(EventHeader h) {
    return h.eventId()
        + "  "
        + h.kind()
        + "  "
        + h.coordinate().entity()
        + " #"
        + h.streamSequence()
        + "  global "
        + h.globalSequence()
        + "  "
        + timestamp(h.timestampMicros());
  }

  // ------------------------------------------------------------------ json

  private String json(Trace trace) {
    ObjectNode o = mapper.createObjectNode();
    o.set("event", node(trace.event()));
    ArrayNode causes = o.putArray("causes");
    for (EventHeader h : trace.causes()) {
      causes.add(node(h));
    }
    ObjectNode stop = o.putObject("causesStop");
    stop.put("boundary", trace.walk().boundary().toString());
    stop.put("atGlobalSequence", trace.walk().atGlobalSequence());
    stop.put("detail", trace.walk().detail());
    stop.put("causesFound", trace.walk().causes().size());
    o.set("consequences", children(trace.tree()));
    return mapper.writeValueAsString(o);
  }

  private ArrayNode children(Node n) {
    ArrayNode a = mapper.createArrayNode();
    for (Node c : n.consequences()) {
      ObjectNode o = node(c.event());
      if (c.repeated()) {
        o.put("shownAbove", true);
      } else {
        o.set("consequences", children(c));
      }
      a.add(o);
    }
    return a;
  }

  private ObjectNode node(EventHeader h) {
    ObjectNode o = mapper.createObjectNode();
    o.put("eventId", h.eventId().toString());
    o.put("kind", h.kind().toString());
    o.put("entity", h.coordinate().entity());
    o.put("streamSequence", h.streamSequence());
    o.put("globalSequence", h.globalSequence());
    o.put("timestampMicros", h.timestampMicros());
    o.put("timestamp", timestamp(h.timestampMicros()));
    o.put("correlationId", h.correlationId().toString());
    if (h.causation().isPresent()) {
      o.put("causationId", h.causation().get().toString());
    } else {
      o.putNull("causationId");
    }
    return o;
  }

  // ------------------------------------------------------------------ dot

  private static String dot(Trace trace) {
    StringBuilder b = new StringBuilder("digraph trace {\n  rankdir=TB;\n  node [shape=box];\n");
    Set<EventId> declared = new HashSet<>();
    declare(b, trace.event(), true, declared);
    EventHeader effect = trace.event();
    for (EventHeader cause : trace.causes()) {
      declare(b, cause, false, declared);
      edge(b, cause, effect);
      effect = cause;
    }
    if (trace.walk().boundary() != CauseWalk.Boundary.ROOT
        && trace.causes().size() == trace.walk().causes().size()) {
      b.append("  stop [shape=note, label=\"")
          .append(escape(trace.walk().boundary() + "\\n" + trace.walk().detail()))
          .append("\"];\n  stop -> \"")
          .append(effect.eventId())
          .append("\" [style=dashed];\n");
    }
    edges(b, trace.tree(), declared);
    return b.append("}\n").toString();
  }

  private static void edges(StringBuilder b, Node n, Set<EventId> declared) {
    for (Node c : n.consequences()) {
      declare(b, c.event(), false, declared);
      edge(b, n.event(), c.event());
      edges(b, c, declared);
    }
  }

  private static void declare(StringBuilder b, EventHeader h, boolean traced, Set<EventId> done) {
    if (!done.add(h.eventId())) {
      return;
    }
    b.append("  \"")
        .append(h.eventId())
        .append("\" [label=\"")
        .append(
            escape(
                h.kind()
                    + "\\n"
                    + h.coordinate().entity()
                    + " #"
                    + h.streamSequence()
                    + "\\nglobal "
                    + h.globalSequence()
                    + "\\n"
                    + timestamp(h.timestampMicros())))
        .append('"')
        .append(traced ? ", style=bold, penwidth=2" : "")
        .append("];\n");
  }

  private static void edge(StringBuilder b, EventHeader cause, EventHeader effect) {
    b.append("  \"")
        .append(cause.eventId())
        .append("\" -> \"")
        .append(effect.eventId())
        .append("\";\n");
  }

  /** Escapes a label for a double-quoted dot string; {@code \\n} sequences are kept. */
  private static String escape(String s) {
    return s.replace("\"", "\\\"").replace("\n", "\\n");
  }

  private static String timestamp(long micros) {
    return Instant.ofEpochSecond(
            Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L)
        .toString();
  }
}
