package io.batpak.it.copy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.CopyReport;
import io.batpak.CopyReport.Sharing;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A fork on a file system that shares blocks (Btrfs, XFS with reflink): every sealed segment is a
 * reflink ({@code FICLONE} through the {@code posix} backend), its own inode with the same bytes,
 * and the fork and the source stay independent.
 *
 * <p>Needs such a file system, which a build machine rarely has mounted: set {@code
 * -Dbatpak.test.reflinkDir=<a directory on Btrfs or XFS>} to run it; without the property the test
 * is reported as skipped (it never passes without running). On ext4 and tmpfs the same code path
 * falls back to hard links, which {@code SnapshotForkIT} proves on every build.
 */
class ReflinkForkIT {
  private static final EventKind KIND = EventKind.custom(3, 2);

  private static StoreConfig config(Path dir) {
    return StoreConfig.builder(dir).fsBackend("posix").segmentMaxBytes(4096).build();
  }

  @Test
  void aForkOnABlockSharingFileSystemReflinksEverySealedSegment() throws IOException {
    String where = System.getProperty("batpak.test.reflinkDir");
    assumeTrue(where != null, "set -Dbatpak.test.reflinkDir to a Btrfs or XFS directory");
    Path base = Files.createTempDirectory(Path.of(where), "reflink-fork");
    Path src = base.resolve("src");
    Path fork = base.resolve("fork");
    CopyReport r;
    try (Store s = Store.open(config(src))) {
      for (int i = 0; i < 150; i++) {
        s.append(Coordinate.of("e" + (i % 4), "s"), KIND, Bytes.utf8("event " + i));
      }
      r = s.fork(fork);
    }
    System.out.println("fork on a block-sharing file system: " + r);
    int n = r.segments().size();
    assertEquals(n - 1, r.count(Sharing.REFLINK), r.toString());
    assertEquals(Sharing.COPY, r.segments().get(n - 1).sharing());
    List<Path> names;
    try (Stream<Path> files = Files.list(fork)) {
      names = files.filter(p -> p.toString().endsWith(".seg")).sorted().toList();
    }
    assertEquals(n, names.size());
    for (Path p : names) {
      Path original = src.resolve(p.getFileName());
      byte[] copy = Files.readAllBytes(p);
      byte[] source = Files.readAllBytes(original);
      // The active segment is a prefix copy: the source sealed it on close, after the fork.
      byte[] expected = p.equals(names.get(n - 1)) ? Arrays.copyOf(source, copy.length) : source;
      assertArrayEquals(expected, copy, p.toString());
      assertNotEquals(
          Files.getAttribute(original, "unix:ino"), Files.getAttribute(p, "unix:ino"), p + "");
    }
    try (Store f = Store.open(config(fork))) {
      f.append(Coordinate.of("fork-only", "s"), KIND, Bytes.utf8("x"));
      assertEquals(151, f.stats().eventCount());
    }
    try (Store s = Store.open(config(src))) {
      assertEquals(150, s.stats().eventCount());
    }
  }
}
