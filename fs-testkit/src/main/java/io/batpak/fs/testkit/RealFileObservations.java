package io.batpak.fs.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the suite observes of a backend over real files that it cannot see through a {@link
 * io.batpak.port.StoreFs}: modification times, permissions, and on Linux the access mode of this
 * process's open descriptors. Each method does nothing (or returns null) when {@code
 * realFileSystem} is false, so an in-memory backend is checked only through its own answers.
 */
final class RealFileObservations {
  /** 2000-01-01T00:00:00Z: a modification time no operation of a test can produce. */
  private static final FileTime LONG_AGO = FileTime.fromMillis(946_684_800_000L);

  private RealFileObservations() {}

  /**
   * On a real file system, sets {@code path}'s modification time to {@link #LONG_AGO} and returns
   * it as the file system stores it; otherwise null.
   */
  static FileTime agedModificationTime(boolean realFileSystem, Path path) throws IOException {
    if (!realFileSystem) {
      return null;
    }
    Files.setLastModifiedTime(path, LONG_AGO);
    return Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS);
  }

  /** On a real file system, asserts that {@code path}'s modification time is still {@code aged}. */
  static void assertModificationTimeKept(Path path, FileTime aged, String what) throws IOException {
    if (aged == null) {
      return;
    }
    assertEquals(
        aged,
        Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS),
        what + " (" + path + ") was modified");
  }

  /**
   * On a real POSIX file system, makes {@code file} mode {@code 0444}. (Tests running as root can
   * still open it for writing, which is why {@link #descriptorAccessModes} checks the open mode.)
   */
  static void makeReadOnly(boolean realFileSystem, Path file) throws IOException {
    if (!realFileSystem) {
      return;
    }
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
    } catch (UnsupportedOperationException e) {
      // No POSIX permissions here (Windows): nothing to make read-only.
    }
  }

  /**
   * On Linux over a real file system, the access modes ({@code 0} read-only, {@code 1} write-only,
   * {@code 2} read-write) of every descriptor this process has open on {@code file}, read from
   * {@code /proc/self/fd} and {@code /proc/self/fdinfo}; otherwise null.
   */
  static List<Integer> descriptorAccessModes(boolean realFileSystem, Path file) throws IOException {
    Path fds = Paths.get("/proc/self/fd");
    if (!realFileSystem || !Files.isDirectory(Paths.get("/proc/self/fdinfo"))) {
      return null;
    }
    Path real = file.toRealPath();
    List<Integer> modes = new ArrayList<>();
    List<Path> entries;
    try (Stream<Path> list = Files.list(fds)) {
      entries = list.collect(Collectors.toList());
    }
    for (Path fd : entries) {
      Path target;
      List<String> info;
      try {
        target = Files.readSymbolicLink(fd);
        info = Files.readAllLines(Paths.get("/proc/self/fdinfo").resolve(fd.getFileName()));
      } catch (IOException e) {
        continue; // closed meanwhile (for example the descriptor of the listing itself)
      }
      if (!target.equals(real)) {
        continue;
      }
      for (String line : info) {
        if (line.startsWith("flags:")) {
          modes.add(Integer.parseInt(line.substring("flags:".length()).trim(), 8) & 3);
        }
      }
    }
    return modes;
  }
}
