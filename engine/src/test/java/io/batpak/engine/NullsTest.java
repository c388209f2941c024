package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Denial;
import io.batpak.DenialPayload;
import io.batpak.EventId;
import io.batpak.GateOutcome;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.SubscriptionOptions;
import io.batpak.Watermark;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * One rule for nulls across {@link Store} (issue 8 defect 9, decision 12 (docs/architecture.md)):
 * every reference parameter of every public method, null, throws {@link NullPointerException}
 * naming the parameter, and writes nothing. A reflective check keeps the table complete as methods
 * are added.
 */
class NullsTest {
  static final Coordinate C = Coordinate.of("e1", "s");

  @TempDir Path dir;

  @Test
  void everyNullArgumentOfEveryStoreMethodNamesItsParameter() {
    try (Store store = StoreFixtures.open(dir)) {
      AppendReceipt r = store.append(C, KIND, Bytes.utf8("x"));
      EventId id = r.eventId();
      AppendOptions o = AppendOptions.defaults();
      Map<String, Executable> calls = new LinkedHashMap<>();
      calls.put("append/coordinate", () -> store.append(null, KIND, Bytes.utf8("x"), o));
      calls.put("append/kind", () -> store.append(C, null, Bytes.utf8("x"), o));
      calls.put("append/payload", () -> store.append(C, KIND, null, o));
      calls.put("append/options", () -> store.append(C, KIND, Bytes.utf8("x"), null));
      calls.put("appendEncoded/coordinate", () -> store.appendEncoded(null, KIND, "x", o));
      calls.put("appendEncoded/kind", () -> store.appendEncoded(C, null, "x", o));
      calls.put("appendEncoded/value", () -> store.appendEncoded(C, KIND, null, o));
      calls.put("appendEncoded/options", () -> store.appendEncoded(C, KIND, "x", null));
      calls.put("appendTyped/coordinate", () -> store.appendTyped(null, "x", o));
      calls.put("appendTyped/record", () -> store.appendTyped(C, null, o));
      calls.put("appendTyped/options", () -> store.appendTyped(C, "x", null));
      calls.put("appendBatch/items", () -> store.appendBatch(null));
      calls.put(
          "appendBatch/items[1]",
          () -> store.appendBatch(Arrays.asList(BatchItem.of(C, KIND, Bytes.utf8("a")), null)));
      calls.put("submit/coordinate", () -> store.submit(null, KIND, Bytes.utf8("x"), o));
      calls.put("submit/kind", () -> store.submit(C, null, Bytes.utf8("x"), o));
      calls.put("submit/payload", () -> store.submit(C, KIND, null, o));
      calls.put("submit/options", () -> store.submit(C, KIND, Bytes.utf8("x"), null));
      calls.put("submitEncoded/coordinate", () -> store.submitEncoded(null, KIND, "x", o));
      calls.put("submitEncoded/kind", () -> store.submitEncoded(C, null, "x", o));
      calls.put("submitEncoded/value", () -> store.submitEncoded(C, KIND, null, o));
      calls.put("submitEncoded/options", () -> store.submitEncoded(C, KIND, "x", null));
      calls.put("get/id", () -> store.get(null));
      calls.put("get/type", () -> store.get(id, null));
      calls.put("queryAfter/region", () -> store.queryAfter(null, -1, 10));
      calls.put("stream/entity", () -> store.stream(null));
      calls.put("streamEvents/entity", () -> store.streamEvents(null, 0, 1));
      calls.put("latest/entity", () -> store.latest(null));
      calls.put("verifyAll/progress", () -> store.verifyAll(null));
      calls.put("verifyReceipt/receipt", () -> store.verifyReceipt(null));
      calls.put("compact/config", () -> store.compact(null));
      calls.put("waitFor/watermark", () -> store.waitFor(null, 0, Duration.ofSeconds(1)));
      calls.put("waitFor/timeout", () -> store.waitFor(Watermark.DURABLE, 0, null));
      calls.put("open/config", () -> Store.open(null));
      calls.put("snapshot/dest", () -> store.snapshot(null));
      calls.put("fork/dest", () -> store.fork(null));
      DenialPayload denial =
          new DenialPayload(
              List.of(new GateOutcome.Denied(new Denial("g", "NO", "no", Map.of()))),
              KIND,
              Bytes.empty(),
              "");
      calls.put("appendDenial/coordinate", () -> store.appendDenial(null, denial, o));
      calls.put("appendDenial/denial", () -> store.appendDenial(C, null, o));
      calls.put("appendDenial/options", () -> store.appendDenial(C, denial, null));
      calls.put("walkAncestors/id", () -> store.walkAncestors(null, 1));
      calls.put("walkCauses/id", () -> store.walkCauses(null));
      calls.put("consequences/id", () -> store.consequences(null));
      calls.put("correlated/id", () -> store.correlated(null, -1, 10));
      io.batpak.Projection<Long> projection =
          io.batpak.Projection.of("p", 1, java.util.Set.of(), 0L, Long.class, (n, ev) -> n);
      calls.put("project/entity", () -> store.project((String) null, projection));
      calls.put("project/projection", () -> store.project("e", null));
      calls.put(
          "project/freshness", () -> store.project("e", projection, (io.batpak.Freshness) null));
      calls.put("project/region", () -> store.project((Region) null, projection));
      calls.put("projectIfChanged/entity", () -> store.projectIfChanged(null, projection, 0));
      calls.put("projectIfChanged/projection", () -> store.projectIfChanged("e", null, 0));
      io.batpak.CursorWorkerConfig wc = io.batpak.CursorWorkerConfig.defaults();
      calls.put("cursor/region", () -> store.cursor(null));
      calls.put("cursor/checkpointId", () -> store.cursor(Region.all(), null));
      calls.put("cursorWorker/region", () -> store.cursorWorker(null, "w", wc, b -> {}));
      calls.put(
          "cursorWorker/checkpointId", () -> store.cursorWorker(Region.all(), null, wc, b -> {}));
      calls.put("cursorWorker/config", () -> store.cursorWorker(Region.all(), "w", null, b -> {}));
      calls.put("cursorWorker/handler", () -> store.cursorWorker(Region.all(), "w", wc, null));
      calls.put("reactor/region", () -> store.reactor(null, "r", wc, (ev, rs) -> {}));
      calls.put(
          "reactor/checkpointId", () -> store.reactor(Region.all(), null, wc, (ev, rs) -> {}));
      calls.put("reactor/config", () -> store.reactor(Region.all(), "r", null, (ev, rs) -> {}));
      calls.put("reactor/reactor", () -> store.reactor(Region.all(), "r", wc, null));
      calls.put("consumer/name", () -> store.consumer(null));
      // --- subscriptions and the outbox ---
      SubscriptionOptions so = SubscriptionOptions.defaults();
      calls.put("subscribe/region", () -> store.subscribe(null, so));
      calls.put("subscribe/options", () -> store.subscribe(Region.all(), null));
      calls.put("subscribeFrom/region", () -> store.subscribeFrom(null, -1, so));
      calls.put("subscribeFrom/options", () -> store.subscribeFrom(Region.all(), -1, null));
      // --- event types ---
      calls.put("decode/event", () -> store.decode(null, String.class));
      calls.put("decode/type", () -> store.decode(store.get(id), null));
      for (Map.Entry<String, Executable> e : calls.entrySet()) {
        String parameter = e.getKey().substring(e.getKey().indexOf('/') + 1);
        NullPointerException npe =
            assertThrows(NullPointerException.class, e.getValue(), e.getKey());
        assertEquals(parameter + " must not be null", npe.getMessage(), e.getKey());
      }
      assertEquals(1, store.stats().eventCount(), "nothing was written");
      assertEquals(List.of(), store.queryAfter(Region.all(), 0, 10));

      // Every public method with a reference parameter is in the table (by name).
      Set<String> covered = new TreeSet<>();
      calls.keySet().forEach(k -> covered.add(k.substring(0, k.indexOf('/'))));
      Set<String> needed = new TreeSet<>();
      for (Method m : Store.class.getMethods()) {
        boolean takesReference =
            Arrays.stream(m.getParameterTypes()).anyMatch(t -> !t.isPrimitive());
        if (takesReference && !Modifier.isStatic(m.getModifiers()) || m.getName().equals("open")) {
          needed.add(m.getName());
        }
      }
      assertEquals(needed, covered, "methods with reference parameters vs. the table");
    }
  }
}
