package io.batpak.gate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.Denial;
import io.batpak.DenialPayload;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.GateOutcome;
import io.batpak.GateVerdict;
import io.batpak.ValidationException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Caller-side gates: the evaluation matrix, sealed receipts, the pipeline and its bypass. */
class GateSetTest {
  record Order(long amount) {}

  static final AppendReceipt RECEIPT =
      new AppendReceipt(
          new EventId(1, 2),
          7,
          3,
          Bytes.of(new byte[32]),
          Bytes.of(new byte[32]),
          Bytes.of(new byte[32]),
          java.util.Optional.empty());

  static <T> GateReceipt<T> passed(GateDecision<T> d) {
    if (d instanceof GateDecision.Passed<T> p) {
      return p.receipt();
    }
    throw new AssertionError("expected a pass, got " + d);
  }

  static <T> GateDecision.Denied<T> denied(GateDecision<T> d) {
    if (d instanceof GateDecision.Denied<T> x) {
      return x;
    }
    throw new AssertionError("expected a denial, got " + d);
  }

  /** A gate of the given behaviour that counts its calls. */
  static Gate<Order> gate(String name, String behaviour, AtomicInteger calls) {
    return Gate.of(
        name,
        o -> {
          calls.incrementAndGet();
          switch (behaviour) {
            case "deny":
              return GateVerdict.deny(
                  "TOO_BIG", name + " says no", Map.of("amount", "" + o.amount()));
            case "throw":
              throw new IllegalStateException(name + " is broken");
            case "null":
              return null;
            default:
              return GateVerdict.permit();
          }
        });
  }

  /** permit / deny / throw / null in each position of a set of three. */
  @Test
  void matrixOfOutcomesInEveryPositionOfThreeGates() {
    for (String behaviour : List.of("permit", "deny", "throw", "null")) {
      for (int position = 0; position < 3; position++) {
        String label = behaviour + " at " + position;
        AtomicInteger[] calls = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
        List<Gate<Order>> gates = new ArrayList<>();
        for (int g = 0; g < 3; g++) {
          gates.add(gate("g" + g, g == position ? behaviour : "permit", calls[g]));
        }
        GateSet<Order> set = GateSet.of(gates);
        GateDecision<Order> d = set.evaluate(new Order(5), Proposal.of(new Order(5)));
        if (behaviour.equals("permit")) {
          GateReceipt<Order> r = passed(d);
          assertEquals(List.of("g0", "g1", "g2"), r.passed(), label);
          assertEquals(new Order(5), r.proposal().payload());
          for (AtomicInteger c : calls) {
            assertEquals(1, c.get(), label);
          }
          assertEquals(List.of(), set.evaluateAll(new Order(5)));
          continue;
        }
        GateDecision.Denied<Order> denied = denied(d);
        assertEquals("g" + position, denied.denial().gate(), label);
        String code = behaviour.equals("deny") ? "TOO_BIG" : Denial.GATE_DEFECT;
        assertEquals(code, denied.denial().code(), label);
        if (behaviour.equals("throw")) {
          assertTrue(denied.denial().message().contains("g" + position + " is broken"), label);
          assertEquals(
              IllegalStateException.class.getName(), denied.denial().context().get("exception"));
        }
        for (int g = 0; g < 3; g++) {
          assertEquals(g <= position ? 1 : 0, calls[g].get(), label + " calls of g" + g);
          GateOutcome o = denied.outcomes().get(g);
          Class<?> expected =
              g < position
                  ? GateOutcome.Permitted.class
                  : g == position ? GateOutcome.Denied.class : GateOutcome.Skipped.class;
          assertInstanceOf(expected, o, label + " outcome of g" + g);
          assertEquals("g" + g, o.gate());
        }
        // evaluateAll runs every gate and reports the one denial
        List<Denial> all = set.evaluateAll(new Order(5));
        assertEquals(1, all.size(), label);
        assertEquals("g" + position, all.get(0).gate());
        for (int g = 0; g < 3; g++) {
          assertEquals(g <= position ? 2 : 1, calls[g].get(), label + " evaluateAll ran g" + g);
        }
        // the denial traced into a denial event's payload matches the decision's outcomes
        DenialPayload p =
            set.traceDenial(denied.denial(), EventKind.DATA, Bytes.of(new byte[32]), "orders");
        assertEquals(denied.outcomes(), p.outcomes(), label);
      }
    }
  }

