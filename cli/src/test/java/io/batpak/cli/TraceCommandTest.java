package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.cli.CliRunner.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** {@code batpak trace}: causes up, consequences down, as a tree, JSON and dot. */
class TraceCommandTest {
  private static final EventKind KIND = EventKind.custom(1, 1);

  @TempDir Path tmp;
  private Path dir;

  /**
   * root -> placed -> (paid -> shipped), (reserved); a cycle x <-> y; an orphan with a dangling
   * cause.
   */
  private AppendReceipt root;

  private AppendReceipt placed;
  private AppendReceipt paid;
  private AppendReceipt shipped;
  private AppendReceipt reserved;
  private AppendReceipt x;
  private AppendReceipt orphan;

  private AppendReceipt append(Store s, String entity, AppendReceipt cause, CorrelationId corr) {
    AppendOptions o = AppendOptions.defaults().withCorrelation(corr);
    if (cause != null) {
      o = o.withCausation(CausationId.of(cause.eventId()));
    }
    return s.append(Coordinate.of(entity, "s"), KIND, Bytes.utf8("{}"), o);
  }

  @BeforeEach
  void build() {
    dir = tmp.resolve("store");
    try (Store s = Store.open(StoreConfig.builder(dir).build())) {
      root = s.append(Coordinate.of("cart-1", "s"), KIND, Bytes.utf8("{}"));
      CorrelationId saga = CorrelationId.of(root.eventId());
      placed = append(s, "order-1", root, saga);
      paid = append(s, "payment-1", placed, saga);
      reserved = append(s, "stock-9", placed, saga);
      shipped = append(s, "order-1", paid, saga);
      IdempotencyKey kx = IdempotencyKey.of(7, 1);
      IdempotencyKey ky = IdempotencyKey.of(7, 2);
      x =
          s.append(
              Coordinate.of("loop", "s"),
              KIND,
              Bytes.utf8("x"),
              AppendOptions.defaults()
                  .withIdempotencyKey(kx)
                  .withCausation(CausationId.of(EventId.of(ky))));
      s.append(
          Coordinate.of("loop", "s"),
          KIND,
          Bytes.utf8("y"),
          AppendOptions.defaults()
              .withIdempotencyKey(ky)
              .withCausation(CausationId.of(EventId.of(kx))));
      orphan =
          s.append(
              Coordinate.of("orphan", "s"),
              KIND,
              Bytes.utf8("o"),
              AppendOptions.defaults().withCausation(CausationId.of(9, 9)));
    }
  }

  @Test
  void theTreeShowsCausesAboveAndConsequencesBelow() {
    Result r = CliRunner.run("trace", dir.toString(), placed.eventId().toString());
    assertEquals(Main.OK, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals("causes: up to the root", lines.get(0), r.toString());
    assertTrue(lines.get(1).startsWith(root.eventId() + "  "), r.toString());
    assertTrue(lines.get(1).contains("cart-1 #0  global 0"), r.toString());
    assertTrue(lines.get(2).startsWith("  => " + placed.eventId()), r.toString());
    assertTrue(lines.get(2).contains(KIND.toString()), r.toString());
    assertTrue(lines.get(3).startsWith("    " + paid.eventId()), r.toString());
    assertTrue(lines.get(4).startsWith("      " + shipped.eventId()), r.toString());
    assertTrue(lines.get(4).contains("order-1 #1  global 4"), r.toString());
    assertTrue(lines.get(5).startsWith("    " + reserved.eventId()), r.toString());

    Result shallow =
        CliRunner.run("trace", dir.toString(), placed.eventId().toString(), "--depth", "1");
    assertEquals(Main.OK, shallow.code(), shallow.toString());
    assertTrue(!shallow.out().contains(shipped.eventId().toString()), shallow.toString());
    assertTrue(shallow.out().contains(reserved.eventId().toString()), shallow.toString());
  }

  @Test
  void walksThatStopEarlySayWhy() {
    Result cycle = CliRunner.run("trace", dir.toString(), x.eventId().toString());
    assertEquals(Main.OK, cycle.code(), cycle.toString());
    assertTrue(cycle.out().startsWith("causes: CYCLE at global sequence 5"), cycle.toString());
    assertTrue(cycle.out().contains("(shown above)"), cycle.toString());
    Result dangling = CliRunner.run("trace", dir.toString(), orphan.eventId().toString());
    assertTrue(
        dangling.out().startsWith("causes: DANGLING at global sequence 7"), dangling.toString());
    assertTrue(dangling.out().contains(CausationId.of(9, 9).toString()), dangling.toString());
  }

  @Test
  void jsonAndDot() throws Exception {
    Result r =
        CliRunner.run("trace", dir.toString(), paid.eventId().toString(), "--format", "json");
    assertEquals(Main.OK, r.code(), r.toString());
    JsonNode j = JsonMapper.builder().build().readTree(r.out());
    assertEquals(paid.eventId().toString(), j.get("event").get("eventId").asString());
    List<String> causes = new ArrayList<>();
    j.get("causes").forEach(c -> causes.add(c.get("eventId").asString()));
    assertEquals(List.of(placed.eventId().toString(), root.eventId().toString()), causes);
    assertEquals("ROOT", j.get("causesStop").get("boundary").asString());
    JsonNode below = j.get("consequences");
    assertEquals(1, below.size());
    assertEquals(shipped.eventId().toString(), below.get(0).get("eventId").asString());
    assertEquals("order-1", below.get(0).get("entity").asString());
    assertEquals(4, below.get(0).get("globalSequence").asLong());

    Result d =
        CliRunner.run("trace", dir.toString(), placed.eventId().toString(), "--format", "dot");
    assertEquals(Main.OK, d.code(), d.toString());
    assertTrue(d.out().startsWith("digraph trace {"), d.toString());
    assertTrue(
        d.out().contains("\"" + root.eventId() + "\" -> \"" + placed.eventId() + "\";"),
        d.toString());
    assertTrue(
        d.out().contains("\"" + paid.eventId() + "\" -> \"" + shipped.eventId() + "\";"),
        d.toString());
    assertTrue(d.out().contains("style=bold"), d.toString());
    assertTrue(d.out().trim().endsWith("}"), d.toString());
  }

  @Test
  void aBadIdOrAnUnknownEventIsATypedError() {
    Result bad = CliRunner.run("trace", dir.toString(), "event:xyz");
    assertEquals(Main.USAGE, bad.code(), bad.toString());
    assertTrue(bad.err().contains("'event:xyz' is not an event id"), bad.toString());
    String unknown = EventId.of(1, 1).toString();
    Result missing = CliRunner.run("trace", dir.toString(), unknown);
    assertEquals(Main.FAILURE, missing.code(), missing.toString());
    assertTrue(missing.err().contains("no visible event has id " + unknown), missing.toString());
    Result format =
        CliRunner.run("trace", dir.toString(), root.eventId().toString(), "--format", "svg");
    assertEquals(Main.USAGE, format.code(), format.toString());
    assertTrue(format.err().contains("'svg'"), format.toString());
  }
}
