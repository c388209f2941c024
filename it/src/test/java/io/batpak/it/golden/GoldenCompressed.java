package io.batpak.it.golden;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The contents of the golden compressed stores ({@code golden/compressed-v2/<compressor>}, issue
 * 14): 40 events whose payloads are a pure function of their index (below the threshold, JSON-like
 * text over it, and seeded random bytes that do not compress), with idempotency keys, the simulated
 * clock and entropy, so the same appends give the same ids, times and hashes in every build. {@link
 * #main} wrote the stores once; no build runs it.
 */
final class GoldenCompressed {
  static final int EVENTS = 40;
  static final String DIR = "golden/compressed-v2";

  private GoldenCompressed() {}

  static byte[] payload(int i) {
    if (i % 4 == 0) {
      return ("{\"small\":" + i + "}").getBytes(StandardCharsets.US_ASCII);
    }
    if (i % 7 == 3) {
      byte[] b = new byte[500 + 13 * i];
      new Random(i).nextBytes(b);
      return b;
    }
    return ("{\"order\":" + i + ",\"sku\":\"A-" + (i % 5) + "\",\"note\":\"keep dry\"}")
        .repeat(10 + 3 * i)
        .getBytes(StandardCharsets.US_ASCII);
  }

  static StoreConfig.Builder config(Path dir, String compression) {
    return StoreConfig.builder(dir)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(14))
        .deterministic(true)
        .compression(compression)
        .compressionThreshold(256);
  }

  /** Appends the 40 events to {@code s}. */
  static List<AppendReceipt> append(Store s) {
    List<AppendReceipt> out = new ArrayList<>();
    for (int i = 0; i < EVENTS; i++) {
      out.add(
          s.append(
              Coordinate.of("order:" + (i % 3), "shop"),
              EventKind.custom(1, 1 + i % 2),
              Bytes.of(payload(i)),
              AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(14, i))));
    }
    return out;
  }

  /**
   * Writes the golden store of each compressor under {@code args[0]} (then copy its {@code .seg}
   * files into {@code it/src/test/resources/golden/compressed-v2/<compressor>/} and pin their
   * SHA-256 in {@link GoldenCompressedStoreTest}). Never run by a build.
   */
  public static void main(String[] args) {
    for (String c : List.of("lz4", "zstd")) {
      try (Store s = Store.open(config(Path.of(args[0], c), c).build())) {
        append(s);
      }
    }
  }
}
