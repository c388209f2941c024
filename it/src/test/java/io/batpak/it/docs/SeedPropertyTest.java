package io.batpak.it.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.sim.SimSeed;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One seed property across the project: every {@code -Dbatpak.…seed…=} that a source file, a replay
 * command it prints or a document names is {@link SimSeed#PROPERTY}. A replay line naming a
 * property nothing reads replays nothing (AxonAppIT once printed one naming {@code batpak.seed}).
 */
class SeedPropertyTest {
  private static final Pattern SEED_FLAG =
      Pattern.compile("-Dbatpak\\.([A-Za-z0-9_.]*seed[A-Za-z0-9_.]*)=");

  static List<String> strayFlags(Path root) throws IOException {
    List<String> stray = new ArrayList<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        String rel = root.relativize(f).toString().replace('\\', '/');
        if (!Files.isRegularFile(f)
            || rel.contains("/target/")
            || rel.startsWith("target/")
            || rel.startsWith(".git/")
            || !(name.endsWith(".java") || name.endsWith(".md") || name.equals("run"))) {
          continue;
        }
        List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = SEED_FLAG.matcher(lines.get(i));
          while (m.find()) {
            if (!("batpak." + m.group(1)).equals(SimSeed.PROPERTY)) {
              stray.add(rel + ":" + (i + 1) + ": -Dbatpak." + m.group(1));
            }
          }
        }
      }
    }
    return stray;
  }

  @Test
  void everySeedFlagInTheRepositoryIsTheOneProperty() throws IOException {
    assertEquals(List.of(), strayFlags(DocSamplesTest.repositoryRoot()));
  }

  @Test
  void aStrayFlagIsFound(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("A.java"),
        "// replay: mvn test -Dbatpak." + "seed=42 -D" + SimSeed.PROPERTY + "=42\n");
    List<String> stray = strayFlags(dir);
    assertEquals(1, stray.size(), stray.toString());
    assertTrue(stray.get(0).startsWith("A.java:1: -Dbatpak.seed"), stray.toString());
  }
}
