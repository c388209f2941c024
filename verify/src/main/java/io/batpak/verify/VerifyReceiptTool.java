package io.batpak.verify;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Bytes;
import io.batpak.StoreException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.apiguardian.api.API;

/**
 * {@code verify-receipt}: checks a receipt JSON document that embeds its event ({@code
 * docs/receipts.md}) with the public keys given, no store. Runs from the verify jar alone ({@code
 * java -cp batpak-verify.jar:batpak-api.jar:bcprov.jar io.batpak.verify.VerifyReceiptTool ...}) and
 * behind {@code batpak verify-receipt}.
 *
 * <pre>
 * verify-receipt &lt;receipt.json&gt; --key &lt;public key&gt; [--key ...] [--allow-unsigned]
 * </pre>
 *
 * <p>A key is 64 hex digits, or the path of a file holding such keys, one per line; a value may
 * list several separated by commas. Prints one line: {@code signed-valid key <key id>}, {@code
 * unsigned-accepted}, or {@code invalid <REASON>: <detail>}. Exit codes: {@value #VALID} for a
 * signed, valid receipt (and an unsigned one whose hashes match, with {@code --allow-unsigned});
 * {@value #INVALID} for anything else the check found; {@value #USAGE} for bad arguments or a
 * document that cannot be read.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class VerifyReceiptTool {
  /** Exit code of a valid receipt. */
  public static final int VALID = 0;

  /** Exit code of an invalid receipt. */
  public static final int INVALID = 1;

  /** Exit code of a usage error or an unreadable document. */
  public static final int USAGE = 2;

  private VerifyReceiptTool() {}

  /** Runs the tool and exits with its code. */
  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.out, System.err));
  }

  /** The usage text. */
  public static String usage() {
    return "usage: verify-receipt <receipt.json> --key <public key> [--key ...] [--allow-unsigned]\n"
        + "\n"
        + "Checks a receipt document that embeds its event (docs/receipts.md; written by\n"
        + "io.batpak.verify.ReceiptJson or 'batpak export-receipt') with no store: recomputes the\n"
        + "content hash from the payload and the event hash from the header, then the receipt's\n"
        + "inclusion proof and its Ed25519 signature under one of the keys. A key is 64 hex\n"
        + "digits (an Ed25519 public key) or a file holding such keys, one per line; a value may\n"
        + "list several, separated by commas.\n"
        + "\n"
        + "prints: 'signed-valid key <key id>', 'unsigned-accepted' or 'invalid <REASON>: <detail>'\n"
        + "exit codes: 0 signed and valid (or unsigned with matching hashes, with\n"
        + "--allow-unsigned), 1 invalid, 2 usage error or unreadable document\n";
  }

  /**
   * Runs the tool on {@code args}, printing to {@code out} and {@code err}; returns the exit code.
   */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    Path document = null;
    List<String> keyArgs = new ArrayList<>();
    boolean allowUnsigned = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a.equals("-h") || a.equals("--help")) {
        out.print(usage());
        return VALID;
      } else if (a.equals("--allow-unsigned")) {
        allowUnsigned = true;
      } else if (a.equals("--key") || a.startsWith("--key=")) {
        String v;
        if (a.startsWith("--key=")) {
          v = a.substring("--key=".length());
        } else if (i + 1 < args.size()) {
          v = args.get(++i);
        } else {
          err.println("verify-receipt: --key needs a value\n" + usage());
          return USAGE;
        }
        keyArgs.add(v);
      } else if (a.startsWith("-")) {
        err.println("verify-receipt: unknown option '" + a + "'\n" + usage());
        return USAGE;
      } else if (document == null) {
        document = Path.of(a);
      } else {
        err.println("verify-receipt: one receipt document, got also '" + a + "'");
        return USAGE;
      }
    }
    if (document == null) {
      err.println("verify-receipt: the receipt document is missing\n" + usage());
      return USAGE;
    }
    ReceiptVerifier.Builder verifier = ReceiptVerifier.builder().requireSignature(!allowUnsigned);
    try {
      for (String k : keyArgs) {
        for (Bytes key : keys(k)) {
          verifier.key(key);
        }
      }
    } catch (IOException | IllegalArgumentException | StoreException e) {
      err.println("verify-receipt: bad --key: " + e.getMessage());
      return USAGE;
    }
    if (keyArgs.isEmpty() && !allowUnsigned) {
      err.println(
          "verify-receipt: give the signer's public key with --key (or --allow-unsigned to accept"
              + " an unsigned receipt whose hashes match)");
      return USAGE;
    }
    ReceiptDocument doc;
    try {
      doc = ReceiptJson.read(Files.readString(document, StandardCharsets.UTF_8));
    } catch (IOException e) {
      err.println("verify-receipt: cannot read " + document + ": " + e);
      return USAGE;
    } catch (ReceiptJsonException e) {
      err.println("verify-receipt: " + document + " is not a receipt document: " + e.getMessage());
      return USAGE;
    }
    if (!doc.hasEvent()) {
      err.println(
          "verify-receipt: "
              + document
              + " holds a receipt without its event; export the event with it ('batpak"
              + " export-receipt <dir> <event-id> --receipt "
              + document
              + "')");
      return USAGE;
    }
    Verdict v = verifier.build().verify(doc.receipt(), doc.header().get(), doc.payload().get());
    if (v instanceof Verdict.SignedValid s) {
      out.println("signed-valid key " + s.keyId().toHex() + " event " + doc.receipt().eventId());
      return VALID;
    }
    if (v instanceof Verdict.UnsignedAccepted) {
      out.println("unsigned-accepted event " + doc.receipt().eventId());
      return VALID;
    }
    Verdict.Invalid bad = (Verdict.Invalid) v;
    out.println("invalid " + bad.reason() + ": " + bad.detail());
    return INVALID;
  }

  private static List<Bytes> keys(String value) throws IOException {
    List<Bytes> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String p = part.trim();
      if (p.matches("[0-9a-fA-F]{64}")) {
        out.add(Bytes.ofOwned(HexFormat.of().parseHex(p)));
        continue;
      }
      Path file = Path.of(p);
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(
            "'" + p + "' is neither 64 hex digits (an Ed25519 public key) nor a key file");
      }
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        String l = line.trim();
        if (l.isEmpty() || l.startsWith("#")) {
          continue;
        }
        if (!l.matches("[0-9a-fA-F]{64}")) {
          throw new IllegalArgumentException(
              file + ": a line is not 64 hex digits (an Ed25519 public key)");
        }
        out.add(Bytes.ofOwned(HexFormat.of().parseHex(l)));
      }
    }
    return out;
  }
}
