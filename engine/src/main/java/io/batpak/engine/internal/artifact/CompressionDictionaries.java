package io.batpak.engine.internal.artifact;

import io.batpak.UnsupportedFormatException;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The store's zstd dictionary files (docs/format.md, "Compression dictionaries"; ADR 0026): one
 * immutable authority file per dictionary, {@code zstd-<id>.dict} beside the segments, with the id
 * in ten decimal digits from 1. A file is published whole ({@link AuthorityFile#publish}) before
 * any payload names its id, and never rewritten or removed, since payloads name it for good.
 *
 * <pre>
 * body, version 1:
 *   u32  id, equal to the one in the file's name
 *   u32  the dictionary size the store was configured with when it trained it
 *   u32  n, the dictionary's length
 *   n    the zstd dictionary
 * </pre>
 *
 * Stateless.
 */
public final class CompressionDictionaries {

  /** Its kind: magic {@code 89 42 50 4B 5A 44 43 0A}, body version 1. */
  public static final AuthorityFile.Kind KIND =
      new AuthorityFile.Kind(
          "zstd dictionary file", new byte[] {(byte) 0x89, 'B', 'P', 'K', 'Z', 'D', 'C', 0x0A}, 1);

  private static final Pattern NAME = Pattern.compile("zstd-(\\d{10})\\.dict");

  private CompressionDictionaries() {}

  /** The file name of dictionary {@code id}. */
  public static String fileName(int id) {
    return String.format("zstd-%010d.dict", Integer.toUnsignedLong(id));
  }

  /**
   * Whether {@code name} is a dictionary file's name (not its temporary file's): copies of the
   * store take these along, as its payloads need them.
   */
  public static boolean isDictionary(String name) {
    return NAME.matcher(name).matches();
  }

  /**
   * One dictionary file as the open found it: either its dictionary or what is wrong with it.
   *
   * @param file the file
   * @param trainedFor the configured size it was trained for (0 when damaged)
   * @param dictionary the dictionary, or null when damaged
   * @param damage what is wrong, naming the file (null when intact)
   * @param offset where in the file the damage is (0 for the header, the body's start else)
   */
  public record Entry(Path file, int trainedFor, byte[] dictionary, String damage, long offset) {}

  /**
   * Reads every dictionary file in {@code directory}, by id. A damaged one is kept as such: the
   * store opens, and reading a payload that names it is a corrupt-store error.
   *
   * @throws io.batpak.UnsupportedFormatException if one is of a newer body version
   * @throws IOException if listing or reading fails
   */
  public static TreeMap<Integer, Entry> load(StoreFs fs, Path directory) throws IOException {
    TreeMap<Integer, Entry> found = new TreeMap<>(Integer::compareUnsigned);
    for (String name : fs.list(directory)) {
      Matcher m = NAME.matcher(name);
      if (m.matches()) {
        long id = Long.parseLong(m.group(1));
        if (id >= 1 && id <= 0xFFFF_FFFFL) {
          found.put((int) id, read(fs, directory.resolve(name), (int) id));
        }
      }
    }
    return found;
  }

  private static Entry read(StoreFs fs, Path file, int id) throws IOException {
    AuthorityFile.Opened opened;
    try {
      opened = AuthorityFile.open(fs, file, KIND);
    } catch (UnsupportedFormatException e) {
      // Its generic advice (delete the file to rebuild it) does not hold: nothing rebuilds one.
      throw new UnsupportedFormatException(
          file
              + " is a zstd dictionary of a newer format than this build reads ("
              + e.getMessage()
              + "). Do not delete it: payloads name it. Open the store with a newer batpak.",
          e);
    }
    if (opened instanceof AuthorityFile.Damaged d) {
      return new Entry(file, 0, null, d.reason(), 0);
    }
    if (opened instanceof AuthorityFile.Missing) {
      return new Entry(file, 0, null, file + ": removed while the store opened", 0);
    }
    long body = AuthorityFile.HEADER;
    try (BodyInput in = ((AuthorityFile.Found) opened).body()) {
      int stored = in.getInt();
      int trainedFor = in.getInt();
      int n = in.getInt();
      if (n <= 0 || n > in.remaining()) {
        return damaged(file, in, "a dictionary of " + Integer.toUnsignedString(n) + " bytes");
      }
      byte[] dictionary = in.getBytes(n);
      String problem = in.finish();
      if (problem != null) {
        return new Entry(file, 0, null, problem, body);
      }
      if (stored != id) {
        return new Entry(
            file,
            0,
            null,
            file
                + " at offset "
                + body
                + ": holds dictionary "
                + Integer.toUnsignedString(stored)
                + ", not the "
                + id
                + " its name gives",
            body);
      }
      return new Entry(file, trainedFor, dictionary, null, 0);
    } catch (BodyInput.Truncated e) {
      return new Entry(file, 0, null, e.getMessage(), body);
    }
  }

  private static Entry damaged(Path file, BodyInput in, String what) {
    String crc = in.finish();
    return new Entry(
        file,
        0,
        null,
        crc != null ? crc : file + " at offset " + AuthorityFile.HEADER + ": " + what,
        AuthorityFile.HEADER);
  }

  /**
   * Publishes dictionary {@code id} (temp file, {@link StoreFs#publish}): on return it is durable.
   *
   * @throws IOException naming the step that failed
   */
  public static Path publish(StoreFs fs, Path directory, int id, int trainedFor, byte[] dictionary)
      throws IOException {
    Path file = directory.resolve(fileName(id));
    AuthorityFile.publish(
        fs,
        file,
        KIND,
        out -> out.putInt(id).putInt(trainedFor).putInt(dictionary.length).put(dictionary));
    return file;
  }
}
