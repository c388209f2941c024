package io.batpak.fs.testkit;

import static io.batpak.fs.testkit.ContractSupport.await;
import static io.batpak.fs.testkit.ContractSupport.buf;
import static io.batpak.fs.testkit.StoreFsContract.CHILD_TIMEOUT_SECONDS;
import static io.batpak.fs.testkit.StoreFsContract.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.StoreFs;
import io.batpak.port.SyncMode;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The part of {@link StoreFsContract} about handles: operations after close fail and close is
 * idempotent, closing one handle leaves the others, and an interrupted thread never closes a handle
 * other threads share.
 */
sealed interface HandleContract permits StoreFsContract {

  @Test
  @DisplayName("operations after FileHandle.close fail with IOException; close is idempotent")
  default void closedHandleFails() throws IOException {
    Path file = root().resolve("closed");
    FileHandle h = fs().create(file);
    h.write(ByteBuffer.wrap(bytes(10, 50)), 0);
    h.close();
    h.close();
    assertThrows(IOException.class, () -> h.write(ByteBuffer.wrap(bytes(1, 51)), 0));
    assertThrows(IOException.class, () -> h.read(buf(1), 0));
    assertThrows(IOException.class, () -> h.sync(SyncMode.ALL));
    assertThrows(IOException.class, h::size);
    assertThrows(IOException.class, () -> h.truncate(0));
    assertArrayEquals(bytes(10, 50), readAll(file));
  }

  @Test
  @DisplayName("closing one handle does not break another handle of the same file")
  default void closingOneHandleKeepsOthers() throws IOException {
    Path file = root().resolve("shared");
    FileHandle writer = track(fs().create(file));
    writer.write(ByteBuffer.wrap(bytes(20, 52)), 0);
    FileHandle reader = fs().openRead(file);
    FileHandle second = fs().openWrite(file);
    reader.close();
    second.close();
    writer.write(ByteBuffer.wrap(bytes(20, 53)), 20);
    writer.sync(SyncMode.DATA);
    assertEquals(40, writer.size());
    ByteBuffer back = ByteBuffer.allocate(20);
    writer.read(back, 0);
    assertArrayEquals(bytes(20, 52), back.array());
  }

  /** An operation on a shared handle, run on a thread whose interrupt flag is set. */
  interface HandleOp {
    void run(FileHandle h) throws IOException;
  }

  static Stream<Arguments> interruptedOps() {
    return Stream.of(
        Arguments.of("write", (HandleOp) h -> h.write(ByteBuffer.wrap(bytes(64, 60)), 128)),
        Arguments.of(
            "write(direct)",
            (HandleOp) h -> h.write(ByteBuffer.allocateDirect(64).put(bytes(64, 60)).flip(), 128)),
        Arguments.of("read", (HandleOp) h -> h.read(ByteBuffer.allocate(64), 0)),
        Arguments.of("sync(DATA)", (HandleOp) h -> h.sync(SyncMode.DATA)),
        Arguments.of("sync(ALL)", (HandleOp) h -> h.sync(SyncMode.ALL)),
        Arguments.of("size", (HandleOp) FileHandle::size),
        Arguments.of("truncate", (HandleOp) h -> h.truncate(192)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("interruptedOps")
  @DisplayName("an interrupted thread's call never closes a handle other threads share")
  default void interruptDoesNotCloseSharedHandle(String name, HandleOp op) throws Exception {
    Path file = root().resolve("interrupt");
    FileHandle h = track(fs().create(file));
    h.write(ByteBuffer.wrap(bytes(192, 61)), 0);
    AtomicReference<Boolean> flagAfter = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              Thread.currentThread().interrupt();
              try {
                op.run(h);
              } catch (IOException | RuntimeException e) {
                // Whatever the backend did for the interrupted caller is its business.
              }
              flagAfter.set(Thread.interrupted()); // reads and clears the flag
            },
            "interrupted-" + name);
    t.start();
    t.join(TimeUnit.SECONDS.toMillis(CHILD_TIMEOUT_SECONDS));
    assertFalse(t.isAlive(), name + " on an interrupted thread did not return");
    assertEquals(Boolean.TRUE, flagAfter.get(), name + " must not swallow the interrupt flag");
    assertHandleWorksFromAnotherThread(h, file);
  }

  @Test
  @DisplayName("interrupts arriving during I/O never close a handle other threads share")
  default void interruptStormDoesNotCloseSharedHandle() throws Exception {
    Path file = root().resolve("storm");
    FileHandle h = track(fs().create(file));
    int chunk = 256 * 1024;
    byte[] data = bytes(chunk, 62);
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch started = new CountDownLatch(1);
    ByteBuffer src = ByteBuffer.allocateDirect(chunk).put(data).flip();
    ByteBuffer dst = ByteBuffer.allocateDirect(chunk);
    Thread worker =
        new Thread(
            () -> {
              started.countDown();
              for (int i = 0; i < 200 && !stop.get(); i++) {
                try {
                  h.write(src.clear(), (long) (i % 8) * chunk);
                  h.read(dst.clear(), (long) (i % 8) * chunk);
                  if (i % 50 == 0) {
                    h.sync(SyncMode.DATA);
                  }
                } catch (IOException | RuntimeException e) {
                  // The interrupted caller may fail; others must not.
                }
                Thread.interrupted();
              }
            },
            "interrupt-storm");
    worker.start();
    assertTrue(started.await(CHILD_TIMEOUT_SECONDS, TimeUnit.SECONDS));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHILD_TIMEOUT_SECONDS);
    while (worker.isAlive() && System.nanoTime() - deadline < 0) {
      worker.interrupt();
      LockSupport.parkNanos(20_000);
    }
    stop.set(true);
    worker.join(TimeUnit.SECONDS.toMillis(CHILD_TIMEOUT_SECONDS));
    assertFalse(worker.isAlive());
    assertHandleWorksFromAnotherThread(h, file);
  }

  private void assertHandleWorksFromAnotherThread(FileHandle h, Path file) throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor();
    try {
      Future<byte[]> other =
          pool.submit(
              () -> {
                h.write(ByteBuffer.wrap(bytes(32, 63)), 0);
                h.sync(SyncMode.DATA);
                ByteBuffer back = ByteBuffer.allocate(32);
                h.read(back, 0);
                return back.array();
              });
      assertArrayEquals(bytes(32, 63), await(other), "the shared handle must still work");
    } finally {
      pool.shutdownNow();
    }
    byte[] prefix = new byte[32];
    System.arraycopy(readAll(file), 0, prefix, 0, 32);
    assertArrayEquals(bytes(32, 63), prefix);
  }

  // The backend, the root and the helpers of the one class that implements this interface.

  private StoreFsContract contract() {
    return (StoreFsContract) this;
  }

  private StoreFs fs() {
    return contract().fs;
  }

  private Path root() {
    return contract().root;
  }

  private <T extends Closeable> T track(T c) {
    return contract().track(c);
  }

  private byte[] readAll(Path file) throws IOException {
    return contract().readAll(file);
  }
}
