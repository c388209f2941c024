package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.cli.CliRunner.Result;
import io.batpak.verify.ReceiptJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export-receipt} and {@code verify-receipt}: a signed receipt saved by the application,
 * exported with its event from the store and checked offline; wrong keys, tampered documents and
 * unsigned receipts exit 1 with their reason.
 */
class ReceiptCommandsTest {
  @TempDir Path tmp;

  private Path dir;
  private AppendReceipt receipt;
  private String publicKey;
  private Path saved;

  @BeforeEach
  void signedStore() throws IOException {
    byte[] seed = new byte[32];
    new Random(7).nextBytes(seed);
    publicKey =
        Bytes.ofOwned(new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded())
            .toHex();
    dir = tmp.resolve("store");
    try (Store s = Store.open(StoreConfig.builder(dir).signingKey(Bytes.of(seed)).build())) {
      s.append(Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), Bytes.utf8("first"));
      receipt =
          s.append(Coordinate.of("order:1", "shop"), EventKind.custom(1, 1), Bytes.utf8("second"));
    }
    saved = tmp.resolve("saved.json");
    Files.writeString(saved, ReceiptJson.write(receipt), StandardCharsets.UTF_8);
  }

  private Path export(String... extra) {
    Path out = tmp.resolve("doc-" + extra.length + ".json");
    String[] args = new String[4 + extra.length];
    args[0] = "export-receipt";
    args[1] = dir.toString();
    args[2] = receipt.eventId().toString();
    args[3] = "--out=" + out;
    System.arraycopy(extra, 0, args, 4, extra.length);
    Result r = CliRunner.run(args);
    assertEquals(Main.OK, r.code(), r.toString());
    return out;
  }

  @Test
  void aSavedSignedReceiptExportedWithItsEventVerifies() {
    Path doc = export("--receipt", saved.toString());
    Result r = CliRunner.run("verify-receipt", doc.toString(), "--key", publicKey);
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().startsWith("signed-valid key "), r.toString());
    String stranger =
        Bytes.ofOwned(
                new Ed25519PrivateKeyParameters(new byte[32], 0).generatePublicKey().getEncoded())
            .toHex();
    Result other =
        CliRunner.run("verify-receipt", doc.toString(), "--key", stranger + "," + publicKey);
    assertEquals(Main.OK, other.code(), "a list of keys: " + other);
  }

  @Test
  void aWrongKeyATamperedPayloadAndAnUnsignedReceiptExitOne() throws IOException {
    Path doc = export("--receipt", saved.toString());
    byte[] seed = new byte[32];
    String stranger =
        Bytes.ofOwned(new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded())
            .toHex();
    Result unknown = CliRunner.run("verify-receipt", doc.toString(), "--key", stranger);
    assertEquals(Main.FAILURE, unknown.code(), unknown.toString());
    assertTrue(unknown.out().startsWith("invalid UNKNOWN_KEY"), unknown.toString());

    String json = Files.readString(doc);
    String payload = java.util.Base64.getEncoder().encodeToString("second".getBytes());
    Path tampered = tmp.resolve("tampered.json");
    Files.writeString(
        tampered,
        json.replace(payload, java.util.Base64.getEncoder().encodeToString("Second".getBytes())));
    Result content = CliRunner.run("verify-receipt", tampered.toString(), "--key", publicKey);
    assertEquals(Main.FAILURE, content.code(), content.toString());
    assertTrue(content.out().startsWith("invalid CONTENT_HASH_MISMATCH"), content.toString());

    Path unsigned = export();
    Result missing = CliRunner.run("verify-receipt", unsigned.toString(), "--key", publicKey);
    assertEquals(Main.FAILURE, missing.code(), missing.toString());
    assertTrue(missing.out().startsWith("invalid MISSING_SIGNATURE"), missing.toString());
    Result allowed = CliRunner.run("verify-receipt", unsigned.toString(), "--allow-unsigned");
    assertEquals(Main.OK, allowed.code(), allowed.toString());
    assertTrue(allowed.out().startsWith("unsigned-accepted"), allowed.toString());
  }

  @Test
  void usageErrorsExitTwo() throws IOException {
    assertEquals(
        Main.USAGE,
        CliRunner.run("verify-receipt", saved.toString(), "--key", publicKey).code(),
        "a receipt without its event");
    assertEquals(Main.USAGE, CliRunner.run("verify-receipt", saved.toString()).code(), "no key");
    Path garbage = tmp.resolve("garbage.json");
    Files.writeString(garbage, "{\"format\": \"batpak.receipt\"}");
    Result r = CliRunner.run("verify-receipt", garbage.toString(), "--key", publicKey);
    assertEquals(Main.USAGE, r.code());
    assertTrue(r.err().contains("version"), r.toString());
    assertEquals(
        Main.USAGE, CliRunner.run("verify-receipt", garbage.toString(), "--key", "abc").code());
    assertEquals(Main.USAGE, CliRunner.run("export-receipt", dir.toString(), "event:xyz").code());
  }

  @Test
  void exportNeverWritesIntoTheStore() throws IOException {
    Path segment;
    try (java.util.stream.Stream<Path> files = Files.list(dir)) {
      segment = files.filter(f -> f.toString().endsWith(".seg")).findFirst().orElseThrow();
    }
    byte[] before = Files.readAllBytes(segment);
    Result r =
        CliRunner.run(
            "export-receipt",
            dir.toString(),
            receipt.eventId().toString(),
            "--out",
            segment.toString());
    assertEquals(Main.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("inside the store directory"), r.toString());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(segment)), "the segment changed");
    Result beside =
        CliRunner.run(
            "export-receipt",
            dir.toString(),
            receipt.eventId().toString(),
            "--out",
            dir.resolve("receipt.json").toString());
    assertEquals(Main.USAGE, beside.code(), beside.toString());
    assertTrue(Files.notExists(dir.resolve("receipt.json")), "a file was written into the store");
  }
}
