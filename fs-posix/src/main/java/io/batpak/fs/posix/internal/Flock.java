package io.batpak.fs.posix.internal;

import com.sun.jna.Structure;
import com.sun.jna.Structure.FieldOrder;

/**
 * {@code struct flock} of 64-bit Linux, for {@code fcntl(F_OFD_SETLK)}. JNA reads and writes the
 * public fields reflectively, which is why module-info opens this package to {@code com.sun.jna}.
 *
 * <p>Not thread-safe: one instance per call.
 */
@FieldOrder({"l_type", "l_whence", "l_start", "l_len", "l_pid"})
public final class Flock extends Structure {
  /** {@code F_RDLCK}, {@code F_WRLCK} or {@code F_UNLCK}. */
  public short l_type;

  /** Where {@link #l_start} counts from ({@code SEEK_SET}). */
  public short l_whence;

  /** The first byte of the range. */
  public long l_start;

  /** The length of the range; 0 means to the end of the file and beyond. */
  public long l_len;

  /** Must be 0 for OFD locks; a query reports the holder's pid, or -1 for an OFD holder. */
  public int l_pid;

  /** A whole-file lock request of type {@code type}. */
  public Flock(short type) {
    this.l_type = type;
    this.l_whence = LinuxAbi.SEEK_SET;
    this.l_start = 0;
    this.l_len = 0;
    this.l_pid = 0;
  }

  /** For JNA. */
  public Flock() {
    this(LinuxAbi.F_UNLCK);
  }
}
