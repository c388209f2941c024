package io.batpak.bench.harness;

import io.batpak.engine.internal.format.SegmentSeal;
import io.batpak.engine.internal.index.IndexCheckpoint;
import io.batpak.engine.internal.segment.Journal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a cleanly closed store (every segment sealed, {@code index.ckpt} written) into what a crash
 * at an earlier moment would have left, by plain file surgery beside the engine (docs/format.md
 * "Sealed segments"): a seal is stripped by truncating its segment to the footer offset its trailer
 * names (trailer: the last 16 bytes, a u64 big-endian footer offset and the magic {@code 89 42 50
 * 4B 45 4E 44 0A}). The frames before the seal are untouched, so the store holds the same events.
 * Only on a closed store. Stateless.
 */
public final class CrashShapes {
  private CrashShapes() {}

  /** The shapes W8-open opens. */
  public enum Shape {
    /** As a clean close left it: the checkpoint covers every event. */
    CLEAN_CLOSE,
    /** No checkpoint; every segment sealed: footers only. */
    NO_CHECKPOINT,
    /** No checkpoint; the newest segment unsealed: a crash after the last rotation. */
    CRASH,
    /** No checkpoint, no seal: what every open read before segments were sealed. */
    NEVER_SEALED
  }

  /**
   * Puts the store in {@code dir} (closed) into {@code shape}: first removes trailing segments that
   * hold only a header (a mutable open of a store whose newest segment is sealed starts one; it
   * holds no event), then deletes the checkpoint and strips seals as the shape asks. From any shape
   * to any other, except that {@link Shape#CLEAN_CLOSE} needs a checkpoint, which only a clean
   * close writes.
   *
   * @throws IllegalStateException if {@code CLEAN_CLOSE} is asked for and there is no checkpoint
   * @throws IOException if reading or changing a file fails
   */
  public static void prepare(Path dir, Shape shape) throws IOException {
    removeEmptyNewestSegments(dir);
    if (shape == Shape.CLEAN_CLOSE) {
      if (!Files.exists(dir.resolve(IndexCheckpoint.FILE))) {
        throw new IllegalStateException(
            dir + " has no " + IndexCheckpoint.FILE + ": only a clean close writes one");
      }
      return;
    }
    Files.deleteIfExists(dir.resolve(IndexCheckpoint.FILE));
    List<Path> segments = segments(dir);
    if (shape == Shape.CRASH && !segments.isEmpty()) {
      stripSeal(segments.get(segments.size() - 1));
    } else if (shape == Shape.NEVER_SEALED) {
      for (Path s : segments) {
        stripSeal(s);
      }
    }
  }

  /** The segment files of {@code dir}, oldest first. */
  public static List<Path> segments(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.filter(p -> Journal.idOf(p.getFileName().toString()) > 0).forEach(out::add);
    }
    out.sort(Comparator.comparingLong(p -> Journal.idOf(p.getFileName().toString())));
    return out;
  }

  /**
   * The footer offset the trailer of {@code segment} names, or -1 when the segment does not end in
   * a trailer (it is not sealed).
   */
  public static long footerOffset(Path segment) throws IOException {
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < SegmentSeal.TRAILER) {
        return -1;
      }
      ByteBuffer trailer = ByteBuffer.allocate(SegmentSeal.TRAILER);
      while (trailer.hasRemaining()) {
        if (ch.read(trailer, size - SegmentSeal.TRAILER + trailer.position()) < 0) {
          return -1;
        }
      }
      long at = SegmentSeal.footerOffset(trailer.array());
      return at > 0 && at < size - SegmentSeal.TRAILER ? at : -1;
    }
  }

  /**
   * Strips the seal of {@code segment}, if it has one: truncates it to the footer offset its
   * trailer names and syncs it.
   *
   * @return whether there was a seal
   */
  public static boolean stripSeal(Path segment) throws IOException {
    long at = footerOffset(segment);
    if (at < 0) {
      return false;
    }
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.WRITE)) {
      ch.truncate(at);
      ch.force(true);
    }
    return true;
  }

  /**
   * Removes the newest segments while they hold only their header (file size equal to the header
   * length the header states at offset 10, u16 big-endian).
   */
  static void removeEmptyNewestSegments(Path dir) throws IOException {
    List<Path> segments = segments(dir);
    for (int i = segments.size() - 1; i > 0; i--) {
      Path s = segments.get(i);
      if (Files.size(s) != headerLength(s)) {
        return;
      }
      Files.delete(s);
    }
  }

  private static long headerLength(Path segment) throws IOException {
    try (FileChannel ch = FileChannel.open(segment, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(2);
      if (ch.size() < 12 || ch.read(b, 10) != 2) {
        return -1;
      }
      return b.getShort(0) & 0xFFFF;
    }
  }
}
