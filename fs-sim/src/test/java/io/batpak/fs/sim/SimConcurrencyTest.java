package io.batpak.fs.sim;

import static io.batpak.fs.sim.Sim.DIR;
import static io.batpak.fs.sim.Sim.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.FileHandle;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Real threads against one simulator while another thread crashes it. */
class SimConcurrencyTest {

  @Test
  void concurrentCallersAndCrashesSeeOnlyIoExceptions() throws Exception {
    long seed = SimSeed.resolve(5L);
    SimStoreFs fs = Sim.withDir(seed);
    fs.syncDirectory(Path.of("/"));
    fs.syncDirectory(Path.of("/sim"));
    ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      int id = t;
      Thread w =
          new Thread(
              () -> {
                SplittableRandom rnd = new SplittableRandom(seed + id);
                try {
                  start.await();
                  for (int i = 0; i < 2_000; i++) {
                    Path f = p("w" + id + "-" + rnd.nextInt(4));
                    try {
                      FileHandle h = fs.exists(f) ? fs.openWrite(f) : fs.create(f);
                      try (h) {
                        h.write(ByteBuffer.wrap(new byte[1 + rnd.nextInt(200)]), h.size());
                        if (rnd.nextInt(4) == 0) {
                          h.sync(SyncMode.DATA);
                        }
                      }
                      if (rnd.nextInt(8) == 0) {
                        fs.syncDirectory(DIR);
                      }
                    } catch (IOException expected) {
                      // invalidated handles, files a crash took away
                    }
                  }
                } catch (Throwable e) {
                  unexpected.add(e);
                }
              });
      workers.add(w);
      w.start();
    }
    start.countDown();
    for (int i = 0; i < 20; i++) {
      Thread.sleep(1);
      fs.crash(CrashProfile.values()[i % 3]);
    }
    for (Thread w : workers) {
      w.join(TimeUnit.SECONDS.toMillis(60));
    }
    assertTrue(unexpected.isEmpty(), () -> "unexpected: " + unexpected);
    fs.crash(CrashProfile.STRICT);
    assertEquals(List.of(), fs.openHandles());
    assertTrue(fs.list(DIR).size() <= 16);
  }
}