  /** A bypass of a set whose gate at each position denies commits with its audit on the event. */
  @Test
  void aBypassCommitsWhateverPositionDenies() {
    BypassAudit audit = new BypassAudit("OVERRIDE", "manual review passed", "lead");
    for (int position = 0; position < 3; position++) {
      AtomicInteger[] calls = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
      List<Gate<Order>> gates = new ArrayList<>();
      for (int g = 0; g < 3; g++) {
        gates.add(gate("g" + g, g == position ? "deny" : "permit", calls[g]));
      }
      Pipeline<Order> pipeline = Pipeline.of(GateSet.of(gates));
      assertEquals(
          "g" + position,
          denied(pipeline.evaluate(new Order(9), Proposal.of(new Order(9)))).denial().gate());
      int before = calls[0].get() + calls[1].get() + calls[2].get();
      List<AppendOptions> seen = new ArrayList<>();
      Committed<Order> done =
          pipeline.commitBypass(
              pipeline.bypass(Proposal.of(new Order(9)), audit),
              AppendOptions.defaults(),
              (p, o) -> {
                seen.add(o);
                return RECEIPT;
              });
      assertEquals(before, calls[0].get() + calls[1].get() + calls[2].get(), "no gate ran");
      assertEquals(Optional.of(audit), done.bypass());
      assertEquals(Optional.of(audit), BypassAudit.of(header(seen.get(0).extensions())));
    }
  }

  @Test
  void evaluateAllReportsEveryDenialInOrder() {
    AtomicInteger c = new AtomicInteger();
    GateSet<Order> set =
        GateSet.of(List.of(gate("a", "deny", c), gate("b", "permit", c), gate("c", "throw", c)));
    List<Denial> all = set.evaluateAll(new Order(1));
    assertEquals(List.of("a", "c"), all.stream().map(Denial::gate).toList());
    assertEquals(List.of("TOO_BIG", Denial.GATE_DEFECT), all.stream().map(Denial::code).toList());
  }

  @Test
  void anEmptySetPermitsAndNamesMustBeUnique() {
    GateDecision<Order> d =
        GateSet.<Order>of(List.of()).evaluate(new Order(1), Proposal.of(new Order(1)));
    assertInstanceOf(GateDecision.Passed.class, d);
    AtomicInteger c = new AtomicInteger();
    ValidationException e =
        assertThrows(
            ValidationException.class,
            () -> GateSet.of(List.of(gate("same", "permit", c), gate("same", "deny", c))));
    assertTrue(e.getMessage().contains("'same'"), e.getMessage());
    assertThrows(ValidationException.class, () -> Gate.of(" ", o -> GateVerdict.permit()));
    assertThrows(NullPointerException.class, () -> GateSet.of(null));
    GateSet<Order> set = GateSet.of(List.of(gate("a", "permit", c)));
    assertThrows(NullPointerException.class, () -> set.evaluate(null, Proposal.of(new Order(1))));
    assertThrows(NullPointerException.class, () -> set.evaluate(new Order(1), null));
    assertEquals(List.of("a", "b"), set.with(gate("b", "permit", c)).names());
    assertEquals(1, set.size(), "with makes a copy");
  }

