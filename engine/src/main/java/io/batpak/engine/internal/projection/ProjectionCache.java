package io.batpak.engine.internal.projection;

import io.batpak.engine.internal.artifact.AuthorityFile;
import io.batpak.engine.internal.artifact.BodyInput;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The projection cache's files: one authority file per (projection id, stream) under {@code
 * projections/} in the store directory, named by a hash of the key (so any entity string gives a
 * safe name) and holding the full key, checked on read (a hash collision is a miss, never another
 * key's state). docs/format.md "Projection cache entries".
 *
 * <pre>
 * body, version 1 (all integers big-endian):
 *   u32 n, n bytes   projection id, UTF-8
 *   u32 n, n bytes   stream (entity), UTF-8
 *   u32              schema version
 *   u64              stream version: the stream's events folded (its next stream sequence)
 *   u64              watermark: the global sequence the state reflects
 *   u64              global sequence of the stream's last folded event (-1 if none)
 *   u64, u64         that event's id (high, low bits; 0, 0 if none)
 *   u64              events of the stream (below the stream version) compaction dropped
 *   u64              events of the stream (below the stream version) compaction tombstoned
 *   u64              when the entry was made, wall-clock microseconds of the store's clock
 *   u32 n, n bytes   the state, encoded with the store's codec
 * </pre>
 */
public final class ProjectionCache {
  /** The directory, in the store directory. */
  public static final String DIRECTORY = "projections";

  /** The suffix of an entry's file name. */
  public static final String SUFFIX = ".pcache";

  /** Its kind: magic {@code 89 42 50 4B 50 52 4A 0A}, body version 1. */
  public static final AuthorityFile.Kind KIND =
      new AuthorityFile.Kind(
          "projection cache entry",
          new byte[] {(byte) 0x89, 'B', 'P', 'K', 'P', 'R', 'J', 0x0A},
          1);

  /** The most bytes of state (and of a key string) an entry holds. */
  static final int MAX_FIELD = 1 << 30;

  private ProjectionCache() {}

  /**
   * One entry.
   *
   * @param id the projection id
   * @param entity the stream
   * @param schemaVersion the projection's schema version
   * @param streamVersion the stream's events folded
   * @param watermark the global sequence the state reflects
   * @param lastRow the global sequence of the last folded event of the stream, or -1
   * @param lastIdHi its id's high bits
   * @param lastIdLo its id's low bits
   * @param dropped the stream's events below {@code streamVersion} compaction dropped
   * @param tombstoned those compaction tombstoned
   * @param madeAtMicros when the entry was made (store clock, wall time)
   * @param state the encoded state
   */
  public record Entry(
      String id,
      String entity,
      int schemaVersion,
      long streamVersion,
      long watermark,
      long lastRow,
      long lastIdHi,
      long lastIdLo,
      long dropped,
      long tombstoned,
      long madeAtMicros,
      byte[] state) {}

  /** The file of key (id, entity) in the store directory {@code directory}. */
  public static Path file(Path directory, String id, String entity) {
    return directory.resolve(DIRECTORY).resolve(name(id, entity));
  }

  /** The file name of key (id, entity): 32 hex digits of SHA-256 over the key, and the suffix. */
  static String name(String id, String entity) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      d.update(id.getBytes(StandardCharsets.UTF_8));
      d.update((byte) 0); // an id never holds 0, so (id, entity) pairs never run together
      d.update(entity.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d.digest(), 0, 16) + SUFFIX;
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Publishes {@code e} as {@code file} ({@link AuthorityFile#publish}: temp file, {@link
   * StoreFs#publish}).
   *
   * @throws IOException naming the step that failed
   */
  static void write(StoreFs fs, Path file, Entry e) throws IOException {
    AuthorityFile.publish(
        fs,
        file,
        KIND,
        out -> {
          putBytes(out, e.id().getBytes(StandardCharsets.UTF_8));
          putBytes(out, e.entity().getBytes(StandardCharsets.UTF_8));
          out.putInt(e.schemaVersion());
          out.putLong(e.streamVersion()).putLong(e.watermark()).putLong(e.lastRow());
          out.putLong(e.lastIdHi()).putLong(e.lastIdLo());
          out.putLong(e.dropped()).putLong(e.tombstoned()).putLong(e.madeAtMicros());
          putBytes(out, e.state());
        });
  }

  private static void putBytes(io.batpak.engine.internal.artifact.BodyOutput out, byte[] b)
      throws IOException {
    out.putInt(b.length).put(b);
  }

  /** What {@link #read} found. */
  sealed interface Read permits Missing, Damaged, Found {}

  /** No entry. */
  record Missing() implements Read {}

  /**
   * An entry that cannot be believed.
   *
   * @param reason what is wrong, naming the file
   */
  record Damaged(String reason) implements Read {}

  /**
   * An entry.
   *
   * @param entry the entry
   */
  record Found(Entry entry) implements Read {}

  /**
   * Reads {@code file}; a damaged file, or one of a newer format, is {@link Damaged}.
   *
   * @throws IOException if reading fails
   */
  static Read read(StoreFs fs, Path file) throws IOException {
    AuthorityFile.Opened opened;
    try {
      opened = AuthorityFile.open(fs, file, KIND);
    } catch (io.batpak.UnsupportedFormatException e) {
      return new Damaged(e.getMessage());
    }
    if (opened instanceof AuthorityFile.Missing) {
      return new Missing();
    }
    if (opened instanceof AuthorityFile.Damaged d) {
      return new Damaged(d.reason());
    }
    try (BodyInput in = ((AuthorityFile.Found) opened).body()) {
      byte[] id = getBytes(in, file);
      byte[] entity = getBytes(in, file);
      int schema = in.getInt();
      long streamVersion = in.getLong();
      long watermark = in.getLong();
      long lastRow = in.getLong();
      long hi = in.getLong();
      long lo = in.getLong();
      long dropped = in.getLong();
      long tombstoned = in.getLong();
      long madeAt = in.getLong();
      byte[] state = getBytes(in, file);
      String problem = in.finish();
      if (problem != null) {
        return new Damaged(problem);
      }
      if (streamVersion < 0 || lastRow < -1 || watermark < lastRow || dropped < 0) {
        return new Damaged(file + ": stream version " + streamVersion + ", last row " + lastRow);
      }
      return new Found(
          new Entry(
              new String(id, StandardCharsets.UTF_8),
              new String(entity, StandardCharsets.UTF_8),
              schema,
              streamVersion,
              watermark,
              lastRow,
              hi,
              lo,
              dropped,
              tombstoned,
              madeAt,
              state));
    } catch (BodyInput.Truncated e) {
      return new Damaged(e.getMessage());
    } catch (Malformed e) {
      return new Damaged(e.getMessage());
    }
  }

  private static byte[] getBytes(BodyInput in, Path file) throws IOException {
    int n = in.getInt();
    if (n < 0 || n > in.remaining()) {
      throw new Malformed(file + ": a field of " + n + " bytes, " + in.remaining() + " remain");
    }
    return in.getBytes(n);
  }

  /** A length that does not fit the body. */
  private static final class Malformed extends IOException {
    private static final long serialVersionUID = 1L;

    Malformed(String why) {
      super(why);
    }
  }
}
