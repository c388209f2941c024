package io.batpak.fs.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ForwardingStoreFsTest {

  private static final Path DIR = Path.of("store");
  private static final Path SEG = DIR.resolve("00000001.seg");

  @Test
  void everyStoreFsMethodReachesTheDelegateUnchanged() throws IOException {
    RecordingStoreFs real = new RecordingStoreFs();
    StoreFs fs = new ForwardingStoreFs(real) {};

    assertEquals("recording", fs.name());
    assertSame(RecordingStoreFs.CAPABILITIES, fs.capabilities());
    fs.createDirectories(DIR);
    assertEquals(List.of("a", "b"), fs.list(DIR));
    assertTrue(fs.exists(SEG));
    FileHandle created = fs.create(SEG);
    FileHandle read = fs.openRead(SEG);
    FileHandle written = fs.openWrite(SEG);
    fs.rename(SEG, DIR.resolve("x"), RenameMode.NO_REPLACE);
    assertTrue(fs.deleteIfExists(SEG));
    fs.syncDirectory(DIR);
    fs.publish(DIR.resolve("t"), DIR.resolve("u"), SyncMode.ALL);
    fs.copy(SEG, DIR.resolve("c"));
    StoreLock lock = fs.lock(DIR.resolve("lock"), LockMode.EXCLUSIVE);
    lock.close();
    fs.close();

    assertInstanceOf(RecordingStoreFs.Handle.class, created);
    assertTrue(created.writable());
    assertFalse(read.writable());
    assertTrue(written.writable());
    String seg = SEG.toString();
    assertEquals(
        List.of(
            "name",
            "capabilities",
            "createDirectories store",
            "list store",
            "exists " + seg,
            "create " + seg,
            "openRead " + seg,
            "openWrite " + seg,
            "rename " + seg + " " + DIR.resolve("x") + " NO_REPLACE",
            "deleteIfExists " + seg,
            "syncDirectory store",
            "publish " + DIR.resolve("t") + " " + DIR.resolve("u") + " ALL",
            "copy " + seg + " " + DIR.resolve("c"),
            "lock " + DIR.resolve("lock") + " EXCLUSIVE",
            "unlock " + DIR.resolve("lock"),
            "close"),
        real.calls);
    assertSame(real, ((ForwardingStoreFs) fs).delegate());
    assertEquals("ForwardingStoreFs(RecordingStoreFs)", fs.toString());
  }

  @Test
  void everyFileHandleMethodReachesTheDelegateUnchanged() throws IOException {
    RecordingStoreFs real = new RecordingStoreFs();
    FileHandle delegate = real.openWrite(SEG);
    real.calls.clear();
    ForwardingFileHandle h = new ForwardingFileHandle(delegate) {};

    assertEquals(SEG, h.path());
    assertTrue(h.writable());
    assertEquals(42, h.size());
    ByteBuffer src = ByteBuffer.allocate(8);
    h.write(src, 16);
    assertEquals(0, src.remaining());
    h.read(ByteBuffer.allocate(4), 0);
    h.sync(SyncMode.DATA);
    h.truncate(3);
    assertEquals(5, h.map(2, 5).capacity());
    h.close();

    String seg = SEG.toString();
    assertEquals(
        List.of(
            "size " + seg,
            "write " + seg + " 8@16",
            "read " + seg + " 4@0",
            "sync " + seg + " DATA",
            "truncate " + seg + " 3",
            "map " + seg + " 5@2",
            "closeHandle " + seg),
        real.calls);
    assertSame(delegate, h.delegate());
    assertEquals("ForwardingFileHandle(Handle(" + seg + "))", h.toString());
  }

  /** The fault-injection example of the class documentation: the second fsync fails, once. */
  @Test
  void aWrapperCanFailExactlyOneSync() throws IOException {
    RecordingStoreFs real = new RecordingStoreFs();
    AtomicInteger syncs = new AtomicInteger();
    StoreFs faulty =
        new ForwardingStoreFs(real) {
          @Override
          protected FileHandle onHandle(FileHandle handle) {
            return new ForwardingFileHandle(handle) {
              @Override
              public void sync(SyncMode mode) throws IOException {
                if (syncs.incrementAndGet() == 2) {
                  throw new IOException("injected: fsync failed (EIO) on " + path());
                }
                super.sync(mode);
              }
            };
          }
        };

    List<String> outcomes = new ArrayList<>();
    try (FileHandle a = faulty.create(SEG);
        FileHandle b = faulty.openWrite(SEG)) {
      for (FileHandle h : List.of(a, b, a)) {
        try {
          h.sync(SyncMode.ALL);
          outcomes.add("ok");
        } catch (IOException e) {
          outcomes.add(e.getMessage());
        }
      }
    }

    assertEquals(List.of("ok", "injected: fsync failed (EIO) on " + SEG, "ok"), outcomes);
    assertEquals(2, real.calls.stream().filter(c -> c.startsWith("sync ")).count());
  }

  @Test
  void locksPassThroughTheHook() throws IOException {
    RecordingStoreFs real = new RecordingStoreFs();
    List<Path> seen = new ArrayList<>();
    StoreFs fs =
        new ForwardingStoreFs(real) {
          @Override
          protected StoreLock onLock(StoreLock lock) {
            seen.add(lock.path());
            return lock;
          }
        };
    try (StoreLock lock = fs.lock(DIR.resolve("lock"), LockMode.EXCLUSIVE)) {
      assertTrue(lock.isValid());
    }
    assertEquals(List.of(DIR.resolve("lock")), seen);
  }

  @Test
  void aNullDelegateIsRefused() {
    assertThrows(NullPointerException.class, () -> new ForwardingStoreFs(null) {});
    assertThrows(NullPointerException.class, () -> new ForwardingFileHandle(null) {});
  }

  /** Fails when a method is added to a port without a forwarding override here. */
  @Test
  void everyPortMethodIsOverridden() {
    for (java.lang.reflect.Method m : StoreFs.class.getMethods()) {
      if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        assertDeclared(ForwardingStoreFs.class, m);
      }
    }
    for (java.lang.reflect.Method m : FileHandle.class.getMethods()) {
      if (!java.lang.reflect.Modifier.isStatic(m.getModifiers())) {
        assertDeclared(ForwardingFileHandle.class, m);
      }
    }
  }

  private static void assertDeclared(Class<?> forwarding, java.lang.reflect.Method m) {
    try {
      forwarding.getDeclaredMethod(m.getName(), m.getParameterTypes());
    } catch (NoSuchMethodException e) {
      throw new AssertionError(forwarding.getSimpleName() + " does not forward " + m, e);
    }
  }
}
