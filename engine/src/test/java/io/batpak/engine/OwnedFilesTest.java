package io.batpak.engine;

import static io.batpak.engine.StoreFixtures.KIND;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.SymlinkRefusedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files a store owns: one symbolic-link rule in every open mode (issue 8 defect 12,
 * docs/architecture.md decision 12), and a read-only open that changes nothing on disk (defect 17).
 */
class OwnedFilesTest {
  static final Coordinate C = Coordinate.of("e1", "s");

  @TempDir Path dir;
  @TempDir Path elsewhere;

  private List<AppendReceipt> threeSegments() {
    List<AppendReceipt> acked = new ArrayList<>();
    try (Store store = Store.open(StoreConfig.builder(dir).segmentMaxBytes(4096).build())) {
      while (StoreFixtures.segments(dir).size() < 3) {
        acked.add(store.append(C, KIND, Bytes.utf8("x".repeat(400))));
      }
    }
    return acked;
  }

  /** Moves {@code file} to {@code elsewhere} and leaves a link to it in its place. */
  private void replaceByLink(Path file) throws Exception {
    Path target = elsewhere.resolve(file.getFileName());
    Files.move(file, target);
    Files.createSymbolicLink(file, target);
  }

  private void assertRefusedInEveryMode(Path link) {
    for (boolean readOnly : new boolean[] {false, true}) {
      SymlinkRefusedException e =
          assertThrows(
              SymlinkRefusedException.class,
              () -> Store.open(StoreConfig.builder(dir).readOnly(readOnly).build()).close(),
              link + (readOnly ? " read-only" : " mutable"));
      assertEquals(link.toString(), e.file());
    }
  }

  @Test
  void anOlderSegmentThatIsALinkIsRefusedInEveryMode() throws Exception {
    threeSegments();
    Path older = StoreFixtures.segment(dir, 1);
    replaceByLink(older);
    assertRefusedInEveryMode(older);
  }

  @Test
  void theNewestSegmentThatIsALinkIsRefusedInEveryMode() throws Exception {
    threeSegments();
    Path newest = StoreFixtures.segment(dir, 3);
    replaceByLink(newest);
    assertRefusedInEveryMode(newest);
  }

  @Test
  void aLockFileThatIsALinkIsRefusedInEveryMode() throws Exception {
    threeSegments();
    Path lock = dir.resolve(".batpak.lock");
    replaceByLink(lock);
    assertRefusedInEveryMode(lock);
  }

  @Test
  void aDictionaryFileThatIsALinkIsRefusedInEveryMode() throws Exception {
    threeSegments();
    // Every open reads the zstd dictionary files (ADR 0026), whatever its compression setting.
    Path dictionary = dir.resolve("zstd-0000000001.dict");
    Files.write(dictionary, new byte[64]);
    replaceByLink(dictionary);
    assertRefusedInEveryMode(dictionary);
  }

  @Test
  void theStoreDirectoryItselfMayBeALink() throws Exception {
    List<AppendReceipt> acked = threeSegments();
    Path link = elsewhere.resolve("store-link");
    Files.createSymbolicLink(link, dir);
    try (Store store = Store.open(StoreConfig.builder(link).build())) {
      StoreFixtures.assertIntact(store, acked);
    }
  }

  @Test
  void aReadOnlyOpenChangesNothingOnDiskEvenWithoutALockFile() throws Exception {
    List<AppendReceipt> acked = threeSegments();
    Files.delete(dir.resolve(".batpak.lock"));
    Files.setLastModifiedTime(dir, FileTime.fromMillis(1_000_000_000_000L));
    FileTime dirTime = Files.getLastModifiedTime(dir);
    Map<String, byte[]> before = StoreFixtures.contents(dir);
    try (Store store = Store.open(StoreConfig.builder(dir).readOnly(true).build())) {
      StoreFixtures.assertIntact(store, acked);
    }
    assertFalse(Files.exists(dir.resolve(".batpak.lock")), "a read-only open created the lock");
    assertEquals(dirTime, Files.getLastModifiedTime(dir), "the directory changed");
    StoreFixtures.assertSameContents(before, StoreFixtures.contents(dir));
  }
}
