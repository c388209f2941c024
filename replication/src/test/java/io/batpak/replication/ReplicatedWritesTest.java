package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.AtomicGate;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.Denial;
import io.batpak.DenialPayload;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.EventType;
import io.batpak.EventTypes;
import io.batpak.ExpectedVersion;
import io.batpak.ExtensionKey;
import io.batpak.GateDeniedException;
import io.batpak.GateVerdict;
import io.batpak.IdempotencyKey;
import io.batpak.Payload;
import io.batpak.Projection;
import io.batpak.Region;
import io.batpak.StreamFold;
import io.batpak.ValidationException;
import io.batpak.test.BatpakTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write paths beyond plain appends, through a replicated store (ADR 0041): atomic gates decided
 * by the member that takes the append and pinned by an expected version; encoded and typed
 * payloads; denial events; a reactor's follow-ups; an outbox's flush. Every case ends with the
 * members holding the same events.
 */
@BatpakTest
class ReplicatedWritesTest {
  private static final EventKind DEPOSIT = EventKind.custom(2, 1);
  private static final EventKind WITHDRAW = EventKind.custom(2, 2);
  private static final EventKind NOTE = EventKind.custom(2, 3);
  private static final Coordinate ACCOUNT = Coordinate.of("account-7", "bank");

  /** The balance: deposits add, withdrawals subtract, the amount as decimal text. */
  private static final StreamFold<Long> BALANCE =
      StreamFold.of(
          0L,
          (sum, e) -> {
            long amount = Long.parseLong(e.payload().toUtf8());
            return e.header().kind().equals(DEPOSIT) ? sum + amount : sum - amount;
          });

  /** Never lets the balance fall below zero. */
  private static final AtomicGate<Long> COVERED =
      AtomicGate.of(
          "covered",
          BALANCE,
          ctx -> {
            long amount = Long.parseLong(ctx.payload().toUtf8());
            return ctx.state() >= amount
                ? GateVerdict.permit()
                : GateVerdict.deny(
                    "INSUFFICIENT", "balance " + ctx.state() + " < " + amount, Map.of());
          });

  /** A raw {@code NOTE} batch item on {@code entity} (scope "s"). */
  private static BatchItem note(String entity, String text, AppendOptions options, int causedBy) {
    return new BatchItem(
        Coordinate.of(entity, "s"), NOTE, new Payload.Raw(Bytes.utf8(text)), options, causedBy);
  }

  private static AppendOptions gated() {
    return AppendOptions.defaults().withGate(COVERED);
  }

