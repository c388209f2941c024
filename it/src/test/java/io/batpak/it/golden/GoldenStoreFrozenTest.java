package io.batpak.it.golden;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The golden store is frozen: every file under {@code it/src/test/resources/golden/v1/} must have
 * the SHA-256 that its checked-in {@code SHA256SUMS} lists, no file may be added or removed, and
 * {@code SHA256SUMS} itself must have the SHA-256 pinned here, so a regenerated store (new sums and
 * all) fails as loudly as an edited one. A store of format v1 must stay readable by every later
 * build; a format change gets a new version directory instead.
 */
class GoldenStoreFrozenTest {

  /** SHA-256 of {@code golden/v1/SHA256SUMS}. Never change it; add {@code golden/v2} instead. */
  static final String V1_SUMS_SHA256 =
      "e37217a897838a3fba4d470ce7511e9b7af832490a97a7afce220fb8018e3b7b";

  private static String frozen(String what) {
    return "The golden store "
        + GoldenStoreV1Test.VERSION_DIR
        + " is frozen, and "
        + what
        + ". Its files must never change: every later build must read the format-v1 store that"
        + " was written then. Restore them (git checkout -- it/src/test/resources/"
        + GoldenStoreV1Test.VERSION_DIR
        + "). A format change needs a new version directory (golden/v2) written by a generator of"
        + " that version, with its own tests; see GoldenStoreGenerator and docs/testing.md.";
  }

  @Test
  void theSumsFileIsThePinnedOne() throws IOException {
    Path sums = GoldenStoreV1Test.golden(GoldenStoreV1Test.VERSION_DIR).resolve("SHA256SUMS");
    String actual = GoldenStoreGenerator.sha256(Files.readAllBytes(sums));
    if (!actual.equals(V1_SUMS_SHA256)) {
      fail(
          frozen(
              "its SHA256SUMS has SHA-256 " + actual + " instead of the pinned " + V1_SUMS_SHA256));
    }
  }

  @Test
  void everyFileHasItsListedSha256() throws IOException {
    Path dir = GoldenStoreV1Test.golden(GoldenStoreV1Test.VERSION_DIR);
    Map<String, String> listed = new TreeMap<>();
    for (String line : Files.readAllLines(dir.resolve("SHA256SUMS"), StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        listed.put(line.substring(66), line.substring(0, 64));
      }
    }
    Map<String, String> actual = GoldenStoreGenerator.digests(dir);
    List<String> problems = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(listed.keySet());
    names.addAll(actual.keySet());
    for (String name : names) {
      String want = listed.get(name);
      String have = actual.get(name);
      if (want == null) {
        problems.add(name + " was added");
      } else if (have == null) {
        problems.add(name + " is missing");
      } else if (!want.equals(have)) {
        problems.add(name + " has SHA-256 " + have + " instead of " + want);
      }
    }
    if (!problems.isEmpty()) {
      fail(frozen(String.join("; ", problems)));
    }
    assertEquals(5, actual.size(), "expected.json and four segment files: " + actual.keySet());
  }
}
