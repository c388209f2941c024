package io.batpak.cli;

import io.batpak.verify.VerifyReceiptTool;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code batpak verify-receipt <receipt.json> --key <pub>[,<pub>...]}: offline receipt verification
 * (module {@code verify}, {@link VerifyReceiptTool}); no store is opened.
 */
final class VerifyReceiptCommand implements Command {
  @Override
  public String name() {
    return "verify-receipt";
  }

  @Override
  public String summary() {
    return "check a receipt document and its signature offline (no store); exit 0 if valid";
  }

  @Override
  public String help() {
    return VerifyReceiptTool.usage()
            .replace("usage: verify-receipt", "usage: batpak verify-receipt")
        + "\nWith this command a repeated key is given as one comma-separated --key value.\n";
  }

  @Override
  public Set<String> valueOptions() {
    return Set.of("--key");
  }

  @Override
  public Set<String> switchOptions() {
    return Set.of("--allow-unsigned");
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(1, 1, "one receipt document");
    List<String> tool = new ArrayList<>(args.positionals());
    args.value("--key").ifPresent(k -> tool.addAll(List.of("--key", k)));
    if (args.has("--allow-unsigned")) {
      tool.add("--allow-unsigned");
    }
    return VerifyReceiptTool.run(tool, t.out(), t.err());
  }
}
