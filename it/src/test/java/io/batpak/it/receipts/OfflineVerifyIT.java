package io.batpak.it.receipts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.it.ChildJvm;
import io.batpak.it.TestClasspath;
import io.batpak.verify.ReceiptJson;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Receipts signed before a reopen and a key rotation verify in another JVM whose class path holds
 * only the verify jar, the api jar and Bouncy Castle (no engine): with both public keys each is
 * signed-valid (exit 0); with only the new key the old receipt is UNKNOWN_KEY (exit 1); a tampered
 * document is refused with its reason.
 */
class OfflineVerifyIT {
  @TempDir Path tmp;

  private static Bytes pub(byte[] seed) {
    return Bytes.ofOwned(new Ed25519PrivateKeyParameters(seed, 0).generatePublicKey().getEncoded());
  }

  private static Path entry(String what, java.util.function.Predicate<Path> p) {
    return TestClasspath.entries().stream()
        .filter(p)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(what + " is not on the test class path"));
  }

  private static boolean isModule(Path p, String dir) {
    String f = p.getFileName().toString();
    return (f.startsWith("batpak-" + dir + "-") && f.endsWith(".jar") && !f.endsWith("-tests.jar"))
        || p.endsWith(Path.of(dir, "target", "classes"));
  }

  @Test
  void receiptsOfBeforeAReopenVerifyInAJvmWithOnlyTheVerifyJar() throws Exception {
    Random random = new Random(12);
    byte[] oldSeed = new byte[32];
    byte[] newSeed = new byte[32];
    random.nextBytes(oldSeed);
    random.nextBytes(newSeed);
    Path dir = tmp.resolve("store");
    Coordinate c = Coordinate.of("account:7", "bank");
    EventKind kind = EventKind.custom(2, 3);
    List<AppendReceipt> receipts = new ArrayList<>();
    try (Store s = Store.open(StoreConfig.builder(dir).signingKey(Bytes.of(oldSeed)).build())) {
      receipts.add(s.append(c, kind, Bytes.utf8("opened")));
      receipts.add(s.append(c, kind, Bytes.utf8("deposit 10")));
    }
    try (Store s =
        Store.open(
            StoreConfig.builder(dir)
                .signingKey(Bytes.of(oldSeed))
                .signingKey(Bytes.of(newSeed))
                .build())) {
      receipts.add(s.append(c, kind, Bytes.utf8("withdraw 3")));
    }
    List<Path> docs = new ArrayList<>();
    try (Store s = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      for (int i = 0; i < receipts.size(); i++) {
        StoredEvent e = s.get(receipts.get(i).eventId());
        Path doc = tmp.resolve("receipt-" + i + ".json");
        Files.writeString(
            doc,
            ReceiptJson.write(receipts.get(i), e.header(), e.payload()),
            StandardCharsets.UTF_8);
        docs.add(doc);
      }
    }
    String classPath =
        String.join(
            File.pathSeparator,
            entry("the verify module", p -> isModule(p, "verify")).toString(),
            entry("the api module", p -> isModule(p, "api")).toString(),
            entry("Bouncy Castle", p -> p.getFileName().toString().startsWith("bcprov-jdk18on-"))
                .toString());
    assertTrue(!classPath.contains("engine"), classPath);
    String keys = pub(oldSeed).toHex() + "," + pub(newSeed).toHex();
    for (int i = 0; i < docs.size(); i++) {
      ChildJvm.Finished f = verify(classPath, docs.get(i), keys, i);
      assertEquals(0, f.exitCode(), f.output());
      assertTrue(f.output().startsWith("signed-valid key "), f.output());
    }
    ChildJvm.Finished rotatedOut = verify(classPath, docs.get(0), pub(newSeed).toHex(), 10);
    assertEquals(1, rotatedOut.exitCode(), rotatedOut.output());
    assertTrue(rotatedOut.output().startsWith("invalid UNKNOWN_KEY"), rotatedOut.output());
    Path tampered = tmp.resolve("tampered.json");
    Files.writeString(
        tampered,
        Files.readString(docs.get(1)).replace("\"streamSequence\": 1", "\"streamSequence\": 0"));
    ChildJvm.Finished bad = verify(classPath, tampered, keys, 11);
    assertEquals(1, bad.exitCode(), bad.output());
    assertTrue(bad.output().startsWith("invalid EVENT_HASH_MISMATCH"), bad.output());
  }

  private ChildJvm.Finished verify(String classPath, Path doc, String keys, int n)
      throws Exception {
    List<String> command =
        ChildJvm.java("-cp", classPath, "io.batpak.verify.VerifyReceiptTool", doc.toString());
    command.add("--key");
    command.add(keys);
    return ChildJvm.run(command, null, tmp.resolve("child-" + n + ".txt"));
  }
}
