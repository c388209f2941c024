package io.batpak.fs.spi;

import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A fake StoreFs that touches no disk and records every call, with its arguments, in order. */
final class RecordingStoreFs implements StoreFs {
  final List<String> calls = new ArrayList<>();
  static final FsCapabilities CAPABILITIES =
      new FsCapabilities(true, true, true, false, false, "none");

  @Override
  public String name() {
    calls.add("name");
    return "recording";
  }

  @Override
  public FsCapabilities capabilities() {
    calls.add("capabilities");
    return CAPABILITIES;
  }

  @Override
  public void createDirectories(Path dir) {
    calls.add("createDirectories " + dir);
  }

  @Override
  public List<String> list(Path dir) {
    calls.add("list " + dir);
    return List.of("a", "b");
  }

  @Override
  public boolean exists(Path path) {
    calls.add("exists " + path);
    return true;
  }

  @Override
  public FileHandle create(Path file) {
    calls.add("create " + file);
    return new Handle(file, true);
  }

  @Override
  public FileHandle openRead(Path file) {
    calls.add("openRead " + file);
    return new Handle(file, false);
  }

  @Override
  public FileHandle openWrite(Path file) {
    calls.add("openWrite " + file);
    return new Handle(file, true);
  }

  @Override
  public void rename(Path from, Path to, RenameMode mode) {
    calls.add("rename " + from + " " + to + " " + mode);
  }

  @Override
  public boolean deleteIfExists(Path file) {
    calls.add("deleteIfExists " + file);
    return true;
  }

  @Override
  public void syncDirectory(Path dir) {
    calls.add("syncDirectory " + dir);
  }

  @Override
  public void publish(Path temp, Path target, SyncMode mode) {
    calls.add("publish " + temp + " " + target + " " + mode);
  }

  @Override
  public void copy(Path from, Path to) {
    calls.add("copy " + from + " " + to);
  }

  @Override
  public StoreLock lock(Path lockFile, LockMode mode) {
    calls.add("lock " + lockFile + " " + mode);
    return new StoreLock() {
      @Override
      public Path path() {
        return lockFile;
      }

      @Override
      public LockMode mode() {
        return mode;
      }

      @Override
      public boolean isValid() {
        return true;
      }

      @Override
      public void close() {
        calls.add("unlock " + lockFile);
      }
    };
  }

  @Override
  public void close() {
    calls.add("close");
  }

  @Override
  public String toString() {
    return "RecordingStoreFs";
  }

  /** A handle that records into the same list. */
  final class Handle implements FileHandle {
    private final Path path;
    private final boolean writable;

    Handle(Path path, boolean writable) {
      this.path = path;
      this.writable = writable;
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public boolean writable() {
      return writable;
    }

    @Override
    public long size() {
      calls.add("size " + path);
      return 42;
    }

    @Override
    public void write(ByteBuffer src, long position) {
      calls.add("write " + path + " " + src.remaining() + "@" + position);
      src.position(src.limit());
    }

    @Override
    public void read(ByteBuffer dst, long position) {
      calls.add("read " + path + " " + dst.remaining() + "@" + position);
      dst.position(dst.limit());
    }

    @Override
    public void sync(SyncMode mode) {
      calls.add("sync " + path + " " + mode);
    }

    @Override
    public void truncate(long size) {
      calls.add("truncate " + path + " " + size);
    }

    @Override
    public ByteBuffer map(long position, int length) {
      calls.add("map " + path + " " + length + "@" + position);
      return ByteBuffer.allocate(length).asReadOnlyBuffer();
    }

    @Override
    public void close() {
      calls.add("closeHandle " + path);
    }

    @Override
    public String toString() {
      return "Handle(" + path + ")";
    }
  }
}
