package io.batpak.engine.internal.recovery;

import io.batpak.engine.internal.artifact.AuthorityFile;
import io.batpak.engine.internal.artifact.BodyInput;
import io.batpak.engine.internal.segment.Journal;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The record a compaction publishes before it writes anything else (docs/format.md, "Compaction"):
 * which run of segments it replaces. While it exists, the output is being built in {@link
 * #tempName} beside the segments; the switch is the rename of that file over segment {@code last}.
 * An open finding it settles the directory ({@link CompactionSettle}): if segment {@code last} is
 * already the output (a version 3 header naming {@code first}), the run is finished by removing the
 * replaced segments; otherwise the temporary file is removed and the old segments stand.
 *
 * @param first the first segment replaced
 * @param last the last segment replaced; the output takes its number
 */
public record CompactionIntent(long first, long last) {

  /** The file's name in the store directory. */
  public static final String FILE = "compaction.intent";

  /** Its kind: magic {@code 89 42 50 4B 43 4D 50 0A}, body version 1. */
  static final AuthorityFile.Kind KIND =
      new AuthorityFile.Kind(
          "compaction intent", new byte[] {(byte) 0x89, 'B', 'P', 'K', 'C', 'M', 'P', 0x0A}, 1);

  /** The suffix of an output being built. */
  public static final String TEMP_SUFFIX = ".compacting";

  /** The temporary name of the output. */
  public String tempName() {
    return Journal.fileName(last) + TEMP_SUFFIX;
  }

  /** Publishes this intent durably. */
  public void publish(StoreFs fs, Path directory) throws IOException {
    AuthorityFile.publish(
        fs, directory.resolve(FILE), KIND, out -> out.putLong(first).putLong(last));
  }

  /** What {@link #read} found: an intent, none, or a damaged file and why. */
  record Read(CompactionIntent intent, String damage) {}

  /** Reads the intent of {@code directory}. */
  static Read read(StoreFs fs, Path directory) throws IOException {
    AuthorityFile.Opened opened = AuthorityFile.open(fs, directory.resolve(FILE), KIND);
    if (opened instanceof AuthorityFile.Missing) {
      return new Read(null, null);
    }
    if (opened instanceof AuthorityFile.Damaged d) {
      return new Read(null, d.reason());
    }
    try (BodyInput in = ((AuthorityFile.Found) opened).body()) {
      long first = in.getLong();
      long last = in.getLong();
      String problem = in.finish();
      if (problem != null) {
        return new Read(null, problem);
      }
      if (first < 1 || last < first) {
        return new Read(null, directory.resolve(FILE) + ": segments " + first + ".." + last);
      }
      return new Read(new CompactionIntent(first, last), null);
    } catch (BodyInput.Truncated e) {
      return new Read(null, e.getMessage());
    }
  }
}