  /**
   * A receipt cannot be forged: the class is final, it has no public or protected constructor and
   * no public factory, and its one constructor needs a capability whose only instance is private to
   * GateSet (whose own constructor is private), so even code in this package cannot make one.
   */
  @Test
  void aGateReceiptCannotBeForged() throws Exception {
    for (Class<?> sealed : List.of(GateReceipt.class, BypassReceipt.class)) {
      assertTrue(Modifier.isFinal(sealed.getModifiers()), sealed + " is final");
      for (Constructor<?> c : sealed.getDeclaredConstructors()) {
        assertFalse(Modifier.isPublic(c.getModifiers()) || Modifier.isProtected(c.getModifiers()));
        assertTrue(
            c.getParameterTypes()[0] == GateSet.Capability.class
                || c.getParameterTypes()[0] == Pipeline.Capability.class,
            "the first parameter is a capability: " + c);
      }
      for (Method m : sealed.getDeclaredMethods()) {
        if (Modifier.isStatic(m.getModifiers())) {
          assertFalse(Modifier.isPublic(m.getModifiers()), "a public factory: " + m);
        }
      }
    }
    for (Class<?> capability : List.of(GateSet.Capability.class, Pipeline.Capability.class)) {
      assertTrue(Modifier.isFinal(capability.getModifiers()));
      for (Constructor<?> c : capability.getDeclaredConstructors()) {
        assertTrue(Modifier.isPrivate(c.getModifiers()), "capability constructor " + c);
      }
    }
    for (Class<?> owner : List.of(GateSet.class, Pipeline.class)) {
      for (Field f : owner.getDeclaredFields()) {
        if (f.getType().getSimpleName().equals("Capability")) {
          assertTrue(Modifier.isPrivate(f.getModifiers()), "capability field " + f);
        }
      }
    }
    // Without the capability the constructor refuses (null is all a forger can pass).
    assertThrows(
        NullPointerException.class,
        () -> new GateReceipt<>(null, GateSet.of(List.of()), Proposal.of("x"), List.of()));
  }

  /**
   * A receipt whose append threw is used: the second commit is refused, and the message says what
   * happened and what to do (it said "was committed before", which nothing was, and not to evaluate
   * again); a foreign receipt from a gate set with the same gate names is told apart.
   */
  @Test
  void aReceiptWhoseAppendThrewIsUsedAndTheRefusalSaysWhatToDo() {
    AtomicInteger c = new AtomicInteger();
    Pipeline<Order> pipeline = Pipeline.of(GateSet.of(List.of(gate("a", "permit", c))));
    GateReceipt<Order> r = passed(pipeline.evaluate(new Order(3), Proposal.of(new Order(3))));
    assertThrows(
        IllegalStateException.class,
        () ->
            pipeline.commit(
                r,
                AppendOptions.defaults(),
                (p, o) -> {
                  throw new IllegalStateException("the append failed");
                }));
    ValidationException again =
        assertThrows(
            ValidationException.class,
            () -> pipeline.commit(r, AppendOptions.defaults(), (p, o) -> RECEIPT));
    assertFalse(again.getMessage().contains("was committed before"), again.getMessage());
    assertTrue(
        again.getMessage().contains("commits once")
            && again.getMessage().contains("Evaluate the proposal again"),
        again.getMessage());
    Pipeline<Order> twin = Pipeline.of(GateSet.of(List.of(gate("a", "permit", c))));
    GateReceipt<Order> foreign = passed(twin.evaluate(new Order(1), Proposal.of(new Order(1))));
    ValidationException other =
        assertThrows(
            ValidationException.class,
            () -> pipeline.commit(foreign, AppendOptions.defaults(), (p, o) -> RECEIPT));
    assertTrue(other.getMessage().contains("another gate set"), other.getMessage());
  }

  @Test
  void aPipelineCommitsAReceiptOnceAndOnlyItsOwn() {
    AtomicInteger c = new AtomicInteger();
    Pipeline<Order> pipeline = Pipeline.of(GateSet.of(List.of(gate("a", "permit", c))));
    GateReceipt<Order> r = passed(pipeline.evaluate(new Order(3), Proposal.of(new Order(3))));
    List<Object[]> appended = new ArrayList<>();
    Committed<Order> done =
        pipeline.commit(
            r,
            AppendOptions.defaults().withFlags(3),
            (payload, options) -> {
              appended.add(new Object[] {payload, options});
              return RECEIPT;
            });
    assertEquals(new Order(3), done.payload());
    assertEquals(RECEIPT, done.receipt());
    assertEquals(List.of("a"), done.passed());
    assertEquals(Optional.empty(), done.bypass());
    assertEquals(1, appended.size());
    assertEquals(3, ((AppendOptions) appended.get(0)[1]).flags());
    assertTrue(r.isUsed());
    ValidationException twice =
        assertThrows(
            ValidationException.class,
            () -> pipeline.commit(r, AppendOptions.defaults(), (p, o) -> RECEIPT));
    assertTrue(twice.getMessage().contains("commits once"), twice.getMessage());
    assertEquals(1, appended.size());
    // a receipt from another gate set is refused
    Pipeline<Order> other = Pipeline.of(GateSet.of(List.of(gate("a", "permit", c))));
    GateReceipt<Order> foreign = passed(other.evaluate(new Order(1), Proposal.of(new Order(1))));
    assertThrows(
        ValidationException.class,
        () -> pipeline.commit(foreign, AppendOptions.defaults(), (p, o) -> RECEIPT));
    assertFalse(foreign.isUsed(), "a refused receipt stays usable with its own pipeline");
  }

