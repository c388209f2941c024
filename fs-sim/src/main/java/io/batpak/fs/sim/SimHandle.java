package io.batpak.fs.sim;

import io.batpak.port.FileHandle;
import io.batpak.port.NoSpaceException;
import io.batpak.port.ShortReadException;
import io.batpak.port.SyncMode;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * A file handle of a {@link SimStoreFs}: valid while not closed and no crash, restart or restore
 * happened since it opened. Each call is one logged, faultable operation of the simulator, where
 * the write and read faults (short, torn, out of space) take effect. Thread-safe: every call holds
 * the simulator's lock.
 */
final class SimHandle implements FileHandle {
  private final SimState sim;
  final Path path;
  final String pathString;
  final int inode;
  final boolean writable;
  final long handleEpoch;
  final Throwable at;
  private boolean closed;

  SimHandle(SimState sim, Path path, String pathString, int inode, boolean writable) {
    this.sim = sim;
    this.path = path;
    this.pathString = pathString;
    this.inode = inode;
    this.writable = writable;
    this.handleEpoch = sim.open.epoch();
    this.at = OpenHandles.openedHere("handle of " + pathString);
  }

  @Override
  public Path path() {
    return path;
  }

  @Override
  public boolean writable() {
    return writable;
  }

  private void checkUsable(boolean forWrite) throws IOException {
    if (handleEpoch != sim.open.epoch()) {
      throw new IOException("handle invalidated by a simulated crash: " + pathString);
    }
    if (closed) {
      throw new ClosedChannelException();
    }
    if (forWrite && !writable) {
      throw new NonWritableChannelException();
    }
  }

  private Inode current() {
    return sim.namespace.inode(inode);
  }

  @Override
  public long size() throws IOException {
    return sim.run(
        FsOp.SIZE, pathString, null, "", () -> checkUsable(false), a -> current().vol.size());
  }