  @Test
  void concurrentGatedWithdrawalsThroughEveryMemberNeverOverdraw(Random random, @TempDir Path dir)
      throws Exception {
    int funds = 12;
    int writers = 4;
    int attemptsEach = 6;
    try (Cluster c = Cluster.start(dir, 3)) {
      c.leader().append(ACCOUNT, DEPOSIT, Bytes.utf8(Integer.toString(funds)));
      List<ReplicatedStore> members = c.live();
      ExecutorService pool = Executors.newFixedThreadPool(writers);
      List<AppendReceipt> accepted = Collections.synchronizedList(new ArrayList<>());
      AtomicInteger denied = new AtomicInteger();
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
          ReplicatedStore via = members.get(random.nextInt(members.size()));
          done.add(
              pool.submit(
                  () -> {
                    for (int i = 0; i < attemptsEach; i++) {
                      try {
                        accepted.add(via.append(ACCOUNT, WITHDRAW, Bytes.utf8("1"), gated()));
                      } catch (GateDeniedException e) {
                        assertEquals("covered", e.denial().gate());
                        assertEquals("INSUFFICIENT", e.denial().code());
                        denied.incrementAndGet();
                      }
                    }
                    return null;
                  }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(funds, accepted.size(), "every unit withdrawn once, none twice");
      assertEquals(writers * attemptsEach - funds, denied.get());
      for (ReplicatedStore s : c.live()) {
        s.awaitLeaderHead(Cluster.WAIT);
        assertEquals(
            0L, (long) s.project(ACCOUNT.entity(), projection()).state(), "on " + s.memberId());
        for (AppendReceipt r : accepted) {
          assertEquals(r.eventHash(), s.get(r.eventId()).header().eventHash());
        }
      }
      c.assertConverged();
    }
  }

  private static Projection<Long> projection() {
    return Projection.of("balance", 1, Set.of(DEPOSIT, WITHDRAW), 0L, Long.class, BALANCE::apply);
  }

  @Test
  void aGateDecidesOnceAndItsFailuresAreDenialsLikeTheEngines(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore s = c.follower();
      Coordinate at = Coordinate.of("g-1", "s");
      AtomicGate<?> throwing =
          AtomicGate.of(
              "throws",
              ctx -> {
                throw new IllegalStateException("boom");
              });
      GateDeniedException defect =
          assertThrows(
              GateDeniedException.class,
              () ->
                  s.append(at, NOTE, Bytes.utf8("x"), AppendOptions.defaults().withGate(throwing)));
      assertEquals(Denial.GATE_DEFECT, defect.denial().code());
      assertEquals(
          IllegalStateException.class.getName(), defect.denial().context().get("exception"));

      // A gate that calls the store back is a defect, as in the engine: its append is refused
      // (it would land behind the gated append's back and make the proposer decide again, running
      // the gate and its append once more, until the request timed out).
      AtomicReference<Throwable> fromGate = new AtomicReference<>();
      AtomicGate<?> appending =
          AtomicGate.of(
              "appends",
              ctx -> {
                try {
                  s.append(
                      Coordinate.of("g-side", "s"),
                      NOTE,
                      Bytes.utf8("from the gate"),
                      AppendOptions.defaults());
                } catch (RuntimeException e) {
                  fromGate.set(e);
                  throw e;
                }
                return GateVerdict.permit();
              });
      assertEquals(
          Denial.GATE_DEFECT,
          assertThrows(
                  GateDeniedException.class,
                  () ->
                      s.append(
                          at, NOTE, Bytes.utf8("x"), AppendOptions.defaults().withGate(appending)))
              .denial()
              .code());
      assertInstanceOf(IllegalStateException.class, fromGate.get());
      assertEquals(0, s.stream("g-side").size(), "the gate's append wrote nothing");

      AtomicGate<?> returnsNull = AtomicGate.of("null", ctx -> null);
      assertEquals(
          Denial.GATE_DEFECT,
          assertThrows(
                  GateDeniedException.class,
                  () ->
                      s.append(
                          at,
                          NOTE,
                          Bytes.utf8("x"),
                          AppendOptions.defaults().withGate(returnsNull)))
              .denial()
              .code());

      CountDownLatch never = new CountDownLatch(1);
      AtomicGate<?> hangs =
          AtomicGate.of(
              "hangs",
              ctx -> {
                try {
                  never.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return GateVerdict.permit();
              });
      GateDeniedException timeout =
          assertThrows(
              GateDeniedException.class,
              () -> s.append(at, NOTE, Bytes.utf8("x"), AppendOptions.defaults().withGate(hangs)));
      assertEquals(Denial.GATE_TIMEOUT, timeout.denial().code());
      never.countDown();

      // The first denial stops the gates after it; a permitting gate sees the stream's version.
      AtomicInteger ranAfterDenial = new AtomicInteger();
      AtomicGate<?> no = AtomicGate.of("no", ctx -> GateVerdict.deny("NO", "no", Map.of()));
      AtomicGate<?> counted =
          AtomicGate.of(
              "counted",
              ctx -> {
                ranAfterDenial.incrementAndGet();
                return GateVerdict.permit();
              });
      assertThrows(
          GateDeniedException.class,
          () ->
              s.append(
                  at,
                  NOTE,
                  Bytes.utf8("x"),
                  AppendOptions.defaults().withGate(no).withGate(counted)));
      assertEquals(0, ranAfterDenial.get());
      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        assertTrue(
            m.stream(at.entity()).isEmpty(), "no denied append was written on " + m.memberId());
      }

      AtomicGate<?> atVersion =
          AtomicGate.of(
              "at-version",
              ctx ->
                  ctx.version() == 2 && ctx.latest().orElseThrow().payload().toUtf8().equals("b")
                      ? GateVerdict.permit()
                      : GateVerdict.deny("VERSION", "saw " + ctx.version(), Map.of()));
      s.append(at, NOTE, Bytes.utf8("a"));
      s.append(at, NOTE, Bytes.utf8("b"));
      AppendReceipt third =
          s.append(at, NOTE, Bytes.utf8("c"), AppendOptions.defaults().withGate(atVersion));
      assertEquals(2, c.leader().get(third.eventId()).header().streamSequence());
      c.assertConverged();
    }
  }

  @Test
  void expectationsRetriesAndBatchesKeepTheirSingleNodeMeaning(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore s = c.follower();
      Coordinate at = Coordinate.of("b-1", "s");
      AtomicGate<?> permit = AtomicGate.of("permit", ctx -> GateVerdict.permit());
      s.append(at, NOTE, Bytes.utf8("0"));
      ConcurrencyConflictException conflict =
          assertThrows(
              ConcurrencyConflictException.class,
              () ->
                  s.append(
                      at,
                      NOTE,
                      Bytes.utf8("x"),
                      AppendOptions.defaults()
                          .withGate(permit)
                          .withExpectedVersion(ExpectedVersion.exactly(5))));
      assertEquals(1, conflict.actualNextSequence());

      // A keyed retry returns the first receipt and does not run the gates again.
      IdempotencyKey key = IdempotencyKey.of(0x6A7E, 1);
      AtomicInteger runs = new AtomicInteger();
      AtomicGate<?> once =
          AtomicGate.of(
              "once",
              ctx ->
                  runs.incrementAndGet() == 1
                      ? GateVerdict.permit()
                      : GateVerdict.deny("AGAIN", "ran twice", Map.of()));
      AppendOptions keyed = AppendOptions.defaults().withIdempotencyKey(key).withGate(once);
      AppendReceipt first = s.append(at, NOTE, Bytes.utf8("keyed"), keyed);
      c.leader().awaitLeaderHead(Cluster.WAIT);
      assertEquals(first, c.leader().append(at, NOTE, Bytes.utf8("keyed"), keyed));
      assertEquals(first, s.append(at, NOTE, Bytes.utf8("keyed"), keyed));
      assertEquals(1, runs.get(), "the retries ran no gate");

      // A batch: a denial of any item refuses the whole batch and names the item.
      AtomicGate<?> no = AtomicGate.of("no", ctx -> GateVerdict.deny("NO", "no", Map.of()));
      List<BatchItem> batch =
          List.of(
              note("b-2", "1", AppendOptions.defaults().withGate(permit), -1),
              note("b-3", "2", AppendOptions.defaults().withGate(no), -1));
      GateDeniedException denied =
          assertThrows(GateDeniedException.class, () -> s.appendBatch(batch));
      assertTrue(denied.getMessage().contains("batch item 1"), denied.getMessage());
      List<BatchItem> twice = List.of(batch.get(0), note("b-2", "3", AppendOptions.defaults(), -1));
      assertThrows(ReplicationUnsupportedException.class, () -> s.appendBatch(twice));
      List<AppendReceipt> ok =
          s.appendBatch(
              List.of(
                  batch.get(0), note("b-3", "2", AppendOptions.defaults().withGate(permit), -1)));
      assertEquals(2, ok.size());
      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        assertEquals(1, m.stream("b-2").size(), "on " + m.memberId());
      }
      c.assertConverged();
    }
  }

  @Test
  void encodedPayloadsDenialsAndBypassAuditsReachEveryMemberAsTheSameBytes(@TempDir Path dir)
      throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore s = c.follower();
      Coordinate at = Coordinate.of("e-1", "s");
      AppendReceipt encoded =
          s.appendEncoded(at, NOTE, Map.of("item", "lamp", "count", 2), AppendOptions.defaults());
      AppendReceipt submitted =
          s.submitEncoded(at, NOTE, List.of("a", "b"), AppendOptions.defaults()).get();
      List<AppendReceipt> batch =
          s.appendBatch(
              List.of(
                  new BatchItem(at, NOTE, Payload.encoded("text"), AppendOptions.defaults(), -1)));

      AtomicGate<?> no = AtomicGate.of("no", ctx -> GateVerdict.deny("NO", "refused", Map.of()));
      GateDeniedException refused =
          assertThrows(
              GateDeniedException.class,
              () -> s.append(at, NOTE, Bytes.utf8("x"), AppendOptions.defaults().withGate(no)));
      AppendReceipt denial = s.appendDenial(at, DenialPayload.of(refused, "test"));

      AppendReceipt audited =
          s.append(
              at,
              NOTE,
              Bytes.utf8("bypassed"),
              AppendOptions.defaults()
                  .withExtension(ExtensionKey.BYPASS_REASON, Bytes.utf8("outage"))
                  .withExtension(ExtensionKey.BYPASS_JUSTIFICATION, Bytes.utf8("ticket 9"))
                  .withExtension(ExtensionKey.BYPASS_APPROVER, Bytes.utf8("ops")));

      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        Map<?, ?> value = m.get(encoded.eventId(), Map.class);
        assertEquals("lamp", value.get("item"), "on " + m.memberId());
        assertEquals(List.of("a", "b"), m.get(submitted.eventId(), List.class));
        assertEquals("text", m.get(batch.get(0).eventId(), String.class));
        EventHeader h = m.get(denial.eventId()).header();
        assertEquals(EventKind.SYSTEM_DENIAL, h.kind());
        DenialPayload read = DenialPayload.of(m.get(denial.eventId()));
        assertEquals("no", read.denial().gate());
        assertEquals("test", read.pipeline());
        assertEquals(
            "outage",
            new String(
                m.get(audited.eventId())
                    .header()
                    .extensions()
                    .get(ExtensionKey.BYPASS_REASON)
                    .toByteArray(),
                StandardCharsets.UTF_8));
      }
      c.assertConverged();
    }
  }

  /** A typed event (schema version 1; an untyped event has 0). */
  @EventType(category = 0x3, typeId = 0x001)
  public record Shipped(String order, int parcels) {}

  /** A typed event no member registers. */
  @EventType(category = 0x3, typeId = 0x002)
  public record Unregistered(String what) {}

  @Test
  void typedEventsKeepTheirSchemaVersionOnEveryMember(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.startTuned(dir, 3, b -> b.eventTypes(Shipped.class))) {
      ReplicatedStore s = c.follower();
      Coordinate at = Coordinate.of("order-1", "shop");
      AppendReceipt typed = s.appendTyped(at, new Shipped("order-1", 3));
      ValidationException unregistered =
          assertThrows(ValidationException.class, () -> s.appendTyped(at, new Unregistered("x")));
      assertTrue(
          unregistered.getMessage().contains(Unregistered.class.getName()),
          unregistered.getMessage());
      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        EventHeader h = m.get(typed.eventId()).header();
        assertEquals(1, h.payloadVersion(), "on " + m.memberId());
        assertEquals(EventTypes.kindOf(Shipped.class), h.kind());
        assertEquals(new Shipped("order-1", 3), m.get(typed.eventId(), Shipped.class));
        assertEquals(1, m.stream(at.entity()).size(), "the unregistered type was not proposed");
      }
      c.assertConverged();
    }
  }

  @Test
  void aReactorOnAMemberAppendsEachFollowUpOnceThroughRaftEvenWhenASourceIsRedelivered(
      @TempDir Path dir) throws Exception {
    EventKind placed = EventKind.custom(4, 1);
    EventKind ship = EventKind.custom(4, 2);
    try (Cluster c = Cluster.start(dir, 3)) {
      List<AppendReceipt> sources = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        sources.add(
            c.leader().append(Coordinate.of("order-" + i, "shop"), placed, Bytes.utf8("o" + i)));
      }
      ReplicatedStore member = c.follower();
      member.awaitLeaderHead(Cluster.WAIT); // all five sources in the reactor's first batch
      java.util.concurrent.atomic.AtomicBoolean failedOnce =
          new java.util.concurrent.atomic.AtomicBoolean();
      io.batpak.CursorWorker worker =
          member.reactor(
              Region.all().withKind(placed),
              "shipper",
              io.batpak.CursorWorkerConfig.defaults()
                  .withBatchSize(5)
                  .withBackoff(java.time.Duration.ofMillis(1), java.time.Duration.ofMillis(10)),
              (source, reactions) -> {
                reactions.append(
                    Coordinate.of("shipment-" + source.header().entity(), "shop"),
                    ship,
                    source.payload());
                // The third source fails once after two sources' follow-ups were appended: the
                // batch is delivered again from the checkpoint before it.
                if (source.header().globalSequence() == sources.get(2).globalSequence()
                    && failedOnce.compareAndSet(false, true)) {
                  throw new IllegalStateException("fail once");
                }
              });
      try {
        long deadline = System.nanoTime() + Cluster.WAIT.toNanos();
        while (worker.position() < sources.get(4).globalSequence()) {
          assertTrue(worker.isRunning(), "the reactor runs");
          assertTrue(System.nanoTime() < deadline, "the reactor reached the last source");
          Thread.sleep(20);
        }
        assertTrue(worker.metrics().restarts() >= 1, "the failing source was redelivered");
      } finally {
        worker.stop();
        worker.join();
      }
      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        List<EventHeader> shipped =
            Cluster.all(m).stream().filter(h -> h.kind().equals(ship)).toList();
        assertEquals(5, shipped.size(), "one follow-up per source on " + m.memberId());
        for (int i = 0; i < 5; i++) {
          assertEquals(
              io.batpak.CausationId.of(sources.get(i).eventId()).toString(),
              shipped.get(i).causation().orElseThrow().toString(),
              "follow-up " + i + " names its source as cause");
        }
      }
      c.assertConverged();
    }
  }

  @Test
  void anOutboxFlushesItsStagedEventsAsOneAtomicEntry(@TempDir Path dir) throws Exception {
    try (Cluster c = Cluster.start(dir, 3)) {
      ReplicatedStore s = c.follower();
      io.batpak.Outbox outbox = s.outbox();
      Coordinate at = Coordinate.of("ob-1", "s");
      assertEquals(1, outbox.stage(at, NOTE, Bytes.utf8("first"), AppendOptions.defaults()));
      assertEquals(2, outbox.stageEncoded(at, NOTE, "second", AppendOptions.defaults()));
      assertEquals(3, outbox.stage(note("ob-2", "third", AppendOptions.defaults(), 0)));
      assertThrows(
          ValidationException.class,
          () ->
              outbox.stage(
                  Coordinate.of("ob-3", "s"),
                  EventKind.SYSTEM_DENIAL,
                  Bytes.utf8("x"),
                  AppendOptions.defaults()));
      assertThrows(
          ValidationException.class,
          () -> outbox.stage(note("ob-3", "x", AppendOptions.defaults(), 5)));
      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        assertTrue(Cluster.all(m).isEmpty(), "nothing is written before flush");
      }
      List<AppendReceipt> flushed = outbox.flush();
      assertEquals(3, flushed.size());
      assertEquals(0, outbox.size());
      assertEquals(List.of(), outbox.flush(), "an empty flush writes nothing");
      // One entry: a conflict in any staged event refuses them all.
      outbox.stage(at, NOTE, Bytes.utf8("ok"), AppendOptions.defaults());
      outbox.stage(
          at,
          NOTE,
          Bytes.utf8("stale"),
          AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream()));
      assertThrows(ConcurrencyConflictException.class, outbox::flush);
      outbox.close();
      assertThrows(IllegalStateException.class, outbox::flush);
      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        assertEquals(3, Cluster.all(m).size(), "on " + m.memberId());
        assertEquals("second", m.get(flushed.get(1).eventId(), String.class));
        assertEquals(
            io.batpak.CausationId.of(flushed.get(0).eventId()),
            m.get(flushed.get(2).eventId()).header().causation().orElseThrow());
      }
      c.assertConverged();
    }
  }

  @Test
  void aRetainCompactionDropsTheSameEventsOnEveryMember(@TempDir Path dir) throws Exception {
    EventKind keep = EventKind.custom(5, 1);
    EventKind drop = EventKind.custom(5, 2);
    try (Cluster c = Cluster.start(dir, 3)) {
      // 8 KiB payloads in 64 KiB segments: several sealed segments, the same on every member.
      List<AppendReceipt> receipts = new ArrayList<>();
      byte[] filler = new byte[8 * 1024];
      for (int i = 0; i < 40; i++) {
        filler[0] = (byte) i;
        receipts.add(
            c.leader()
                .append(
                    Coordinate.of("c-" + (i % 4), "s"),
                    i % 2 == 0 ? keep : drop,
                    Bytes.of(filler.clone())));
      }
      ReplicatedStore via = c.follower();
      AtomicInteger progress = new AtomicInteger();
      io.batpak.CompactionResult result =
          via.compact(
              io.batpak.CompactionConfig.retain(e -> !e.header().kind().equals(drop))
                  .progress((done, total) -> progress.set((int) done)));
      assertEquals(
          io.batpak.CompactionResult.Outcome.PERFORMED, result.outcome(), result.toString());
      assertTrue(result.eventsDropped() > 0, result.toString());
      assertEquals(40, progress.get(), "the predicate saw every event below the cut");
      AppendReceipt after = via.append(Coordinate.of("c-0", "s"), drop, Bytes.utf8("after"));
      List<String> reference = null;
      for (ReplicatedStore m : c.live()) {
        m.awaitLeaderHead(Cluster.WAIT);
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < receipts.size(); i++) {
          io.batpak.ReceiptVerification v = m.verifyReceipt(receipts.get(i));
          if (v instanceof io.batpak.ReceiptVerification.CompactedAway) {
            assertEquals(1, i % 2, "only events of the rejected kind go: event " + i);
          } else {
            assertTrue(v.isValid(), "on " + m.memberId() + ": " + v);
          }
          outcomes.add(v.getClass().getSimpleName());
        }
        assertTrue(m.verifyReceipt(after).isValid(), "an event above the cut stays");
        if (reference == null) {
          reference = outcomes;
        } else {
          assertEquals(reference, outcomes, "every member dropped the same events");
        }
      }
      assertTrue(reference.contains("CompactedAway"), String.valueOf(reference));
      c.assertConverged();
      // Stream c-1 holds only rejected events, the oldest of them dropped: a gate that folds it
      // cannot see every event (a denial, as on one node); one that only needs its newest event
      // still decides.
      AtomicGate<Integer> counting =
          AtomicGate.of("counting", StreamFold.of(0, (n, e) -> n + 1), ctx -> GateVerdict.permit());
      GateDeniedException unavailable =
          assertThrows(
              GateDeniedException.class,
              () ->
                  via.append(
                      Coordinate.of("c-1", "s"),
                      keep,
                      Bytes.utf8("x"),
                      AppendOptions.defaults().withGate(counting)));
      assertEquals(Denial.GATE_STATE_UNAVAILABLE, unavailable.denial().code());
      assertTrue(unavailable.getMessage().contains("compaction dropped"), unavailable.getMessage());
      AtomicGate<?> newest =
          AtomicGate.of(
              "newest",
              ctx ->
                  ctx.latest().isPresent()
                      ? GateVerdict.permit()
                      : GateVerdict.deny("NONE", "", Map.of()));
      receipts.add(
          via.append(
              Coordinate.of("c-1", "s"),
              keep,
              Bytes.utf8("gated"),
              AppendOptions.defaults().withGate(newest)));
      reference.add("Valid");
      // A member that restarts replays the entries its journal lacks; the compaction holds.
      String other = c.live().stream().filter(m -> m != via).findFirst().orElseThrow().memberId();
      c.kill(other);
      c.startMember(other).awaitLeaderHead(Cluster.WAIT);
      for (int i = 0; i < receipts.size(); i++) {
        assertEquals(
            reference.get(i),
            c.member(other).verifyReceipt(receipts.get(i)).getClass().getSimpleName(),
            "event " + i + " after the restart");
      }
      c.assertConverged();
    }
  }

  /**
   * A member finds its place in the Raft log from its journal's newest event. A retain compaction
   * that drops the newest events (every event of a member that just restarted sits in sealed
   * segments) must not move that place back on its next start: the member would re-run entries it
   * had refused against a later state, and accept one the others refused.
   */
  @Test
  void aRestartAfterACompactionDroppedTheNewestEventsReappliesNoRefusedEntry(@TempDir Path dir)
      throws Exception {
    Coordinate a = Coordinate.of("a", "s");
    Coordinate b = Coordinate.of("b", "s");
    IdempotencyKey refusedKey = IdempotencyKey.of(0xBAD, 1);
    try (Cluster c = Cluster.start(dir, 3)) {
      c.leader().append(a, NOTE, Bytes.utf8("a0"));
      c.leader().append(b, NOTE, Bytes.utf8("b0"));
      // Refused: a's last event has sequence 0. Run after the next append, it would be accepted.
      assertThrows(
          ConcurrencyConflictException.class,
          () ->
              c.leader()
                  .append(
                      a,
                      NOTE,
                      Bytes.utf8("refused"),
                      AppendOptions.defaults()
                          .withExpectedVersion(ExpectedVersion.exactly(1))
                          .withIdempotencyKey(refusedKey)));
      AppendReceipt newest = c.leader().append(a, NOTE, Bytes.utf8("a1"));
      c.assertConverged();
      // Restarted, every member's events sit in sealed segments, which a compaction rewrites; this
      // one drops b0 and the newest event, a1.
      List<String> ids = new ArrayList<>();
      for (ReplicatedStore m : c.live()) {
        ids.add(m.memberId());
      }
      for (String id : ids) {
        c.kill(id);
      }
      for (String id : ids) {
        c.startMember(id);
      }
      c.leader().awaitLeaderHead(Cluster.WAIT);
      io.batpak.CompactionResult result =
          c.leader()
              .compact(
                  io.batpak.CompactionConfig.retain(
                      e -> e.header().globalSequence() < newest.globalSequence() - 1));
      assertEquals(
          io.batpak.CompactionResult.Outcome.PERFORMED, result.outcome(), result.toString());
      c.assertConverged();
      String victim = c.follower().memberId();
      c.kill(victim);
      ReplicatedStore restarted = c.startMember(victim);
      restarted.awaitLeaderHead(Cluster.WAIT);
      assertEquals(null, restarted.stoppedReason(), "the restarted member runs");
      assertThrows(
          io.batpak.EventNotFoundException.class,
          () -> restarted.get(io.batpak.EventId.of(refusedKey)),
          "the restarted member holds the append every member refused");
      c.assertConverged();
    }
  }
}
