package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.test.BatpakTest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Client threads append through random members while the leader is killed mid-run; the recorded
 * history is then checked against every member's events (HistoryChecker). Size with {@code
 * -Dbatpak.replication.history.ops=N} (appends per client; 25 by default).
 */
@BatpakTest
class HistoryCheckTest {
  private static final EventKind KIND = EventKind.custom(1, 3);
  private static final int CLIENTS = 4;
  private static final int OPS = Integer.getInteger("batpak.replication.history.ops", 25);

  @Test
  void acknowledgedAppendsSurviveALeaderKillAndMembersAgree(Random random, @TempDir Path dir)
      throws Exception {
    History history = new History();
    long seed = random.nextLong();
    try (Cluster c = Cluster.start(dir, 3)) {
      c.leader();
      AtomicInteger done = new AtomicInteger();
      CountDownLatch half = new CountDownLatch(CLIENTS * OPS / 2);
      List<Thread> clients = new ArrayList<>();
      List<Throwable> crashed = new ArrayList<>();
      for (int p = 0; p < CLIENTS; p++) {
        int process = p;
        Random r = new Random(seed + p);
        Thread t =
            new Thread(
                () -> {
                  for (int i = 0; i < OPS; i++) {
                    step(c, history, r, process, i);
                    done.incrementAndGet();
                    half.countDown();
                  }
                },
                "client-" + p);
        t.setUncaughtExceptionHandler(
            (th, e) -> {
              synchronized (crashed) {
                crashed.add(e);
              }
            });
        clients.add(t);
        t.start();
      }
      half.await();
      String killed = c.leader().memberId();
      c.kill(killed);
      for (Thread t : clients) {
        t.join();
      }
      assertTrue(crashed.isEmpty(), "client threads threw: " + crashed);
      c.startMember(killed);
      c.assertConverged();
      Map<String, List<EventHeader>> members = new LinkedHashMap<>();
      for (ReplicatedStore s : c.live()) {
        members.put(s.memberId(), Cluster.all(s));
      }
      List<History.Op> ops = history.ops();
      List<String> violations = HistoryChecker.check(ops, members);
      assertEquals(List.of(), violations, "history of " + ops.size() + " records");
      long oks = ops.stream().filter(o -> o.type() == History.Type.OK).count();
      long fails = ops.stream().filter(o -> o.type() == History.Type.FAIL).count();
      assertTrue(oks > CLIENTS * OPS / 2, oks + " acknowledged of " + CLIENTS * OPS);
      assertTrue(fails > 0, "the workload includes appends the store refuses");
      assertEquals(CLIENTS * OPS, done.get());
    }
  }

  /**
   * One operation of {@code process}: an append through a random running member; one in five
   * expects a stream version no stream reaches in this run, so the store must refuse it.
   */
  private static void step(Cluster c, History history, Random r, int process, int i) {
    long opId = ((long) process << 32) | i;
    IdempotencyKey key = IdempotencyKey.of(0xC11E, opId);
    String entity = "s" + r.nextInt(5);
    boolean doomed = r.nextInt(5) == 0;
    AppendOptions options =
        AppendOptions.defaults()
            .withIdempotencyKey(key)
            .withExpectedVersion(
                doomed ? ExpectedVersion.exactly(1_000_000) : ExpectedVersion.any());
    EventId event = EventId.of(key);
    history.add(new History.Op(process, History.Type.INVOKE, opId, entity, event, null));
    List<ReplicatedStore> live = c.live();
    if (live.isEmpty()) {
      history.add(new History.Op(process, History.Type.INFO, opId, entity, event, null));
      return;
    }
    ReplicatedStore via = live.get(r.nextInt(live.size()));
    try {
      AppendReceipt receipt =
          via.append(Coordinate.of(entity, "h"), KIND, Bytes.utf8("op " + opId), options);
      history.add(new History.Op(process, History.Type.OK, opId, entity, event, receipt));
    } catch (ConcurrencyConflictException e) {
      history.add(new History.Op(process, History.Type.FAIL, opId, entity, event, null));
    } catch (RuntimeException e) {
      history.add(new History.Op(process, History.Type.INFO, opId, entity, event, null));
    }
  }

  @Test
  void theCheckerReportsEachKindOfViolation(@TempDir Path dir) {
    List<EventHeader> events;
    List<History.Op> ops = new ArrayList<>();
    try (SimStoreFs fs = new SimStoreFs(42);
        Store store = Store.open(StoreConfig.builder(dir.resolve("s")).fs(fs).build())) {
      for (int i = 0; i < 4; i++) {
        IdempotencyKey key = IdempotencyKey.of(1, i);
        String entity = "e" + (i % 2);
        ops.add(new History.Op(0, History.Type.INVOKE, i, entity, EventId.of(key), null));
        AppendReceipt r =
            store.append(
                Coordinate.of(entity, "x"),
                KIND,
                Bytes.utf8("v" + i),
                AppendOptions.defaults().withIdempotencyKey(key));
        ops.add(new History.Op(0, History.Type.OK, i, entity, EventId.of(key), r));
      }
      events = Cluster.all(store);
    }
    EventId never = EventId.of(IdempotencyKey.of(1, 99));
    ops.add(new History.Op(1, History.Type.INVOKE, 99, "e0", never, null));
    ops.add(new History.Op(1, History.Type.FAIL, 99, "e0", never, null));
    assertEquals(
        List.of(), HistoryChecker.check(ops, Map.of("a", events, "b", events)), "clean history");

    // An acknowledged append missing on one member.
    List<EventHeader> lost = new ArrayList<>(events.subList(0, 3));
    assertViolation(ops, Map.of("a", events, "b", lost), "was acknowledged but member b lacks it");

    // A failed append present on a member.
    List<History.Op> failedButThere = new ArrayList<>(ops);
    failedButThere.removeIf(o -> o.opId() == 3 && o.type() == History.Type.OK);
    failedButThere.add(
        new History.Op(0, History.Type.FAIL, 3, "e1", events.get(3).eventId(), null));
    assertViolation(failedButThere, Map.of("a", events), "op 3 failed but member a holds it");

    // Members that disagree on order (global and per stream).
    List<EventHeader> swapped = new ArrayList<>(events);
    swapped.set(1, events.get(3));
    swapped.set(3, events.get(1));
    assertViolation(ops, Map.of("a", events, "b", swapped), "differ at position 1");
    assertViolation(ops, Map.of("b", swapped), "global sequence 3 where 1 comes next");
    assertViolation(
        ops, Map.of("b", swapped), "stream 'e1' has sequence 1 at global 3 where 0 comes next");

    // An event nobody appended, and an event written twice.
    List<History.Op> forgotten = new ArrayList<>(ops);
    forgotten.removeIf(o -> o.opId() == 2);
    assertViolation(forgotten, Map.of("a", events), "was never appended by a client");
    List<EventHeader> doubled = new ArrayList<>(events);
    doubled.add(events.get(0));
    assertViolation(ops, Map.of("a", doubled), "appears twice");

    // A completion without an invocation.
    List<History.Op> orphan = new ArrayList<>(ops);
    orphan.add(new History.Op(2, History.Type.INFO, 7, "e0", never, null));
    assertViolation(orphan, Map.of("a", events), "op 7 completed (INFO) before its invocation");
  }

  private static void assertViolation(
      List<History.Op> ops, Map<String, List<EventHeader>> members, String expected) {
    List<String> v = HistoryChecker.check(ops, members);
    assertTrue(
        v.stream().anyMatch(s -> s.contains(expected)),
        "expected a violation containing '" + expected + "', got " + v);
  }
}
