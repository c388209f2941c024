package io.batpak.engine.internal.delivery;

import io.batpak.CursorCheckpointCorruptException;
import io.batpak.Region;
import io.batpak.StoreIoException;
import io.batpak.ValidationException;
import io.batpak.engine.internal.artifact.AuthorityFile;
import io.batpak.engine.internal.artifact.BodyInput;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * A cursor checkpoint file, {@code cursors/<id>.ckpt}: its id rule, its body (docs/format.md
 * "Cursor checkpoint") in the {@link AuthorityFile} envelope, the canonical identity of the region
 * it was made for, and reading it back with every failure typed.
 *
 * <pre>
 * body version 1
 *  8  delivered: global sequence of the last event delivered, -1 before the first
 *  8  through: every event of the region up to this global sequence was delivered (>= delivered)
 *  2+ the checkpoint id (u16 length, UTF-8): must match the file name
 *  2+ the region's identity (u16 length, UTF-8)
 * </pre>
 */
public final class CheckpointFile {
  /** The directory of cursor checkpoints, under the store directory. */
  public static final String DIR = "cursors";

  /** Where {@code delivered} stands in the file (the body's first field). */
  static final int DELIVERED_AT = AuthorityFile.HEADER;

  /** Where {@code through} stands in the file. */
  static final int THROUGH_AT = DELIVERED_AT + 8;

  /** Where the checkpoint id stands in the file. */
  static final int ID_AT = THROUGH_AT + 8;

  /** The checkpoint files' suffix. */
  public static final String SUFFIX = ".ckpt";

  /** The longest checkpoint id. */
  public static final int MAX_ID = 128;

  /** The envelope's kind: magic {@code \x89BPKCUR\n}, body version 1. */
  public static final AuthorityFile.Kind KIND =
      new AuthorityFile.Kind(
          "cursor checkpoint", new byte[] {(byte) 0x89, 'B', 'P', 'K', 'C', 'U', 'R', '\n'}, 1);

  private CheckpointFile() {}

  /**
   * What a checkpoint says.
   *
   * @param delivered the last global sequence delivered, -1 for none
   * @param through every event of the region up to this global sequence was delivered
   * @param id the checkpoint id
   * @param region the region's identity
   */
  public record Saved(long delivered, long through, String id, String region) {}

