package io.batpak.bench;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.verify.ReceiptVerifier;
import io.batpak.verify.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The costs behind receipt signing (issue 12, ADR 0019, {@code docs/performance.md} "Signed
 * receipts"): one Ed25519 signature of a 45-byte root message with Bouncy Castle (what the engine
 * uses) and with JDK 17's {@code Signature.getInstance("Ed25519")}, one Bouncy Castle verification,
 * and one full offline {@link ReceiptVerifier#verify} of a receipt of a 32-event group (content and
 * event hash recomputed, cover, 5-sibling proof, signature) with a 256-byte payload.
 *
 * <p>Run (after {@code mvn -B -o install -pl bench -am -DskipTests}):
 *
 * <pre>
 * java -jar bench/target/benchmarks.jar SigningBenchmark -f 1 -wi 3 -i 5 -w 1s -r 2s
 * </pre>
 *
 * <p>Not thread-safe: one state per benchmark thread.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class SigningBenchmark {
  private final byte[] message = new byte[45];
  private Ed25519PrivateKeyParameters bcKey;
  private Ed25519PublicKeyParameters bcPublic;
  private Ed25519Signer bcSigner;
  private Ed25519Signer bcVerifier;
  private byte[] bcSignature;
  private Signature jdkSigner;
  private ReceiptVerifier verifier;
  private AppendReceipt receipt;
  private EventHeader header;
  private Bytes payload;

  /** Keys from a fixed seed; one signed receipt of a 32-event batch from a throwaway store. */
  @Setup
  public void setup() throws Exception {
    byte[] seed = new byte[32];
    SplittableRandom random = new SplittableRandom(42);
    random.nextBytes(seed);
    random.nextBytes(message);
    bcKey = new Ed25519PrivateKeyParameters(seed, 0);
    bcPublic = bcKey.generatePublicKey();
    bcSigner = new Ed25519Signer();
    bcSigner.init(true, bcKey);
    bcVerifier = new Ed25519Signer();
    bcVerifier.init(false, bcPublic);
    bcSigner.update(message, 0, message.length);
    bcSignature = bcSigner.generateSignature();
    PrivateKey jdkKey =
        KeyFactory.getInstance("Ed25519")
            .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
    jdkSigner = Signature.getInstance("Ed25519");
    jdkSigner.initSign(jdkKey);

    Path dir = Files.createTempDirectory("batpak-signing-bench");
    try (Store s = Store.open(StoreConfig.builder(dir).signingKey(Bytes.of(seed)).build())) {
      List<BatchItem> items = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        byte[] p = new byte[256];
        random.nextBytes(p);
        items.add(
            BatchItem.of(Coordinate.of("order:" + i, "shop"), EventKind.custom(1, 1), Bytes.of(p)));
      }
      receipt = s.appendBatch(items).get(17);
      StoredEvent e = s.get(receipt.eventId());
      header = e.header();
      payload = e.payload();
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
    verifier = ReceiptVerifier.of(List.of(Bytes.of(bcPublic.getEncoded())));
    if (!(verifier.verify(receipt, header, payload) instanceof Verdict.SignedValid)) {
      throw new IllegalStateException("the benchmark receipt does not verify");
    }
  }

  /** Nothing to release (the store's directory is removed in setup). */
  @TearDown
  public void tearDown() {}

  /** One Ed25519 signature with Bouncy Castle's lightweight signer (the engine's). */
  @Benchmark
  public byte[] signBouncyCastle() {
    bcSigner.update(message, 0, message.length);
    return bcSigner.generateSignature();
  }

  /** One Ed25519 signature with JDK 17's provider (SunEC). */
  @Benchmark
  public byte[] signJdk() throws Exception {
    jdkSigner.update(message);
    return jdkSigner.sign();
  }

  /** One Ed25519 verification with Bouncy Castle. */
  @Benchmark
  public boolean verifyBouncyCastle() {
    bcVerifier.update(message, 0, message.length);
    return bcVerifier.verifySignature(bcSignature);
  }

  /** One full offline receipt verification (module {@code verify}). */
  @Benchmark
  public Verdict receiptVerifier() {
    return verifier.verify(receipt, header, payload);
  }
}
