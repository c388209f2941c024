package io.batpak.it.crash;

import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Turns a store directory into what a crash leaves, so the open reads every frame: each segment
 * that ends in a valid trailer is cut back to the footer offset the trailer names (its seal
 * removed), and the index checkpoint {@code index.ckpt} is deleted. A cleanly closed store ends in
 * seals and has a checkpoint, and an open then reads no frame of a sealed segment or of what the
 * checkpoint covers; tests about frame scanning, and the crash explorer's full-scan oracle, open
 * this shape instead.
 *
 * <p>The trailer, read from {@code docs/format.md} (not from the engine's code): the last 16 bytes
 * of the segment, a big-endian u64 footer offset and the magic {@code 89 42 50 4B 45 4E 44 0A}. It
 * is valid when the magic holds and the offset lies after the segment header, leaving room for a
 * footer frame of at least the minimum frame size before the trailer.
 */
public final class CrashShape {
  /** The index checkpoint's file name. */
  public static final String CHECKPOINT = "index.ckpt";

  /** Bytes of the trailer. */
  static final int TRAILER = 16;

  /** The trailer's magic. */
  public static final byte[] TRAILER_MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'E', 'N', 'D', 0x0A};

  /** The smallest frame: an 8-byte prefix and a body of at least 206 bytes. */
  private static final int MIN_FRAME = 8 + 206;

  private CrashShape() {}

  /**
   * The footer offset a valid trailer at the end of {@code segment} names, or -1 if the segment
   * does not end in one.
   */
  public static long footerOffset(byte[] segment) {
    if (segment.length < 12 + TRAILER) {
      return -1;
    }
    int headerLength = ByteBuffer.wrap(segment).getShort(10) & 0xFFFF;
    int t = segment.length - TRAILER;
    if (!Arrays.equals(segment, t + 8, t + 16, TRAILER_MAGIC, 0, 8)) {
      return -1;
    }
    long at = ByteBuffer.wrap(segment).getLong(t);
    if (at < headerLength || at > (long) t - MIN_FRAME) {
      return -1;
    }
    return at;
  }

  /** {@code segment} without its seal (itself if it has none). */
  public static byte[] withoutSeal(byte[] segment) {
    long at = footerOffset(segment);
    return at < 0 ? segment : Arrays.copyOf(segment, (int) at);
  }

  /**
   * What {@link #strip(StoreFs, Path)} took away.
   *
   * @param seals how many seals were stripped
   * @param bytes how many bytes they took
   */
  public record Stripped(int seals, long bytes) {}

  /**
   * Strips every seal and deletes the checkpoint in directory {@code dir} of {@code fs}, through
   * its port and durably (nothing if the directory does not exist), so it holds on the simulator
   * and on a real backend alike.
   */
  public static Stripped strip(StoreFs fs, Path dir) throws IOException {
    int seals = 0;
    long bytes = 0;
    if (!fs.exists(dir)) {
      return new Stripped(0, 0);
    }
    for (String name : fs.list(dir)) {
      if (!name.endsWith(".seg")) {
        continue;
      }
      Path p = dir.resolve(name);
      byte[] content;
      try (FileHandle h = fs.openRead(p)) {
        content = new byte[Math.toIntExact(h.size())];
        h.read(ByteBuffer.wrap(content), 0);
      }
      long at = footerOffset(content);
      if (at >= 0) {
        try (FileHandle h = fs.openWrite(p)) {
          h.truncate(at);
          h.sync(SyncMode.ALL);
        }
        seals++;
        bytes += content.length - at;
      }
    }
    if (fs.deleteIfExists(dir.resolve(CHECKPOINT))) {
      fs.syncDirectory(dir);
    }
    return new Stripped(seals, bytes);
  }

  /**
   * Strips every seal and deletes the checkpoint in directory {@code dir} on the real file system.
   *
   * @return how many seals were stripped
   */
  public static int strip(Path dir) throws IOException {
    int stripped = 0;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        if (!p.getFileName().toString().endsWith(".seg")) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(p);
        long at = footerOffset(bytes);
        if (at >= 0) {
          Files.write(p, Arrays.copyOf(bytes, (int) at));
          stripped++;
        }
      }
    }
    Files.deleteIfExists(dir.resolve(CHECKPOINT));
    return stripped;
  }
}
