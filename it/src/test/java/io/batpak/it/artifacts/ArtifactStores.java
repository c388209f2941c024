package io.batpak.it.artifacts;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import io.batpak.it.crash.CrashShape;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * What the artifact tests share: the store directory on the simulator, deterministic
 * configurations, a small workload, and the two ways of turning a cleanly closed store back into
 * what only its journal says (deleting {@code index.ckpt}, stripping the seals).
 *
 * <p>The seal trailer is parsed here from its documented bytes (docs/format.md "Sealed segments"),
 * not through the engine's classes, so the tests do not share a bug with the code they check: the
 * last 16 bytes of a sealed segment are a big-endian u64 footer offset and the magic {@code 89 42
 * 50 4B 45 4E 44 0A}.
 */
final class ArtifactStores {
  /** The store directory on a simulator. */
  static final Path DIR = Path.of("/sim/store");

  static final String CHECKPOINT = "index.ckpt";
  static final String CHECKPOINT_TEMP = "index.ckpt.tmp";
  static final String LOCK = ".batpak.lock";

  /** The smallest segment the configuration accepts: a few dozen events fill one. */
  static final long SMALL_SEGMENT = 4096;

  static final EventKind KIND = EventKind.custom(3, 17);
  static final EventKind OTHER_KIND = EventKind.custom(4, 2);

  private ArtifactStores() {}

  /** A deterministic store on {@code fs} in {@link #DIR}, rotating every 4 KiB. */
  static StoreConfig.Builder simConfig(SimStoreFs fs, long seed) {
    return StoreConfig.builder(DIR)
        .fs(fs)
        .clock(new SimStoreClock())
        .entropy(new SimEntropy(seed))
        .deterministic(true)
        .segmentMaxBytes(SMALL_SEGMENT);
  }

  /** The path of segment {@code id} in {@code dir}. */
  static Path segment(Path dir, long id) {
    return dir.resolve(String.format("%010d.seg", id));
  }

  /**
   * Appends {@code count} events over three streams, every fifth call a batch of three, with
   * payloads of 40 to 140 bytes, so 4 KiB segments rotate every few dozen events.
   *
   * @return the receipts, in global order
   */
  static List<AppendReceipt> appendSome(Store store, int count, String tag) {
    List<AppendReceipt> out = new ArrayList<>();
    int i = 0;
    while (i < count) {
      if (i % 5 == 4 && count - i >= 3) {
        List<BatchItem> batch = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          batch.add(BatchItem.of(coordinate(i + j), OTHER_KIND, payload(tag, i + j)));
        }
        out.addAll(store.appendBatch(batch));
        i += 3;
      } else {
        out.add(store.append(coordinate(i), KIND, payload(tag, i)));
        i++;
      }
    }
    return out;
  }

  private static Coordinate coordinate(int i) {
    return Coordinate.of("order-" + (i % 3), "shop");
  }

  private static Bytes payload(String tag, int i) {
    byte[] b = new byte[40 + (i * 37) % 100];
    Arrays.fill(b, (byte) ('a' + i % 26));
    byte[] head = (tag + "#" + i + ";").getBytes(StandardCharsets.UTF_8);
    System.arraycopy(head, 0, b, 0, Math.min(head.length, b.length));
    return Bytes.of(b);
  }

  /** Whether {@code bytes} ends in the seal trailer's magic. */
  static boolean endsInTrailerMagic(byte[] bytes) {
    return bytes.length >= 8
        && Arrays.equals(bytes, bytes.length - 8, bytes.length, CrashShape.TRAILER_MAGIC, 0, 8);
  }

  /** The segment file names in {@code dir} of {@code fs}, oldest first. */
  static List<String> segmentNames(StoreFs fs, Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (String name : fs.list(dir)) {
      if (name.endsWith(".seg")) {
        out.add(name);
      }
    }
    out.sort(null);
    return out;
  }

  /** The content of {@code file} on {@code fs}, read through the port. */
  static byte[] read(StoreFs fs, Path file) throws IOException {
    try (FileHandle h = fs.openRead(file)) {
      byte[] b = new byte[Math.toIntExact(h.size())];
      h.read(ByteBuffer.wrap(b), 0);
      return b;
    }
  }

  /** The segments of {@code dir} on {@code fs} that end in a valid seal trailer. */
  static List<String> sealedSegments(StoreFs fs, Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    for (String name : segmentNames(fs, dir)) {
      if (CrashShape.footerOffset(read(fs, dir.resolve(name))) >= 0) {
        out.add(name);
      }
    }
    return out;
  }

  /** Deletes {@code index.ckpt} (durably) if it is there. */
  static void deleteCheckpoint(StoreFs fs, Path dir) throws IOException {
    if (fs.deleteIfExists(dir.resolve(CHECKPOINT))) {
      fs.syncDirectory(dir);
    }
  }

  /** Copies the directory {@code from} (files only) to a new directory {@code to}. */
  static void copyDirectory(Path from, Path to) {
    try {
      Files.createDirectories(to);
      try (Stream<Path> s = Files.list(from)) {
        for (Path p : s.toList()) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every file's name and size in {@code dir} on disk. */
  static TreeMap<String, Long> sizesOnDisk(Path dir) {
    TreeMap<String, Long> out = new TreeMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.toList()) {
        out.put(p.getFileName().toString(), Files.size(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }
}