  /**
   * Checks a checkpoint id: 1 to {@link #MAX_ID} characters of {@code A-Z a-z 0-9 . _ -}, not
   * starting with a dot, so it can never name a path outside {@code cursors/} (no separator, no
   * {@code .} or {@code ..}, no control character, no hidden file).
   *
   * @throws ValidationException naming the value (quoted, control characters escaped) and the rule
   */
  public static String checkId(String id) {
    String why = null;
    if (id.isEmpty()) {
      why = "it is empty";
    } else if (id.length() > MAX_ID) {
      why = "it has " + id.length() + " characters, more than " + MAX_ID;
    } else if (id.charAt(0) == '.') {
      why = "it starts with a dot (no '.', '..' or hidden file)";
    } else {
      for (int i = 0; i < id.length(); i++) {
        char c = id.charAt(i);
        boolean ok =
            (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '.'
                || c == '_'
                || c == '-';
        if (!ok) {
          why = "character " + i + " is " + describe(c);
          break;
        }
      }
    }
    if (why != null) {
      throw new ValidationException(
          "the checkpoint id "
              + quote(id)
              + " is refused: "
              + why
              + ". A checkpoint id is 1 to "
              + MAX_ID
              + " characters of A-Z a-z 0-9 . _ -, not starting with a dot; it names the file"
              + " cursors/<id>"
              + SUFFIX
              + " and never a path outside it");
    }
    return id;
  }

  private static String describe(char c) {
    if (c == '/' || c == '\\') {
      return "'" + c + "', a path separator";
    }
    if (Character.isISOControl(c)) {
      return String.format("U+%04X, a control character", (int) c);
    }
    return String.format("'%c' (U+%04X), outside the allowed set", c, (int) c);
  }

  /** {@code s} in quotes, shortened past 64 characters, with control characters escaped. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder("'");
    int n = Math.min(s.length(), 64);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        b.append(String.format("\\u%04X", (int) c));
      } else {
        b.append(c);
      }
    }
    if (s.length() > n) {
      b.append("...(").append(s.length()).append(" characters)");
    }
    return b.append("'").toString();
  }

  /** The file of checkpoint {@code id} (already checked) under store directory {@code dir}. */
  public static Path file(Path dir, String id) {
    return dir.resolve(DIR).resolve(id + SUFFIX);
  }

  /**
   * The canonical identity of a region: every part, in a fixed order, strings with their length so
   * no value can imitate another part. Equal regions have equal identities and unequal ones
   * unequal.
   */
  public static String identity(Region r) {
    StringBuilder b = new StringBuilder("v1");
    b.append("|entity=").append(text(r.entityPrefix().orElse(null)));
    b.append("|scope=").append(text(r.scope().orElse(null)));
    b.append("|kind=");
    if (r.kind().isPresent()) {
      b.append(String.format("0x%04X", r.kind().get().raw()));
    } else if (r.category().isPresent()) {
      b.append(String.format("category:0x%X", r.category().getAsInt()));
    } else {
      b.append('*');
    }
    b.append("|streamSequence=");
    if (r.streamSequenceFrom().isPresent()) {
      b.append(r.streamSequenceFrom().getAsLong())
          .append("..")
          .append(r.streamSequenceTo().getAsLong());
    } else {
      b.append('*');
    }
    return b.toString();
  }

  private static String text(String s) {
    return s == null ? "*" : s.getBytes(StandardCharsets.UTF_8).length + ":" + s;
  }

  /**
   * Reads checkpoint {@code id}; null if there is none.
   *
   * @throws CursorCheckpointCorruptException if it cannot be believed, naming the file and offset
   * @throws io.batpak.UnsupportedFormatException if it is of a newer format
   * @throws StoreIoException if reading failed
   */
  public static Saved read(StoreFs fs, Path dir, String id) {
    Path file = file(dir, id);
    try {
      AuthorityFile.Opened o = AuthorityFile.open(fs, file, KIND);
      if (o instanceof AuthorityFile.Missing) {
        return null;
      }
      if (o instanceof AuthorityFile.Damaged) {
        throw new CursorCheckpointCorruptException(
            file.toString(), ((AuthorityFile.Damaged) o).reason(), null);
      }
      AuthorityFile.Found f = (AuthorityFile.Found) o;
      try (BodyInput in = f.body()) {
        long delivered = in.getLong();
        long through = in.getLong();
        String savedId = in.getString();
        String region = in.getString();
        String bad = in.finish();
        if (bad != null) {
          throw new CursorCheckpointCorruptException(file.toString(), bad, null);
        }
        if (delivered < -1 || through < delivered) {
          throw new CursorCheckpointCorruptException(
              file.toString(),
              "at offset "
                  + DELIVERED_AT
                  + ": delivered "
                  + delivered
                  + " and through "
                  + through
                  + " are impossible (need -1 <= delivered <= through)",
              null);
        }
        if (!savedId.equals(id)) {
          throw new CursorCheckpointCorruptException(
              file.toString(),
              "at offset "
                  + ID_AT
                  + ": the file says it is checkpoint "
                  + quote(savedId)
                  + ", not "
                  + quote(id)
                  + " (a file copied or renamed by hand?)",
              null);
        }
        return new Saved(delivered, through, savedId, region);
      }
    } catch (BodyInput.Truncated e) {
      throw new CursorCheckpointCorruptException(file.toString(), e.getMessage(), e);
    } catch (IOException e) {
      throw new StoreIoException("reading the cursor checkpoint " + file + " failed: " + e, e);
    }
  }

  /**
   * Publishes {@code s} as checkpoint {@code s.id()} through {@link AuthorityFile#publish}: durable
   * on return; on failure the previous file is in place.
   *
   * @throws IOException naming the step that failed
   */
  public static void write(StoreFs fs, Path dir, Saved s) throws IOException {
    AuthorityFile.publish(
        fs,
        file(dir, s.id()),
        KIND,
        out ->
            out.putLong(s.delivered())
                .putLong(s.through())
                .putString(s.id())
                .putString(s.region()));
  }
}
