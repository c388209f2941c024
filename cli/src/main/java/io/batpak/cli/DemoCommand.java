package io.batpak.cli;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.CausationId;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.IdempotencyKey;
import io.batpak.Payload;
import io.batpak.ReceiptVerification;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoreStats;
import io.batpak.cli.DemoEvents.CustomerRegistered;
import io.batpak.cli.DemoEvents.OrderCancelled;
import io.batpak.cli.DemoEvents.OrderConfirmed;
import io.batpak.cli.DemoEvents.OrderLineAdded;
import io.batpak.cli.DemoEvents.OrderPlaced;
import io.batpak.cli.DemoEvents.PaymentCaptured;
import io.batpak.cli.DemoEvents.PaymentRequested;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** {@code batpak demo [dir]}: writes a small order-and-payment saga, reopens and verifies it. */
final class DemoCommand implements Command {

  static final String DEFAULT_DIR = "batpak-demo";
  private static final String SCOPE = "shop";

  @Override
  public String name() {
    return "demo";
  }

  @Override
  public String summary() {
    return "write a small order-and-payment saga into a new store, reopen it and verify it";
  }

  @Override
  public String help() {
    return "usage: batpak demo [dir]\n\n"
        + "Creates a store in dir (default ./"
        + DEFAULT_DIR
        + ", which must not exist or be empty)\n"
        + "and appends a small, realistic history: a customer, two orders, a payment.\n"
        + "It shows correlation and causation ids linking the saga, one optimistic-concurrency\n"
        + "conflict (a stale expected version), one idempotent retry (same key, same receipt)\n"
        + "and one atomic batch. Then it closes the store, reopens it and verifies every\n"
        + "receipt against the stored frames.\n\n"
        + "exit codes: 0 everything verified, 1 something did not, 2 usage error\n";
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(0, 1, "at most one directory");
    Path dir =
        Paths.get(args.positionals().isEmpty() ? DEFAULT_DIR : args.positionals().get(0))
            .toAbsolutePath()
            .normalize();
    checkFresh(dir);
    return new Run(dir, t.out(), t.err()).run();
  }

  private static void checkFresh(Path dir) throws UsageException {
    if (!Files.exists(dir)) {
      return;
    }
    if (!Files.isDirectory(dir)) {
      throw new UsageException(dir + " is a file; give a new directory for the demo store");
    }
    try (Stream<Path> entries = Files.list(dir)) {
      if (entries.findAny().isPresent()) {
        throw new UsageException(
            dir
                + " exists and is not empty. Give another directory (batpak demo /tmp/my-demo),"
                + " or delete this one first if it is an old demo store (rm -r "
                + dir
                + ").");
      }
    } catch (IOException e) {
      throw new UsageException("cannot list " + dir + ": " + e.getMessage());
    }
  }

  /** One run of the scenario; collects receipts and problems. */
  private static final class Run {
    private final Path dir;
    private final PrintStream out;
    private final PrintStream err;
    private final Map<AppendReceipt, String> receipts = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private AppendReceipt orderPlaced;

    private final Coordinate customer = Coordinate.of("customer:42", SCOPE);
    private final Coordinate order1001 = Coordinate.of("order:1001", SCOPE);
    private final Coordinate order1002 = Coordinate.of("order:1002", SCOPE);
    private final Coordinate payment1001 = Coordinate.of("payment:1001", SCOPE);

    Run(Path dir, PrintStream out, PrintStream err) {
      this.dir = dir;
      this.out = out;
      this.err = err;
    }

    int run() {
      out.println("batpak demo: an order-and-payment saga in " + dir);
      out.println();
      try (Store store = Store.open(StoreConfig.builder(dir).codec("json").build())) {
        out.println("opened a new store (backend " + store.openReport().backend() + ")");
        out.println("every append below returned after the fsync that made it durable");
        out.println();
        write(store);
      }
      out.println();
      out.println("closed the store; reopening it to check what is on disk");
      out.println();
      reopenAndVerify();
      out.println();
      if (problems.isEmpty()) {
        out.println("demo finished: every receipt verified. Look around with");
        out.println("  batpak inspect " + dir);
        out.println("  batpak verify  " + dir);
        out.println("  batpak dump    " + dir + " --entity order:1001");
        return Main.OK;
      }
      err.println("demo FAILED: " + problems.size() + " problem(s):");
      problems.forEach(p -> err.println("  " + p));
      return Main.FAILURE;
    }

