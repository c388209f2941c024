package io.batpak.it.docs.samples;

// sample:gates
import io.batpak.AppendOptions;
import io.batpak.AtomicGate;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.DenialPayload;
import io.batpak.EventKind;
import io.batpak.GateDeniedException;
import io.batpak.GateVerdict;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StreamFold;
import io.batpak.gate.Gate;
import io.batpak.gate.GateDecision;
import io.batpak.gate.GateSet;
import io.batpak.gate.Pipeline;
import io.batpak.gate.Proposal;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

public class GatesExample {
  public static void main(String[] args) {
    run(Path.of("data"));
  }

  static final EventKind MOVED = EventKind.custom(0x1, 0x001);

  /**
   * The balance of an account: each MOVED payload is a signed amount in decimal. Denial events sit
   * on the same stream (their kind is SYSTEM_DENIAL), so the fold looks at the kind.
   */
  static final StreamFold<Long> BALANCE =
      StreamFold.of(
          0L,
          (balance, e) ->
              e.header().kind().equals(MOVED)
                  ? balance + Long.parseLong(e.payload().toUtf8())
                  : balance);

  /** Atomic: runs in the writer, so two withdrawals can never both see the same balance. */
  static final AtomicGate<Long> NO_OVERDRAFT =
      AtomicGate.of(
          "no-overdraft",
          BALANCE,
          ctx -> {
            long amount = Long.parseLong(ctx.payload().toUtf8());
            return ctx.state() + amount >= 0
                ? GateVerdict.permit()
                : GateVerdict.deny(
                    "INSUFFICIENT_FUNDS",
                    "balance " + ctx.state() + " cannot cover " + -amount,
                    Map.of("balance", Long.toString(ctx.state())));
          });

  /** Caller-side: policy on the request, before anything is queued. */
  record Transfer(String account, long amount, String user) {}

  static final Pipeline<Transfer> TRANSFERS =
      Pipeline.of(
          GateSet.of(
              List.<Gate<Transfer>>of(
                  Gate.of(
                      "known-user",
                      t ->
                          t.user().isEmpty()
                              ? GateVerdict.deny("ANONYMOUS", "log in")
                              : GateVerdict.permit()),
                  Gate.of(
                      "limit",
                      t ->
                          Math.abs(t.amount()) <= 10_000
                              ? GateVerdict.permit()
                              : GateVerdict.deny("OVER_LIMIT", "at most 10000 per transfer")))));

  /** Returns what happened, in words. */
  static String transfer(Store store, Transfer t) {
    Coordinate account = Coordinate.of(t.account(), "bank");
    Bytes amount = Bytes.utf8(Long.toString(t.amount()));
    GateDecision<Transfer> d = TRANSFERS.evaluate(t, Proposal.of(t));
    if (d instanceof GateDecision.Denied<Transfer> denied) {
      store.appendDenial(
          account,
          TRANSFERS.gates().traceDenial(denied.denial(), MOVED, Bytes.empty(), "transfers"));
      return "refused by " + denied.denial().gate();
    }
    try {
      TRANSFERS.commit(
          ((GateDecision.Passed<Transfer>) d).receipt(),
          AppendOptions.defaults().withGate(NO_OVERDRAFT),
          (p, options) -> store.append(account, MOVED, amount, options));
      return "done";
    } catch (GateDeniedException e) {
      store.appendDenial(account, DenialPayload.of(e, "transfers"));
      return "refused by " + e.denial().gate();
    }
  }

  static void run(Path dir) {
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      assert transfer(store, new Transfer("acc-1", 100, "ann")).equals("done");
      assert transfer(store, new Transfer("acc-1", -150, "ann")).equals("refused by no-overdraft");
      assert transfer(store, new Transfer("acc-1", 20_000, "ann")).equals("refused by limit");
      assert transfer(store, new Transfer("acc-1", -100, "ann")).equals("done");
      assert store.stream("acc-1").size() == 4; // two transfers, two denial events
    }
  }
}
// end-sample:gates
