package io.batpak.it.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CopyReport;
import io.batpak.CopyReport.Sharing;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Snapshot and fork on the real {@code posix} backend (docs/operations.md): a snapshot's files are
 * its own (other inodes), a fork's sealed segments and index checkpoint are the source's files (the
 * same inode, for a hard link) and its active segment a copy; neither store sees the other's
 * appends and a shared file is never written again; bad destinations, a symbolic link among them,
 * are refused and nothing is created.
 */
class SnapshotForkIT {
  private static final EventKind KIND = EventKind.custom(3, 1);

  @TempDir Path tmp;

  private static StoreConfig config(Path dir) {
    return StoreConfig.builder(dir).fsBackend("posix").segmentMaxBytes(4096).build();
  }

  private static void appendSome(Store s, int n, String tag) {
    for (int i = 0; i < n; i++) {
      s.append(
          Coordinate.of(tag + (i % 3), "s"),
          KIND,
          Bytes.utf8(tag + "-" + i + "-" + "x".repeat(i % 90)));
    }
  }

  private static List<String> events(Path dir) {
    try (Store s = Store.open(config(dir))) {
      List<String> out = new ArrayList<>();
      long after = -1;
      while (true) {
        List<EventHeader> page = s.queryAfter(Region.all(), after, 500);
        if (page.isEmpty()) {
          return out;
        }
        for (EventHeader h : page) {
          out.add(h + "/" + s.get(h.eventId()).payload());
          after = h.globalSequence();
        }
      }
    }
  }