    private void write(Store store) {
      AppendReceipt registered =
          append(
              store,
              customer,
              DemoEvents.CUSTOMER_REGISTERED,
              new CustomerRegistered("customer:42", "Ada Lovelace", "ada@example.com"),
              AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream()),
              "a new customer (expected version: no stream yet)");

      out.println();
      out.println("order:1001 starts a saga; its correlation id is the order event's own id");
      AppendReceipt placed =
          append(
              store,
              order1001,
              DemoEvents.ORDER_PLACED,
              new OrderPlaced("order:1001", "customer:42", "EUR"),
              AppendOptions.defaults()
                  .withExpectedVersion(ExpectedVersion.noStream())
                  .withCausation(CausationId.of(registered.eventId())),
              "placed by customer:42");
      orderPlaced = placed;
      CorrelationId saga = CorrelationId.of(placed.eventId());
      AppendOptions inSaga = AppendOptions.defaults().withCorrelation(saga);
      out.println("  saga " + saga);

      out.println();
      out.println(
          "an atomic batch: three order lines in one frame, visible all at once or not at all");
      List<BatchItem> lines =
          List.of(
              new BatchItem(
                  order1001,
                  DemoEvents.ORDER_LINE_ADDED,
                  Payload.encoded(new OrderLineAdded("order:1001", 1, "KEYBOARD-DE", 1, 8_900)),
                  inSaga
                      .withCausation(CausationId.of(placed.eventId()))
                      .withExpectedVersion(ExpectedVersion.exactly(placed.streamSequence())),
                  -1),
              new BatchItem(
                  order1001,
                  DemoEvents.ORDER_LINE_ADDED,
                  Payload.encoded(new OrderLineAdded("order:1001", 2, "USB-C-CABLE", 3, 1_295)),
                  inSaga.withCausation(CausationId.of(placed.eventId())),
                  -1),
              new BatchItem(
                  order1001,
                  DemoEvents.ORDER_LINE_ADDED,
                  Payload.encoded(new OrderLineAdded("order:1001", 3, "MOUSE-PAD", 2, 450)),
                  inSaga.withCausation(CausationId.of(placed.eventId())),
                  -1));
      List<AppendReceipt> lineReceipts = store.appendBatch(lines);
      for (int i = 0; i < lineReceipts.size(); i++) {
        record(lineReceipts.get(i), order1001, DemoEvents.ORDER_LINE_ADDED, "line " + (i + 1));
      }
      AppendReceipt lastLine = lineReceipts.get(lineReceipts.size() - 1);
      long total = 8_900 + 3 * 1_295 + 2 * 450;

      out.println();
      out.println("the payment, caused by the order and keyed for idempotency");
      IdempotencyKey paymentKey = IdempotencyKey.forOperation("payments.request", "order:1001");
      AppendOptions paymentOptions =
          inSaga.withCausation(CausationId.of(placed.eventId())).withIdempotencyKey(paymentKey);
      PaymentRequested request = new PaymentRequested("payment:1001", "order:1001", total, "EUR");
      AppendReceipt requested =
          append(
              store,
              payment1001,
              DemoEvents.PAYMENT_REQUESTED,
              request,
              paymentOptions,
              String.format(Locale.ROOT, "%d.%02d EUR", total / 100, total % 100));

      out.println();
      out.println("the client timed out and retries the same request with the same key");
      AppendReceipt retried =
          store.appendEncoded(payment1001, DemoEvents.PAYMENT_REQUESTED, request, paymentOptions);
      if (retried.eventId().equals(requested.eventId())
          && retried.globalSequence() == requested.globalSequence()
          && retried.eventHash().equals(requested.eventHash())) {
        out.println(
            "  same receipt back: global "
                + retried.globalSequence()
                + ", "
                + retried.eventId()
                + " ("
                + paymentKey
                + "); nothing was appended twice");
      } else {
        problems.add(
            "the idempotent retry returned a different receipt: first "
                + requested
                + ", retry "
                + retried);
        record(retried, payment1001, DemoEvents.PAYMENT_REQUESTED, "retry (unexpected new event)");
      }

      out.println();
      out.println("the provider takes the money (compare-and-set on the payment stream)");
      AppendReceipt captured =
          append(
              store,
              payment1001,
              DemoEvents.PAYMENT_CAPTURED,
              new PaymentCaptured("payment:1001", "order:1001", total, "acme-pay"),
              inSaga
                  .withCausation(CausationId.of(requested.eventId()))
                  .withExpectedVersion(ExpectedVersion.exactly(requested.streamSequence())),
              "caused by the payment request");

