package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.AtomicGate;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.DenialPayload;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.ExtensionKey;
import io.batpak.GateDeniedException;
import io.batpak.GateOutcome;
import io.batpak.GateVerdict;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import io.batpak.gate.BypassAudit;
import io.batpak.gate.Committed;
import io.batpak.gate.Gate;
import io.batpak.gate.GateDecision;
import io.batpak.gate.GateSet;
import io.batpak.gate.Pipeline;
import io.batpak.gate.Proposal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Denial events on the stream's chain, and a pipeline's bypass audit stored on its event. */
class DenialEventTest {
  static final Coordinate ORDER = Coordinate.of("order-17", "shop");

  @TempDir Path dir;

  @Test
  void aDenialEventIsChainedReadableDecodableAndSurvivesAReopen() {
    GateSet<Long> gates =
        GateSet.of(
            List.<Gate<Long>>of(
                Gate.of("auth", a -> GateVerdict.permit()),
                Gate.of(
                    "limit",
                    a ->
                        a > 1000
                            ? GateVerdict.deny("TOO_BIG", a + " > 1000", Map.of("limit", "1000"))
                            : GateVerdict.permit()),
                Gate.of("fraud", a -> GateVerdict.permit())));
    AppendReceipt first;
    AppendReceipt denialReceipt;
    DenialPayload payload;
    try (Store store = StoreFixtures.open(dir)) {
      first = store.append(ORDER, KIND, Bytes.utf8("created"));
      GateDecision<Long> d = gates.evaluate(5000L, Proposal.of(5000L));
      GateDecision.Denied<Long> denied = (GateDecision.Denied<Long>) d;
      payload = gates.traceDenial(denied.denial(), KIND, Bytes.of(new byte[32]), "checkout");
      denialReceipt =
          store.appendDenial(
              ORDER,
              payload,
              AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(0)));
      assertEquals(1, denialReceipt.streamSequence());
      assertArrayEquals(
          first.eventHash().toByteArray(),
          denialReceipt.prevHash().toByteArray(),
          "chained to the stream's previous event");
      check(store, denialReceipt, payload);
      AppendReceipt after = store.append(ORDER, KIND, Bytes.utf8("paid"));
      assertEquals(denialReceipt.eventHash(), after.prevHash());
    }
    try (Store store = StoreFixtures.open(dir)) {
      check(store, denialReceipt, payload);
      assertEquals(
          List.of(KIND, EventKind.SYSTEM_DENIAL, KIND),
          store.stream(ORDER.entity()).stream().map(EventHeader::kind).toList());
      assertTrue(store.verifyAll(io.batpak.VerificationProgress.none()).problems().isEmpty());
    }
  }

  private static void check(Store store, AppendReceipt r, DenialPayload payload) {
    StoredEvent e = store.get(r.eventId());
    assertEquals(EventKind.SYSTEM_DENIAL, e.header().kind());
    DenialPayload back = DenialPayload.of(e);
    assertEquals(payload, back);
    assertEquals("limit", back.denial().gate());
    assertEquals(
        List.of(GateOutcome.Permitted.class, GateOutcome.Denied.class, GateOutcome.Skipped.class),
        back.outcomes().stream().map(Object::getClass).toList());
    assertTrue(store.verifyReceipt(r) instanceof ReceiptVerification.Valid, "receipt verifies");
  }

  @Test
  void anAtomicGatesRefusalIsRecordedWithItsProposedKindAndContentHash() {
    AtomicGate<Void> closed =
        AtomicGate.of("closed", ctx -> GateVerdict.deny("CLOSED", "shop closed"));
    try (Store store = StoreFixtures.open(dir)) {
      GateDeniedException e =
          assertThrows(
              GateDeniedException.class,
              () ->
                  store.append(
                      ORDER, KIND, Bytes.utf8("order"), AppendOptions.defaults().withGate(closed)));
      AppendReceipt r = store.appendDenial(ORDER, DenialPayload.of(e, "web"));
      DenialPayload back = DenialPayload.of(store.get(r.eventId()));
      assertEquals(KIND, back.proposedKind());
      assertEquals(e.proposedContentHash(), back.proposedContentHash());
      assertEquals("web", back.pipeline());
      assertEquals(e.denial(), back.denial());
      // The content hash is the one the refused event's receipt would have carried.
      AppendReceipt real = store.append(ORDER, KIND, Bytes.utf8("order"));
      assertEquals(real.contentHash(), back.proposedContentHash());
      ValidationException notDenial =
          assertThrows(
              ValidationException.class, () -> DenialPayload.of(store.get(real.eventId())));
      assertTrue(notDenial.getMessage().contains("not a denial event"), notDenial.getMessage());
    }
  }

  @Test
  void appendDenialChecksItsArguments() {
    try (Store store = StoreFixtures.open(dir)) {
      DenialPayload p =
          new DenialPayload(
              List.of(new GateOutcome.Denied(new io.batpak.Denial("g", "X", "m", Map.of()))),
              KIND,
              Bytes.empty(),
              "");
      assertThrows(NullPointerException.class, () -> store.appendDenial(null, p));
      assertThrows(NullPointerException.class, () -> store.appendDenial(ORDER, null));
      assertThrows(NullPointerException.class, () -> store.appendDenial(ORDER, p, null));
      assertThrows(
          io.batpak.ConcurrencyConflictException.class,
          () ->
              store.appendDenial(
                  ORDER,
                  p,
                  AppendOptions.defaults().withExpectedVersion(ExpectedVersion.exactly(3))));
      // an ordinary append of the system kind is still refused
      assertThrows(
          ValidationException.class,
          () -> store.append(ORDER, EventKind.SYSTEM_DENIAL, p.encode()));
    }
  }

  @Test
  void aBypassAuditIsStoredOnTheEventAndReadBackAfterAReopen() {
    Pipeline<Long> pipeline =
        Pipeline.of(
            GateSet.of(
                List.<Gate<Long>>of(Gate.of("limit", a -> GateVerdict.deny("TOO_BIG", "no")))));
    BypassAudit audit = new BypassAudit("INCIDENT-4711", "court-ordered refund", "cfo");
    Committed<Long> done;
    try (Store store = StoreFixtures.open(dir)) {
      done =
          pipeline.commitBypass(
              pipeline.bypass(Proposal.of(5000L), audit),
              AppendOptions.defaults().withExtension(ExtensionKey.of("app.user"), Bytes.utf8("u1")),
              (amount, options) -> store.append(ORDER, KIND, Bytes.utf8("" + amount), options));
      assertEquals(
          Optional.of(audit), BypassAudit.of(store.get(done.receipt().eventId()).header()));
    }
    try (Store store = StoreFixtures.open(dir)) {
      EventHeader h = store.get(done.receipt().eventId()).header();
      assertEquals(Optional.of(audit), BypassAudit.of(h));
      assertEquals(Bytes.utf8("u1"), h.extensions().get(ExtensionKey.of("app.user")));
      assertTrue(store.verifyReceipt(done.receipt()) instanceof ReceiptVerification.Valid);
      assertTrue(store.verifyAll(io.batpak.VerificationProgress.none()).problems().isEmpty());
    }
  }
}
