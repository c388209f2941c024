package io.batpak.cli;

import io.batpak.AppendReceipt;
import io.batpak.EventId;
import io.batpak.EventNotFoundException;
import io.batpak.Store;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import io.batpak.verify.ReceiptDocument;
import io.batpak.verify.ReceiptJson;
import io.batpak.verify.ReceiptJsonException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * {@code batpak export-receipt <dir> <event-id> [--receipt r.json] [--out f]}: writes the receipt
 * document of a stored event with the event embedded (docs/receipts.md), for {@code
 * verify-receipt}.
 */
final class ExportReceiptCommand implements Command {
  @Override
  public String name() {
    return "export-receipt";
  }

  @Override
  public String summary() {
    return "write an event's receipt document, event embedded, for verify-receipt (read-only)";
  }

  @Override
  public String help() {
    return "usage: batpak export-receipt <dir> <event-id> [--receipt <receipt.json>] [--out <file>]\n"
        + "\n"
        + "Opens the store in dir read-only, reads the event (event:<32 hex digits>) and writes\n"
        + "the receipt document of docs/receipts.md with the event embedded (header fields and\n"
        + "payload), to stdout or --out. With --receipt, the receipt is the one in that document\n"
        + "(the signed receipt the append returned, saved by the application with\n"
        + "io.batpak.verify.ReceiptJson.write); it must name this event. Without it, the receipt\n"
        + "is the unsigned one rebuilt from the stored header (EventHeader.toReceipt), which\n"
        + "'verify-receipt --allow-unsigned' checks by its hashes only.\n"
        + "\n"
        + "exit codes: 0 written, 1 the event or the store cannot be read, 2 usage error\n";
  }

  @Override
  public Set<String> valueOptions() {
    return Set.of("--receipt", "--out");
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(2, 2, "a store directory and an event id");
    Path dir = CommandSupport.existingDirectory(args.positionals().get(0));
    EventId id;
    try {
      id = EventId.parse(args.positionals().get(1));
    } catch (ValidationException e) {
      throw new UsageException(e.getMessage());
    }
    Optional<Path> outFile = args.value("--out").map(o -> Path.of(o).toAbsolutePath().normalize());
    if (outFile.isPresent() && outFile.get().startsWith(dir)) {
      // a read-only command never writes into the store: --out there could replace a segment
      throw new UsageException(
          "--out "
              + outFile.get()
              + " lies inside the store directory "
              + dir
              + "; export-receipt never writes into a store: name a file outside it");
    }
    Optional<AppendReceipt> given = Optional.empty();
    if (args.value("--receipt").isPresent()) {
      Path file = Path.of(args.value("--receipt").get());
      try {
        ReceiptDocument d = ReceiptJson.read(Files.readString(file, StandardCharsets.UTF_8));
        given = Optional.of(d.receipt());
      } catch (IOException e) {
        throw new UsageException("cannot read " + file + ": " + e);
      } catch (ReceiptJsonException e) {
        throw new UsageException(file + " is not a receipt document: " + e.getMessage());
      }
      if (!given.get().eventId().equals(id)) {
        throw new UsageException(
            file + " is the receipt of " + given.get().eventId() + ", not of " + id);
      }
    }
    String json;
    try (Store store = CommandSupport.openReadOnly(dir)) {
      Optional<StoredEvent> e;
      try {
        e = Optional.of(store.get(id));
      } catch (EventNotFoundException x) {
        t.err().println("export-receipt: no visible event " + id + " in " + dir);
        return Main.FAILURE;
      }
      AppendReceipt receipt = given.orElse(e.get().header().toReceipt());
      if (!receipt.unsigned().equals(e.get().header().toReceipt())) {
        t.err()
            .println(
                "export-receipt: the receipt in --receipt does not match the stored event "
                    + id
                    + " (a sequence or a hash differs); 'batpak verify' the store, or check the"
                    + " receipt");
        return Main.FAILURE;
      }
      json = ReceiptJson.write(receipt, e.get().header(), e.get().payload());
    }
    if (outFile.isPresent()) {
      Path out = outFile.get();
      try {
        Files.writeString(out, json, StandardCharsets.UTF_8);
      } catch (IOException e) {
        t.err().println("export-receipt: cannot write " + out + ": " + e);
        return Main.FAILURE;
      }
    } else {
      t.out().print(json);
    }
    return Main.OK;
  }
}
