package io.batpak.it.receipts;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventKind;
import io.batpak.ExtensionKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.verify.ReceiptDocument;
import io.batpak.verify.ReceiptJson;
import io.batpak.verify.ReceiptVerifier;
import io.batpak.verify.Verdict;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The offline verifier (module {@code verify}, written from docs/format.md) agrees with the engine
 * on seeded random events: every receipt the engine signed (single appends, batches, concurrent
 * submits) is signed-valid offline against the event read back, and survives the JSON form; so the
 * two encodings of the canonical header, the event hash, the cover and the receipt tree agree. Also
 * for stores that compress payloads (lz4, zstd): the verifier gets the payload the engine reads
 * back, decompressed, and every hash is over those bytes.
 */
class OfflineAgreementTest {
  @TempDir Path dir;

  private static final String[] ENTITIES = {"order:1", "käse:ü", "a", "stream:with:colons", "日本"};
  private static final String[] SCOPES = {"shop", "s", "scope-β"};

  @ParameterizedTest
  @ValueSource(strings = {"none", "lz4", "zstd"})
  void randomEventsSignedByTheEngineVerifyOffline(String compression) throws Exception {
    long seed = new Random().nextLong();
    Random random = new Random(seed);
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    Bytes pub =
        Bytes.ofOwned(new Ed25519PrivateKeyParameters(secret, 0).generatePublicKey().getEncoded());
    ReceiptVerifier verifier = ReceiptVerifier.of(List.of(pub));
    List<AppendReceipt> receipts = new ArrayList<>();
    // With a compressor, payloads over the threshold are stored compressed; receipts and the
    // offline verdicts are over the uncompressed bytes all the same (issue 14).
    try (Store s =
        Store.open(
            StoreConfig.builder(dir)
                .signingKey(Bytes.of(secret))
                .compression(compression)
                .compressionThreshold(64)
                .build())) {
      List<java.util.concurrent.CompletableFuture<AppendReceipt>> pending = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        Coordinate c =
            Coordinate.of(
                ENTITIES[random.nextInt(ENTITIES.length)], SCOPES[random.nextInt(SCOPES.length)]);
        EventKind kind = EventKind.custom(1 + random.nextInt(12), random.nextInt(0x1000));
        byte[] payload = new byte[random.nextInt(200)];
        random.nextBytes(payload);
        if (random.nextBoolean()) {
          payload = ("{\"n\":" + i + "}").repeat(1 + random.nextInt(300)).getBytes(UTF_8);
        }
        AppendOptions o = AppendOptions.defaults().withFlags(random.nextInt(256));
        for (int e = random.nextInt(4); e > 0; e--) {
          byte[] v = new byte[random.nextInt(20)];
          random.nextBytes(v);
          o = o.withExtension(ExtensionKey.of("app.k" + random.nextInt(50)), Bytes.of(v));
        }
        if (random.nextBoolean()) {
          o = o.withCausation(CausationId.of(random.nextLong(), random.nextLong()));
        }
        if (random.nextBoolean()) {
          o = o.withCorrelation(CorrelationId.of(random.nextLong(), random.nextLong()));
        }
        switch (random.nextInt(3)) {
          case 0 -> receipts.add(s.append(c, kind, Bytes.of(payload), o));
          case 1 -> pending.add(s.submit(c, kind, Bytes.of(payload), o));
          default ->
              receipts.addAll(
                  s.appendBatch(
                      List.of(
                          BatchItem.of(c, kind, Bytes.of(payload)),
                          BatchItem.of(c, kind, Bytes.utf8("second " + i)))));
        }
      }
      for (var f : pending) {
        receipts.add(f.get());
      }
      for (AppendReceipt r : receipts) {
        check(verifier, r, s.get(r.eventId()), seed);
      }
    }
    // After a reopen without any key, the receipts still verify offline against the stored events.
    try (Store s = Store.open(StoreConfig.builder(dir).compression(compression).build())) {
      for (AppendReceipt r : receipts) {
        check(verifier, r, s.get(r.eventId()), seed);
      }
    }
  }

  private static void check(ReceiptVerifier verifier, AppendReceipt r, StoredEvent e, long seed) {
    String where = "seed " + seed + ", " + r.eventId();
    Verdict v = verifier.verify(r, e.header(), e.payload());
    assertEquals(new Verdict.SignedValid(r.signature().orElseThrow().keyId()), v, where + ": " + v);
    ReceiptDocument d = ReceiptJson.read(ReceiptJson.write(r, e.header(), e.payload()));
    assertEquals(r, d.receipt(), where);
    assertEquals(e.header(), d.header().orElseThrow(), where);
    assertEquals(v, verifier.verify(d.receipt(), d.header().get(), d.payload().get()), where);
  }
}