  @Override
  public void write(ByteBuffer src, long position) throws IOException {
    int len = src.remaining();
    sim.run(
        FsOp.WRITE,
        pathString,
        null,
        "pos=" + position + " len=" + len + " crc32c=" + crc32c(src),
        () -> {
          checkUsable(true);
          if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
          }
        },
        a -> {
          write(src, position, len, a);
          return null;
        });
  }

  private void write(ByteBuffer src, long position, int len, FaultAction a) throws IOException {
    byte[] data = new byte[len];
    src.duplicate().get(data);
    Namespace ns = sim.namespace;
    Inode n = current();
    if (a instanceof FaultAction.ShortWrite) {
      int keep = Math.min(((FaultAction.ShortWrite) a).keep(), len);
      ns.put(n.written(n.vol.write(position, data, 0, keep), position, keep));
      src.position(src.position() + keep);
      throw new IOException(
          "injected short write: "
              + keep
              + " of "
              + len
              + " bytes written to "
              + pathString
              + " at offset "
              + position);
    }
    if (a instanceof FaultAction.TornWrite) {
      int keep = Math.min(((FaultAction.TornWrite) a).keep(), len);
      sim.rng.nextBytes(data, keep, len - keep);
    }
    if (a instanceof FaultAction.NoSpaceQuota) {
      long quota = ((FaultAction.NoSpaceQuota) a).quotaBytes();
      long used = ns.usedBytes();
      long size = n.vol.size();
      long growth = Math.max(0, position + len - size);
      if (used + growth > quota) {
        long maxEnd = size + Math.max(0, quota - used);
        int keep = (int) Math.max(0, Math.min(len, maxEnd - position));
        ns.put(n.written(n.vol.write(position, data, 0, keep), position, keep));
        src.position(src.position() + keep);
        throw new NoSpaceException(
            pathString,
            "injected: quota of "
                + quota
                + " bytes exceeded ("
                + used
                + " used); "
                + keep
                + " of "
                + len
                + " bytes written");
      }
      sim.actionHadNoEffect();
    }
    ns.put(n.written(n.vol.write(position, data, 0, len), position, len));
    src.position(src.limit());
  }

  @Override
  public void read(ByteBuffer dst, long position) throws IOException {
    int requested = dst.remaining();
    sim.run(
        FsOp.READ,
        pathString,
        null,
        "pos=" + position + " len=" + requested,
        () -> {
          checkUsable(false);
          if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
          }
        },
        a -> {
          Content c = current().vol;
          long available = Math.max(0, c.size() - position);
          int n = (int) Math.min(requested, available);
          if (a instanceof FaultAction.ShortRead) {
            n = Math.min(n, ((FaultAction.ShortRead) a).bytes());
          }
          byte[] buf = new byte[n];
          c.read(position, buf, 0, n);
          dst.put(buf);
          if (n < requested) {
            throw new ShortReadException(path, position, requested, n);
          }
          return null;
        });
  }

  /**
   * A read-only copy of the region's current bytes, taken in one logged, faultable {@link
   * FsOp#READ} (its arguments begin with {@code map}), so a fault armed on reads hits the map call:
   * an error or a crash fails it, and a {@link FaultAction.ShortRead} refuses the whole mapping
   * with a {@link ShortReadException} (a mapping is never partial). Reads of the returned buffer
   * are not operations of the simulator, as reads of a real mapping are no system calls. A copy
   * behaves as a mapping does for the only bytes that may be mapped, which never change; it also
   * stays readable after the handle is closed, the file deleted or a crash.
   */
  @Override
  public ByteBuffer map(long position, int length) throws IOException {
    if (!sim.config.maps()) {
      throw new UnsupportedFsOperationException(
          "map of " + pathString + " is not supported by this simulator (mappedReads is off)");
    }
    return sim.run(
        FsOp.READ,
        pathString,
        null,
        "map pos=" + position + " len=" + length,
        () -> {
          checkUsable(false);
          if (position < 0 || length < 0) {
            throw new IllegalArgumentException(
                "negative position " + position + " or length " + length + " of a map");
          }
        },
        a -> {
          Content c = current().vol;
          int available = (int) Math.max(0, Math.min(length, c.size() - position));
          if (a instanceof FaultAction.ShortRead) {
            available = Math.min(available, ((FaultAction.ShortRead) a).bytes());
          }
          if (available < length) {
            throw new ShortReadException(path, position, length, available);
          }
          byte[] copy = new byte[length];
          c.read(position, copy, 0, length);
          return ByteBuffer.wrap(copy).asReadOnlyBuffer();
        });
  }

  @Override
  public void sync(SyncMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    sim.run(
        FsOp.SYNC,
        pathString,
        null,
        mode.name(),
        () -> checkUsable(false),
        a -> {
          Durability.syncFile(sim.namespace, inode, pathString, a);
          return null;
        });
  }

  @Override
  public void truncate(long size) throws IOException {
    sim.run(
        FsOp.TRUNCATE,
        pathString,
        null,
        "size=" + size,
        () -> {
          checkUsable(true);
          if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
          }
        },
        a -> {
          Inode n = current();
          sim.namespace.put(n.truncated(n.vol.truncate(size)));
          return null;
        });
  }

  /**
   * Closes the handle. Idempotent, and never throws: closing a handle a crash invalidated, or
   * closing while the simulator is frozen, is a logged no-op.
   */
  @Override
  public void close() {
    synchronized (sim.mutex) {
      if (closed) {
        return;
      }
      closed = true;
      boolean live = handleEpoch == sim.open.epoch();
      if (live) {
        sim.open.closed(this);
      }
      sim.logControl("CLOSE", pathString, "", live ? "ok" : "ok (invalidated)");
    }
  }

  @Override
  public String toString() {
    return "SimHandle[" + pathString + (writable ? ", rw" : ", r") + "]";
  }

  private static String crc32c(ByteBuffer src) {
    CRC32C crc = new CRC32C();
    crc.update(src.duplicate());
    return Long.toHexString(crc.getValue());
  }
}
