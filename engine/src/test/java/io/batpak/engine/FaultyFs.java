package io.batpak.engine;

import io.batpak.fs.spi.ForwardingFileHandle;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.FileHandle;
import io.batpak.port.NoSpaceException;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The posix backend with faults armed by the test, applied to segment files only: one failing
 * fsync, one write that runs out of space half way, and a gate that holds the next fsync until the
 * test opens it.
 */
final class FaultyFs extends ForwardingStoreFs {

  /**
   * Holds one fsync: {@link #entered} opens when the fsync starts, it proceeds on {@link #open}.
   */
  static final class Gate {
    final CountDownLatch entered = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    void awaitEntered() throws InterruptedException {
      entered.await();
    }

    void open() {
      release.countDown();
    }
  }

  final AtomicBoolean failNextSync = new AtomicBoolean();

  /** When set, the next segment fsync throws this instead of syncing (for example ENOSPC). */
  final AtomicReference<IOException> nextSyncThrows = new AtomicReference<>();

  /** When set, the next segment write throws this unchecked throwable before writing. */
  final AtomicReference<Throwable> nextWriteThrows = new AtomicReference<>();

  /** When set, the next directory fsync fails. */
  final AtomicBoolean failNextDirectorySync = new AtomicBoolean();

  /** When positive, counts segment writes down; the one that reaches zero runs out of space. */
  final AtomicInteger noSpaceInWrites = new AtomicInteger();

  final AtomicReference<Gate> gate = new AtomicReference<>();
  final AtomicInteger failedSyncs = new AtomicInteger();
  final AtomicInteger failedWrites = new AtomicInteger();

  /** The file and offset of the last write that ran out of space. */
  final AtomicReference<String> failedWriteAt = new AtomicReference<>();

  FaultyFs() {
    super(StoreFixtures.posix());
  }

  /** Arms a gate on the next segment fsync. */
  Gate holdNextSync() {
    Gate g = new Gate();
    gate.set(g);
    return g;
  }

  @Override
  public void syncDirectory(java.nio.file.Path dir) throws IOException {
    if (failNextDirectorySync.compareAndSet(true, false)) {
      throw new IOException("injected directory fsync failure of " + dir);
    }
    super.syncDirectory(dir);
  }

  @Override
  protected FileHandle onHandle(FileHandle handle) {
    if (!handle.path().getFileName().toString().endsWith(".seg")) {
      return handle;
    }
    return new ForwardingFileHandle(handle) {
      @Override
      public void sync(SyncMode mode) throws IOException {
        Gate g = gate.getAndSet(null);
        if (g != null) {
          g.entered.countDown();
          boolean interrupted = false;
          while (true) {
            try {
              g.release.await();
              break;
            } catch (InterruptedException e) {
              interrupted = true;
            }
          }
          if (interrupted) {
            Thread.currentThread().interrupt();
          }
        }
        IOException planned = nextSyncThrows.getAndSet(null);
        if (planned != null) {
          failedSyncs.incrementAndGet();
          throw planned;
        }
        if (failNextSync.compareAndSet(true, false)) {
          failedSyncs.incrementAndGet();
          throw new IOException("injected fsync failure of " + path());
        }
        super.sync(mode);
      }

      @Override
      public void write(ByteBuffer src, long position) throws IOException {
        Throwable planned = nextWriteThrows.getAndSet(null);
        if (planned instanceof RuntimeException r) {
          throw r;
        } else if (planned instanceof Error e) {
          throw e;
        }
        if (src.remaining() > 1
            && noSpaceInWrites.get() > 0
            && noSpaceInWrites.decrementAndGet() == 0) {
          failedWrites.incrementAndGet();
          failedWriteAt.set(path().getFileName() + "@" + position);
          ByteBuffer half = src.duplicate();
          half.limit(src.position() + src.remaining() / 2);
          super.write(half, position);
          throw new NoSpaceException(path().toString(), "injected: no space left on device");
        }
        super.write(src, position);
      }
    };
  }
}
