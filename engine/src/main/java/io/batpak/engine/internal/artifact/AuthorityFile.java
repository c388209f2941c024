package io.batpak.engine.internal.artifact;

import io.batpak.UnsupportedFormatException;
import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The one envelope, writer and reader of every small authority file beside the journal (the index
 * checkpoint now; cursor checkpoints, visibility ranges and compaction intents later):
 * docs/format.md "Authority files".
 *
 * <pre>
 *  0  8  magic (one per kind of file)
 *  8  2  format version of the body
 * 10  2  reserved, 0
 * 12  8  body length
 * 20  4  CRC32C of the body
 * 24  4  CRC32C of bytes [0, 24)
 * 28  …  body
 * </pre>
 *
 * The version is believed only once the header's own CRC holds, so a damaged version reads as
 * damage, never as a newer format. A file is written whole beside its target and published with
 * {@link StoreFs#publish} (synced, renamed over the target, directory synced), so a reader sees the
 * old file or the new one, never a mix.
 */
public final class AuthorityFile {

  /** Bytes of the envelope's header. */
  public static final int HEADER = 28;

  /** Suffix of the temporary file a publish writes first. */
  public static final String TEMP_SUFFIX = ".tmp";

  private AuthorityFile() {}

  /** Writes a body into a {@link BodyOutput}. */
  @FunctionalInterface
  public interface BodyWriter {
    /** Writes the whole body. */
    void writeTo(BodyOutput out) throws IOException;
  }

  /**
   * Writes {@code target} through {@code fs}: a temporary file beside it (a leftover of an earlier
   * attempt is removed first), the body, then the header, then {@link StoreFs#publish}. On return
   * the new file is durable; on failure the target holds its old content or the new, and the
   * temporary file is removed as far as possible.
   *
   * @throws IOException naming the step that failed
   */
  public static void publish(StoreFs fs, Path target, Kind kind, BodyWriter body)
      throws IOException {
    stage(fs, target, kind, body).publish();
  }

  /**
   * The first half of {@link #publish}: writes the temporary file whole (body, then header) and
   * closes it, without syncing it. The caller publishes it later with {@link Staged#publish}, for
   * example after letting go of a lock that the write of the body needed but the fsync does not.
   * Until then the target is untouched.
   *
   * @throws IOException naming the step that failed; the temporary file is then removed as far as
   *     possible
   */
  public static Staged stage(StoreFs fs, Path target, Kind kind, BodyWriter body)
      throws IOException {
    Path temp = target.resolveSibling(target.getFileName() + TEMP_SUFFIX);
    String step = "removing the leftover " + temp;
    try {
      fs.deleteIfExists(temp);
      step = "creating " + temp;
      try (FileHandle h = fs.create(temp)) {
        step = "writing " + temp;
        BodyOutput out = new BodyOutput(h, HEADER);
        body.writeTo(out);
        long length = out.finish();
        h.write(ByteBuffer.wrap(header(kind, length, out.crc())), 0);
      }
    } catch (IOException | RuntimeException e) {
      throw removing(fs, temp, step, e);
    }
    return new Staged(fs, temp, target);
  }

  /**
   * A temporary file written whole by {@link #stage}, not yet synced nor renamed over its target.
   */
  public static final class Staged {
    private final StoreFs fs;
    private final Path temp;
    private final Path target;

    private Staged(StoreFs fs, Path temp, Path target) {
      this.fs = fs;
      this.temp = temp;
      this.target = target;
    }

    /**
     * {@link StoreFs#publish}: syncs the temporary file, renames it over the target and syncs the
     * directory. On return the new file is durable; on failure the target holds its old content or
     * the new, and the temporary file is removed as far as possible.
     *
     * @throws IOException naming the step that failed
     */
    public void publish() throws IOException {
      try {
        fs.publish(temp, target, SyncMode.ALL);
      } catch (IOException | RuntimeException e) {
        throw removing(fs, temp, "publishing " + temp + " as " + target, e);
      }
    }
  }

  /** The failure of {@code step}, after removing {@code temp} as far as possible. */
  private static IOException removing(StoreFs fs, Path temp, String step, Exception e) {
    IOException failed = new IOException(step + " failed: " + e.getMessage(), e);
    try {
      fs.deleteIfExists(temp);
    } catch (IOException suppressed) {
      failed.addSuppressed(suppressed);
    }
    return failed;
  }

  /** The header for a body of {@code length} bytes with CRC32C {@code crc}. */
  static byte[] header(Kind kind, long length, int crc) {
    ByteBuffer b = ByteBuffer.allocate(HEADER);
    b.put(kind.magic()).putShort((short) kind.version()).putShort((short) 0);
    b.putLong(length).putInt(crc);
    CRC32C c = new CRC32C();
    c.update(b.array(), 0, 24);
    b.putInt((int) c.getValue());
    return b.array();
  }

  /**
   * One kind of authority file: its magic and the body version this build writes and reads.
   *
   * @param name what the file is, for messages
   * @param magic 8 bytes
   * @param version the body version this build writes; it reads it and no newer one
   */
  public record Kind(String name, byte[] magic, int version) {}

  /** What {@link #open} found. */
  public sealed interface Opened permits Missing, Damaged, Found {}

  /** There is no such file. */
  public record Missing() implements Opened {}

  /**
   * The file is there but cannot be believed.
   *
   * @param reason what is wrong, naming the file and the offset
   */
  public record Damaged(String reason) implements Opened {}

  /**
   * A file whose header holds; its body is read through {@code body}, whose CRC is checked at its
   * end ({@link BodyInput#finish}).
   *
   * @param version the body's format version
   * @param body the body, to read and then close
   */
  public record Found(int version, BodyInput body) implements Opened {}

  /**
   * Opens {@code file} and checks its header.
   *
   * @throws UnsupportedFormatException if the header holds and names a newer version than {@code
   *     kind}'s, naming both
   * @throws IOException if reading fails
   */
  public static Opened open(StoreFs fs, Path file, Kind kind) throws IOException {
    FileHandle h;
    try {
      h = fs.openRead(file);
    } catch (NoSuchFileException e) {
      return new Missing();
    }
    boolean handedOver = false;
    try {
      long size = h.size();
      if (size < HEADER) {
        return new Damaged(
            file + ": " + size + " bytes, shorter than the " + HEADER + "-byte header");
      }
      byte[] head = new byte[HEADER];
      h.read(ByteBuffer.wrap(head), 0);
      if (!Arrays.equals(head, 0, 8, kind.magic(), 0, 8)) {
        return new Damaged(
            file
                + " at offset 0: magic "
                + HexFormat.of().formatHex(head, 0, 8)
                + ", expected "
                + HexFormat.of().formatHex(kind.magic()));
      }
      ByteBuffer b = ByteBuffer.wrap(head);
      CRC32C c = new CRC32C();
      c.update(head, 0, 24);
      if (b.getInt(24) != (int) c.getValue()) {
        return new Damaged(file + " at offset 24: the header's CRC32C does not match");
      }
      int version = b.getShort(8) & 0xFFFF;
      if (version > kind.version()) {
        throw new UnsupportedFormatException(
            file
                + " is a "
                + kind.name()
                + " of format version "
                + version
                + "; this build reads versions up to "
                + kind.version()
                + ". Upgrade batpak, or delete the file to have it rebuilt from the journal.");
      }
      long length = b.getLong(12);
      if (length != size - HEADER) {
        return new Damaged(
            file
                + " at offset 12: a body length of "
                + length
                + " bytes, but "
                + (size - HEADER)
                + " follow the header");
      }
      handedOver = true;
      return new Found(version, new BodyInput(h, file, HEADER, length, b.getInt(20)));
    } finally {
      if (!handedOver) {
        h.close();
      }
    }
  }
}
