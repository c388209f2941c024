package io.batpak.fs.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.fs.posix.internal.Errno;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.NoSpaceException;
import io.batpak.port.SymlinkRefusedException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ErrnoTest {
  private static final Path FILE = Path.of("/data/store/000001.seg");

  @Test
  void enoentIsNoSuchFileWithPathAndName() {
    IOException e = Errno.toException("open", FILE, Errno.ENOENT);
    assertInstanceOf(NoSuchFileException.class, e);
    assertEquals(FILE.toString(), ((NoSuchFileException) e).getFile());
    assertTrue(e.getMessage().contains("ENOENT (2)"), e.getMessage());
  }

  @Test
  void eexistIsFileAlreadyExistsNamingBothPaths() {
    Path other = Path.of("/data/store/000002.seg");
    IOException e = Errno.toException("link", FILE, other, Errno.EEXIST);
    assertInstanceOf(FileAlreadyExistsException.class, e);
    assertEquals(other.toString(), ((FileAlreadyExistsException) e).getOtherFile());
    assertTrue(e.getMessage().contains("link: EEXIST (17)"), e.getMessage());
  }

  @Test
  void enotdirIsNoSuchFileSinceAParentIsNotADirectory() {
    Path other = Path.of("/data/store/file/child");
    IOException e = Errno.toException("rename", FILE, other, Errno.ENOTDIR);
    assertInstanceOf(NoSuchFileException.class, e);
    assertEquals(FILE.toString(), ((NoSuchFileException) e).getFile());
    assertEquals(other.toString(), ((NoSuchFileException) e).getOtherFile());
    assertTrue(e.getMessage().contains("rename: ENOTDIR (20)"), e.getMessage());
    assertTrue(e.getMessage().contains("a parent component is not a directory"), e.getMessage());
  }

  @Test
  void eaccesIsAccessDeniedAsTheJdkReportsIt() {
    IOException e = Errno.toException("open", FILE, Errno.EACCES);
    assertInstanceOf(AccessDeniedException.class, e);
    assertEquals(FILE.toString(), ((AccessDeniedException) e).getFile());
    assertTrue(e.getMessage().contains("open: EACCES (13)"), e.getMessage());
  }

  @Test
  void enospcAndEdquotAreNoSpace() {
    IOException full = Errno.toException("pwrite", FILE, Errno.ENOSPC);
    IOException quota = Errno.toException("pwrite", FILE, Errno.EDQUOT);
    assertInstanceOf(NoSpaceException.class, full);
    assertInstanceOf(NoSpaceException.class, quota);
    assertTrue(full.getMessage().contains("ENOSPC (28)"), full.getMessage());
    assertTrue(quota.getMessage().contains("EDQUOT (122)"), quota.getMessage());
    assertTrue(full.getMessage().contains(FILE.toString()), full.getMessage());
  }

  @Test
  void eloopIsSymlinkRefused() {
    IOException e = Errno.toException("open", FILE, Errno.ELOOP);
    assertInstanceOf(SymlinkRefusedException.class, e);
    assertTrue(e.getMessage().contains("ELOOP (40)"), e.getMessage());
  }

  @Test
  void ewouldblockIsLockUnavailable() {
    IOException e = Errno.toException("flock", FILE, Errno.EWOULDBLOCK);
    assertInstanceOf(LockUnavailableException.class, e);
    assertTrue(e.getMessage().contains("EAGAIN (11)"), e.getMessage());
  }

  @Test
  void othersArePlainIoExceptionsInTheDocumentedForm() {
    IOException e = Errno.toException("fsync", FILE, Errno.EIO);
    assertEquals(IOException.class, e.getClass());
    assertEquals("fsync /data/store/000001.seg: EIO (5)", e.getMessage());
    IOException unknown = Errno.toException("fsync", FILE, 4095);
    assertEquals("fsync /data/store/000001.seg: errno4095 (4095)", unknown.getMessage());
  }
}
