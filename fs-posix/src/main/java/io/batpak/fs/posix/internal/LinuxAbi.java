package io.batpak.fs.posix.internal;

import java.util.Locale;

/**
 * The Linux constants the backend passes to the kernel, for the architectures it supports. Most
 * values are the same everywhere; {@code O_DIRECTORY} and {@code O_NOFOLLOW} differ between x86-64
 * and aarch64, which is why the architecture is checked before anything is opened. Pure Java: it
 * loads without JNA.
 *
 * <p>Immutable and thread-safe.
 */
public final class LinuxAbi {
  /** Open for reading only. */
  public static final int O_RDONLY = 0;

  /** Open for reading and writing. */
  public static final int O_RDWR = 02;

  /** Create the file if it is missing. */
  public static final int O_CREAT = 0100;

  /** With {@link #O_CREAT}: fail if anything is at the path. */
  public static final int O_EXCL = 0200;

  /** Do not hand the descriptor to exec'd children. */
  public static final int O_CLOEXEC = 02000000;

  /** Do not block opening a FIFO or device that happens to be at the path. */
  public static final int O_NONBLOCK = 04000;

  /** The special directory descriptor meaning "the current directory". */
  public static final int AT_FDCWD = -100;

  /** {@code renameat2} flag: fail with {@code EEXIST} instead of replacing the target. */
  public static final int RENAME_NOREPLACE = 1;

  /**
   * {@code ioctl} request {@code FICLONE} ({@code _IOW(0x94, 9, int)}), the same on x86-64 and
   * aarch64.
   */
  public static final long FICLONE = 0x40049409L;

  /** {@code flock}: shared lock. */
  public static final int LOCK_SH = 1;

  /** {@code flock}: exclusive lock. */
  public static final int LOCK_EX = 2;

  /** {@code flock}: do not wait. */
  public static final int LOCK_NB = 4;

  /** {@code flock}: unlock. */
  public static final int LOCK_UN = 8;

  /** {@code fcntl}: query an open file description lock. */
  public static final int F_OFD_GETLK = 36;

  /** {@code fcntl}: set an open file description lock without waiting. */
  public static final int F_OFD_SETLK = 37;

  /** {@code struct flock.l_type}: read (shared) lock. */
  public static final short F_RDLCK = 0;

  /** {@code struct flock.l_type}: write (exclusive) lock. */
  public static final short F_WRLCK = 1;

  /** {@code struct flock.l_type}: no lock. */
  public static final short F_UNLCK = 2;

  /** {@code lseek}: relative to the start. */
  public static final int SEEK_SET = 0;

  /** {@code lseek}: relative to the end. */
  public static final int SEEK_END = 2;

  /** The architecture's {@code O_DIRECTORY}. */
  public final int oDirectory;

  /** The architecture's {@code O_NOFOLLOW}. */
  public final int oNoFollow;

  /** The architecture, as JNA names its native directory ({@code x86-64}, {@code aarch64}). */
  public final String arch;

  private LinuxAbi(String arch, int oDirectory, int oNoFollow) {
    this.arch = arch;
    this.oDirectory = oDirectory;
    this.oNoFollow = oNoFollow;
  }

  /**
   * The constants for {@code osArch} ({@code System.getProperty("os.arch")}), or null when the
   * architecture is not supported.
   */
  public static LinuxAbi forArch(String osArch) {
    switch (osArch.toLowerCase(Locale.ROOT)) {
      case "amd64":
      case "x86_64":
        return new LinuxAbi("x86-64", 0200000, 0400000);
      case "aarch64":
      case "arm64":
        return new LinuxAbi("aarch64", 040000, 0100000);
      default:
        return null;
    }
  }

  /**
   * Why the backend cannot run on this operating system and architecture, or null when it can.
   *
   * @param osName {@code System.getProperty("os.name")}
   * @param osArch {@code System.getProperty("os.arch")}
   */
  public static String unsupportedReason(String osName, String osArch) {
    if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
      return "the posix backend supports Linux only for now; this is " + osName;
    }
    if (forArch(osArch) == null) {
      return "the posix backend knows the Linux ABI of x86-64 and aarch64 only; this is " + osArch;
    }
    return null;
  }
}