  private static Map<String, Object> inodes(Path dir) throws IOException {
    Map<String, Object> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().endsWith(".seg")) {
          out.put(p.getFileName().toString(), Files.getAttribute(p, "unix:ino"));
        }
      }
    }
    return out;
  }

  private static Map<String, byte[]> segmentBytes(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files::iterator) {
        if (p.getFileName().toString().endsWith(".seg")) {
          out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
      }
    }
    return out;
  }

  @Test
  void aSnapshotIsACompleteStoreWithFilesOfItsOwn() throws IOException {
    Path src = tmp.resolve("src");
    Path dest = tmp.resolve("backups").resolve("snap");
    Files.createDirectories(dest.getParent());
    List<String> before;
    CopyReport r;
    try (Store s = Store.open(config(src))) {
      appendSome(s, 150, "a");
      r = s.snapshot(dest);
      appendSome(s, 20, "after");
    }
    before = events(src).subList(0, 150);
    assertEquals(150, r.watermark());
    assertEquals(dest, r.destination());
    assertEquals(r.segments().size(), r.count(Sharing.COPY));
    assertTrue(r.segments().size() > 3, r.toString());
    assertEquals(r.bytes(), r.bytesWritten());
    Map<String, Object> srcInodes = inodes(src);
    Map<String, Object> snapInodes = inodes(dest);
    for (Map.Entry<String, Object> e : snapInodes.entrySet()) {
      assertNotEquals(srcInodes.get(e.getKey()), e.getValue(), e.getKey() + " is a copy");
    }
    try (Stream<Path> files = Files.list(dest.getParent())) {
      assertEquals(List.of(dest), files.toList(), "no temporary directory is left");
    }
    assertEquals(before, events(dest));
  }

  @Test
  void aForkSharesSealedSegmentsAndNeitherStoreSeesTheOthersAppends() throws IOException {
    Path src = tmp.resolve("src");
    Path fork = tmp.resolve("fork");
    CopyReport r;
    try (Store s = Store.open(config(src))) {
      appendSome(s, 150, "a");
      r = s.fork(fork);
    }
    List<String> atFork = events(src);
    System.out.println("fork on posix: " + r);
    assertEquals(150, r.watermark());
    int n = r.segments().size();
    assertTrue(n > 3, r.toString());
    assertEquals(Sharing.COPY, r.segments().get(n - 1).sharing(), "the active segment is copied");
    assertEquals(0, r.count(Sharing.COPY) - 1, "every sealed segment is shared: " + r);

    // Sharing is visible on disk: a hard link is the same inode, a reflink or copy another.
    Map<String, Object> srcInodes = inodes(src);
    Map<String, Object> forkInodes = inodes(fork);
    List<String> names = new ArrayList<>(forkInodes.keySet());
    assertEquals(n, names.size());
    for (int i = 0; i < n; i++) {
      String name = names.get(i);
      Sharing how = r.segments().get(i).sharing();
      if (how == Sharing.HARD_LINK) {
        assertEquals(srcInodes.get(name), forkInodes.get(name), name + " shared by hard link");
        assertTrue(
            (Integer)
                    Files.getAttribute(fork.resolve(name), "unix:nlink", LinkOption.NOFOLLOW_LINKS)
                >= 2);
      } else {
        assertNotEquals(srcInodes.get(name), forkInodes.get(name), name + " is its own file");
      }
    }
    Map<String, byte[]> shared = segmentBytes(fork);
    shared.keySet().retainAll(names.subList(0, n - 1));

    assertEquals(atFork, events(fork));
    try (Store f = Store.open(config(fork))) {
      appendSome(f, 120, "fork-only"); // rotates several times in the fork
    }
    try (Store s = Store.open(config(src))) {
      appendSome(s, 120, "source-only");
    }
    List<String> source = events(src);
    List<String> forked = events(fork);
    assertEquals(atFork.size() + 120, source.size());
    assertEquals(atFork.size() + 120, forked.size());
    assertEquals(atFork, source.subList(0, atFork.size()));
    assertEquals(atFork, forked.subList(0, atFork.size()));
    assertFalse(source.stream().anyMatch(e -> e.contains("fork-only")), "fork's appends stay out");
    assertFalse(forked.stream().anyMatch(e -> e.contains("source-only")), "source's stay out");
    Map<String, byte[]> after = segmentBytes(fork);
    for (Map.Entry<String, byte[]> e : shared.entrySet()) {
      assertArrayEquals(e.getValue(), after.get(e.getKey()), e.getKey() + " never written again");
    }
  }

  @Test
  void aForkSharesTheIndexCheckpointAndTheSourcesNextOneLeavesItAlone() throws IOException {
    Path src = tmp.resolve("src");
    Path fork = tmp.resolve("fork");
    StoreConfig checkpointing =
        StoreConfig.builder(src)
            .fsBackend("posix")
            .segmentMaxBytes(4096)
            .checkpointEveryBytes(4096)
            .build();
    Path ckpt = Path.of("index.ckpt");
    Object shared;
    byte[] atFork;
    try (Store s = Store.open(checkpointing)) {
      appendSome(s, 150, "a");
      s.fork(fork);
      shared = Files.getAttribute(fork.resolve(ckpt), "unix:ino");
      assertEquals(Files.getAttribute(src.resolve(ckpt), "unix:ino"), shared, "a hard link");
      atFork = Files.readAllBytes(fork.resolve(ckpt));
      appendSome(s, 150, "source-only"); // the source publishes newer checkpoints meanwhile
    } // and one more on close
    assertNotEquals(
        shared, Files.getAttribute(src.resolve(ckpt), "unix:ino"), "replaced, not written");
    assertArrayEquals(atFork, Files.readAllBytes(fork.resolve(ckpt)), "the fork's is unchanged");
    try (Store f = Store.open(config(fork))) {
      OpenReport.IndexLoad load = f.openReport().indexLoad();
      assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), load.toString());
      assertEquals(List.of(), load.distrusted());
      assertEquals(150, f.stats().eventCount());
    }
  }

  @Test
  void badDestinationsAreRefusedAndNothingIsCreated() throws IOException {
    Path src = tmp.resolve("src");
    Path existing = Files.createDirectories(tmp.resolve("existing"));
    Path file = Files.writeString(tmp.resolve("file"), "keep");
    Path victim = tmp.resolve("victim");
    Path dangling = Files.createSymbolicLink(tmp.resolve("dangling"), victim);
    Path linkToDir = Files.createSymbolicLink(tmp.resolve("linkToDir"), existing);
    try (Store s = Store.open(config(src))) {
      appendSome(s, 10, "a");
      for (Path bad :
          List.of(
              src,
              src.resolve("inside"),
              src.resolve("a/b/.."),
              tmp,
              existing,
              file,
              dangling,
              linkToDir,
              tmp.resolve("no-parent").resolve("snap"))) {
        ValidationException e =
            assertThrows(ValidationException.class, () -> s.snapshot(bad), bad.toString());
        assertTrue(e.getMessage().contains(bad.normalize().toString()), e.getMessage());
        assertThrows(ValidationException.class, () -> s.fork(bad), bad.toString());
      }
    }
    assertFalse(Files.exists(victim, LinkOption.NOFOLLOW_LINKS), "nothing behind the link");
    assertTrue(Files.isSymbolicLink(dangling));
    assertTrue(Files.isSymbolicLink(linkToDir));
    assertEquals("keep", Files.readString(file));
    try (Stream<Path> files = Files.list(existing)) {
      assertEquals(0, files.count());
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(5, files.count(), "src, existing, file, dangling, linkToDir and nothing else");
    }
  }
}