      out.println();
      out.println(
          "confirming order:1001 with its current version "
              + lastLine.streamSequence()
              + " (compare-and-set)");
      append(
          store,
          order1001,
          DemoEvents.ORDER_CONFIRMED,
          new OrderConfirmed("order:1001", "payment:1001"),
          inSaga
              .withCausation(CausationId.of(captured.eventId()))
              .withExpectedVersion(ExpectedVersion.exactly(lastLine.streamSequence())),
          "caused by the capture");

      out.println();
      out.println(
          "a stale writer, who last saw order:1001 at version "
              + placed.streamSequence()
              + ", tries to cancel it");
      try {
        AppendReceipt wrong =
            store.appendEncoded(
                order1001,
                DemoEvents.ORDER_CANCELLED,
                new OrderCancelled("order:1001", "customer changed their mind"),
                inSaga.withExpectedVersion(ExpectedVersion.exactly(placed.streamSequence())));
        problems.add("the stale compare-and-set was accepted: " + wrong);
        record(wrong, order1001, DemoEvents.ORDER_CANCELLED, "accepted by mistake");
      } catch (ConcurrencyConflictException e) {
        out.println("  refused as expected: " + e.getMessage());
      }

      out.println();
      out.println("a second order by the same customer, cancelled at once");
      AppendReceipt placed2 =
          append(
              store,
              order1002,
              DemoEvents.ORDER_PLACED,
              new OrderPlaced("order:1002", "customer:42", "EUR"),
              AppendOptions.defaults().withExpectedVersion(ExpectedVersion.noStream()),
              "a new saga");
      append(
          store,
          order1002,
          DemoEvents.ORDER_CANCELLED,
          new OrderCancelled("order:1002", "ordered twice by mistake"),
          AppendOptions.defaults()
              .withCorrelation(CorrelationId.of(placed2.eventId()))
              .withCausation(CausationId.of(placed2.eventId()))
              .withExpectedVersion(ExpectedVersion.exactly(placed2.streamSequence())),
          "same correlation as its order");
    }

    private AppendReceipt append(
        Store store,
        Coordinate coordinate,
        EventKind kind,
        Object payload,
        AppendOptions options,
        String note) {
      AppendReceipt receipt = store.appendEncoded(coordinate, kind, payload, options);
      record(receipt, coordinate, kind, note);
      return receipt;
    }

    private void record(AppendReceipt receipt, Coordinate coordinate, EventKind kind, String note) {
      String label = coordinate.entity() + " " + DemoEvents.kindName(kind);
      receipts.putIfAbsent(receipt, label);
      out.println(
          String.format(
              Locale.ROOT,
              "  global %-3d stream %-13s #%-2d %-18s hash %s prev %s  %s",
              receipt.globalSequence(),
              coordinate.entity(),
              receipt.streamSequence(),
              DemoEvents.kindName(kind),
              CommandSupport.shortHash(receipt.eventHash()),
              CommandSupport.shortHash(receipt.prevHash()),
              note));
    }

    private void reopenAndVerify() {
      try (Store store = Store.open(StoreConfig.builder(dir).codec("json").build())) {
        int valid = 0;
        for (Map.Entry<AppendReceipt, String> e : receipts.entrySet()) {
          ReceiptVerification v = store.verifyReceipt(e.getKey());
          if (v.isValid()) {
            valid++;
          } else {
            ReceiptVerification.Invalid invalid = (ReceiptVerification.Invalid) v;
            problems.add(
                "receipt of "
                    + e.getValue()
                    + " (global "
                    + e.getKey().globalSequence()
                    + ") did not verify: "
                    + invalid.reason()
                    + ": "
                    + invalid.detail());
          }
        }
        out.println(
            "verified "
                + valid
                + " of "
                + receipts.size()
                + " receipts against the stored frames (CRC, position, sequences,"
                + " content hash, chain hash)");
        OrderPlaced back = store.get(orderPlaced.eventId(), OrderPlaced.class);
        out.println(
            "read back global " + orderPlaced.globalSequence() + " through the codec: " + back);
        StoreStats stats = store.stats();
        out.println(
            CommandSupport.count(stats.eventCount(), "event")
                + " in "
                + CommandSupport.count(stats.streamCount(), "stream")
                + ", "
                + CommandSupport.bytes(stats.journalBytes())
                + " in "
                + CommandSupport.count(stats.segmentCount(), "segment"));
        if (stats.eventCount() != receipts.size()) {
          problems.add(
              "the reopened store has "
                  + stats.eventCount()
                  + " events, the demo appended "
                  + receipts.size());
        }
        out.println();
        Reports.printOpenReport(out, store.openReport(), dir);
      }
    }
  }
}