  @Test
  void aBypassCarriesItsAuditInReservedExtensions() {
    AtomicInteger c = new AtomicInteger();
    Pipeline<Order> pipeline = Pipeline.of(GateSet.of(List.of(gate("limit", "deny", c))));
    denied(pipeline.evaluate(new Order(9), Proposal.of(new Order(9))));
    BypassAudit audit = new BypassAudit("INCIDENT-4711", "refund ordered by court", "cfo@example");
    BypassReceipt<Order> b = pipeline.bypass(Proposal.of(new Order(9)), audit);
    List<AppendOptions> seen = new ArrayList<>();
    Committed<Order> done =
        pipeline.commitBypass(
            b,
            AppendOptions.defaults().withExtension(ExtensionKey.of("app.trace"), Bytes.utf8("t")),
            (p, o) -> {
              seen.add(o);
              return RECEIPT;
            });
    assertEquals(Optional.of(audit), done.bypass());
    assertEquals(List.of(), done.passed());
    Map<ExtensionKey, Bytes> ext = seen.get(0).extensions();
    assertEquals(Bytes.utf8("INCIDENT-4711"), ext.get(ExtensionKey.BYPASS_REASON));
    assertEquals(Bytes.utf8("refund ordered by court"), ext.get(ExtensionKey.BYPASS_JUSTIFICATION));
    assertEquals(Bytes.utf8("cfo@example"), ext.get(ExtensionKey.BYPASS_APPROVER));
    assertEquals(Bytes.utf8("t"), ext.get(ExtensionKey.of("app.trace")));
    assertEquals("batpak.bypass-reason", ExtensionKey.BYPASS_REASON.value());
    assertThrows(
        ValidationException.class,
        () -> pipeline.commitBypass(b, AppendOptions.defaults(), (p, o) -> RECEIPT),
        "a bypass commits once");
    // the audit reads back from a header carrying the extensions
    EventHeader h = header(ext);
    assertEquals(Optional.of(audit), BypassAudit.of(h));
    assertEquals(Optional.empty(), BypassAudit.of(header(Map.of())));
    assertThrows(
        ValidationException.class,
        () -> BypassAudit.of(header(Map.of(ExtensionKey.BYPASS_REASON, Bytes.utf8("x")))));
    assertThrows(ValidationException.class, () -> new BypassAudit("r", " ", "a"));
    assertThrows(NullPointerException.class, () -> new BypassAudit("r", "j", null));
    // another pipeline's bypass receipt is refused
    Pipeline<Order> other = Pipeline.of(GateSet.of(List.of()));
    assertThrows(
        ValidationException.class,
        () ->
            other.commitBypass(
                pipeline.bypass(Proposal.of(new Order(1)), audit),
                AppendOptions.defaults(),
                (p, o) -> RECEIPT));
  }

  static EventHeader header(Map<ExtensionKey, Bytes> ext) {
    return new EventHeader(
        new EventId(1, 2),
        Coordinate.of("e", "s"),
        EventKind.DATA,
        0,
        0,
        0,
        new CorrelationId(1, 2),
        Optional.empty(),
        0,
        0,
        ext,
        0,
        Bytes.of(new byte[32]),
        Bytes.of(new byte[32]),
        Bytes.of(new byte[32]));
  }
}
