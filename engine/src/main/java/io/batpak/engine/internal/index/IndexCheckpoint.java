package io.batpak.engine.internal.index;

import io.batpak.engine.internal.artifact.AuthorityFile;
import io.batpak.engine.internal.artifact.BodyInput;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The index checkpoint, {@code index.ckpt} (docs/format.md "Index checkpoint"): the whole index at
 * a watermark, so an open loads it and scans only the journal after the watermark. It is an
 * optimisation: a missing, damaged or disagreeing checkpoint means the index is rebuilt from the
 * journal; a newer format version means the open is refused.
 *
 * <pre>
 * body, version 2 (version 1 lacked the causal columns: it is distrusted and rebuilt):
 *   u64  events covered W (global sequences 0 .. W-1)
 *   u64  segment of event W-1's frame
 *   u64  end of that frame: the watermark offset
 *   32   event hash of event W-1
 *   the index image of W rows ({@link IndexImage})
 * </pre>
 */
public final class IndexCheckpoint {

  /** The file's name in the store directory. */
  public static final String FILE = "index.ckpt";

  /**
   * Its kind: magic {@code 89 42 50 4B 43 4B 50 0A}, body version 2 (2 added the causal columns,
   * issue 12; ADR 0017).
   */
  public static final AuthorityFile.Kind KIND =
      new AuthorityFile.Kind(
          "index checkpoint", new byte[] {(byte) 0x89, 'B', 'P', 'K', 'C', 'K', 'P', 0x0A}, 2);

  /** Bytes each row takes in the image's columns: a bound on the rows a body can hold. */
  private static final long ROW_BYTES = 8 + 8 + 4 + 4 + 2 + 8 + 4 + 4 + 4 + 4;

  private IndexCheckpoint() {}

  /**
   * Where a checkpoint ends in the journal.
   *
   * @param events how many events it covers
   * @param segment the segment holding the last covered event's frame
   * @param offset the end of that frame in that segment
   * @param lastEventHash the event hash of the last covered event
   */
  public record Watermark(long events, long segment, long offset, byte[] lastEventHash) {}

  /**
   * Publishes a checkpoint of every row of {@code index} through {@code fs} (see {@link
   * AuthorityFile#publish}). Only with the commit path stopped or its lock held, every added row
   * published, and at least one row.
   *
   * @return the watermark written
   * @throws IOException naming the step that failed
   */
  public static Watermark publish(StoreFs fs, Path directory, Index index) throws IOException {
    Staged staged = stage(fs, directory, index);
    staged.file().publish();
    return staged.watermark();
  }

  /**
   * A checkpoint written whole to its temporary file and not yet published.
   *
   * @param watermark where it ends
   * @param file the temporary file; {@link AuthorityFile.Staged#publish} makes it the checkpoint
   */
  public record Staged(Watermark watermark, AuthorityFile.Staged file) {}

  /**
   * Writes a checkpoint of every row of {@code index} to its temporary file ({@link
   * AuthorityFile#stage}), without syncing it: the image is taken from the live index, so this half
   * runs with the commit path stopped or its lock held, every added row published, and at least one
   * row; {@link Staged#file()}'s publish (the fsync, rename and directory sync) needs no lock, only
   * that no other checkpoint is staged or published meanwhile and that no compaction switches
   * segments before it is published (the caller's checkpoint lock).
   *
   * @throws IOException naming the step that failed
   */
  public static Staged stage(StoreFs fs, Path directory, Index index) throws IOException {
    int rows = index.size();
    if (rows == 0) {
      throw new IllegalStateException("a checkpoint of an empty index");
    }
    Index.View v = index.view();
    int last = rows - 1;
    Watermark w =
        new Watermark(
            rows,
            v.segment(last),
            v.frameOffset(last) + v.frameLength(last),
            index.streamById(v.stream(last)).headHash());
    AuthorityFile.Staged file =
        AuthorityFile.stage(
            fs,
            directory.resolve(FILE),
            KIND,
            out -> {
              out.putLong(w.events())
                  .putLong(w.segment())
                  .putLong(w.offset())
                  .put(w.lastEventHash());
              IndexImage.write(index, rows, out);
            });
    return new Staged(w, file);
  }

  /** What {@link #read} found. */
  public sealed interface Loaded permits Absent, Unusable, Usable {}

  /** There is no checkpoint. */
  public record Absent() implements Loaded {}

  /**
   * There is one, and it cannot be used.
   *
   * @param reason why, naming the file and where
   */
  public record Unusable(String reason) implements Loaded {}

  /**
   * A checkpoint whose bytes hold; whether it agrees with the journal is for the caller to check
   * before it installs the image.
   *
   * @param watermark where it ends
   * @param image the decoded index
   */
  public record Usable(Watermark watermark, IndexImage.Decoded image) implements Loaded {}

  /**
   * Reads the checkpoint of {@code directory}.
   *
   * @throws io.batpak.UnsupportedFormatException if it is of a newer format version
   * @throws IOException if reading fails
   */
  public static Loaded read(StoreFs fs, Path directory) throws IOException {
    Path file = directory.resolve(FILE);
    AuthorityFile.Opened opened = AuthorityFile.open(fs, file, KIND);
    if (opened instanceof AuthorityFile.Missing) {
      return new Absent();
    }
    if (opened instanceof AuthorityFile.Damaged d) {
      return new Unusable(d.reason());
    }
    AuthorityFile.Found found = (AuthorityFile.Found) opened;
    if (found.version() < KIND.version()) {
      found.body().close();
      return new Unusable(
          file
              + ": format version "
              + found.version()
              + ", older than this build's "
              + KIND.version()
              + " (it has no causation and correlation columns)");
    }
    try (BodyInput in = found.body()) {
      Watermark w = watermarkOf(in);
      long events = w.events();
      if (events < 1 || events > Index.MAX_EVENTS || events > in.remaining() / ROW_BYTES) {
        return new Unusable(file + ": a watermark of " + events + " events");
      }
      IndexImage.Decoded image;
      try {
        image = IndexImage.read(in, (int) events);
      } catch (IndexImage.Inconsistent e) {
        // Damage is the likelier cause: read the rest, so the body's CRC can say so.
        while (in.remaining() > 0) {
          in.getBytes((int) Math.min(in.remaining(), 1 << 20));
        }
        String crc = in.finish();
        return new Unusable(crc != null ? crc : file + ": " + e.getMessage());
      }
      String problem = in.finish();
      if (problem != null) {
        return new Unusable(problem);
      }
      return new Usable(w, image);
    } catch (BodyInput.Truncated e) {
      return new Unusable(e.getMessage());
    }
  }

  /**
   * The watermark of the checkpoint file {@code file}, read from the start of its body alone: null
   * if there is no such file, or its header is damaged, or it is of an older body version, or too
   * short to hold a watermark. The body's CRC is not checked here (that reads the whole file); an
   * open checks it, and the watermark against the journal, before it believes the checkpoint.
   *
   * @throws io.batpak.UnsupportedFormatException if it is of a newer format version
   * @throws IOException if reading fails
   */
  public static Watermark peekWatermark(StoreFs fs, Path file) throws IOException {
    if (!(AuthorityFile.open(fs, file, KIND) instanceof AuthorityFile.Found found)) {
      return null;
    }
    try (BodyInput in = found.body()) {
      return found.version() < KIND.version() ? null : watermarkOf(in);
    } catch (BodyInput.Truncated e) {
      return null;
    }
  }

  private static Watermark watermarkOf(BodyInput in) throws IOException {
    return new Watermark(in.getLong(), in.getLong(), in.getLong(), in.getBytes(32));
  }
}
