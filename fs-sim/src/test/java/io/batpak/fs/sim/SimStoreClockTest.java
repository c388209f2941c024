package io.batpak.fs.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;

/** The simulated clock: fixed epoch, explicit advance, instant timed waits. */
class SimStoreClockTest {

  @Test
  void startsAtTheFixedEpochAndMovesOnlyWhenAdvanced() {
    SimStoreClock clock = new SimStoreClock();
    assertEquals(2_000_000_000_000_000L, clock.wallMicros());
    assertEquals(2_000_000_000_000_000_000L, clock.wallNanos());
    assertEquals(SimStoreClock.MONO_ORIGIN_NANOS, clock.monoNanos());
    assertEquals(clock.wallMicros(), clock.wallMicros());
    clock.advance(Duration.ofMillis(1500));
    assertEquals(2_000_000_000_000_000L + 1_500_000L, clock.wallMicros());
    assertEquals(SimStoreClock.MONO_ORIGIN_NANOS + 1_500_000_000L, clock.monoNanos());
    assertEquals(Duration.ofMillis(1500), clock.elapsed());
    assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofNanos(-1)));
    assertThrows(IllegalArgumentException.class, () -> clock.advanceNanos(-5));
  }

  @Test
  void timedWaitsAdvanceTimeAndReturnAtOnce() throws InterruptedException {
    SimStoreClock clock = new SimStoreClock();
    ReentrantLock lock = new ReentrantLock();
    Condition cond = lock.newCondition();
    long realStart = System.nanoTime();
    lock.lock();
    try {
      long left = clock.awaitNanos(cond, TimeUnit.HOURS.toNanos(1));
      assertEquals(0, left, "time is up");
      assertTrue(lock.isHeldByCurrentThread(), "the lock is held again on return");
      assertEquals(-7, clock.awaitNanos(cond, -7));
    } finally {
      lock.unlock();
    }
    clock.sleepNanos(TimeUnit.MINUTES.toNanos(30));
    assertTrue(System.nanoTime() - realStart < TimeUnit.SECONDS.toNanos(30), "no real waiting");
    assertEquals(Duration.ofMinutes(90), clock.elapsed());
  }

  @Test
  void awaitReleasesTheCallersLockSoOthersProgress() throws Exception {
    SimStoreClock clock = new SimStoreClock();
    ReentrantLock lock = new ReentrantLock(true); // fair: the waiting thread gets the lock next
    Condition cond = lock.newCondition();
    AtomicBoolean flag = new AtomicBoolean();
    CountDownLatch waiting = new CountDownLatch(1);
    lock.lock();
    try {
      Thread other =
          new Thread(
              () -> {
                waiting.countDown();
                lock.lock();
                try {
                  flag.set(true);
                } finally {
                  lock.unlock();
                }
              });
      other.start();
      waiting.await();
      while (!lock.hasQueuedThread(other)) {
        Thread.onSpinWait();
      }
      // a loop on the predicate, as callers write it: the other thread gets in during the wait
      long left = TimeUnit.SECONDS.toNanos(1);
      while (!flag.get() && left > 0) {
        left = clock.awaitNanos(cond, left);
        if (left <= 0 && !flag.get()) {
          left = TimeUnit.SECONDS.toNanos(1); // keep waiting in simulated time
        }
      }
      assertTrue(flag.get());
      other.join(TimeUnit.SECONDS.toMillis(30));
    } finally {
      lock.unlock();
    }
  }

  @Test
  void interruptedWaitsThrowWithoutAdvancing() {
    SimStoreClock clock = new SimStoreClock();
    ReentrantLock lock = new ReentrantLock();
    Condition cond = lock.newCondition();
    Thread.currentThread().interrupt();
    assertThrows(InterruptedException.class, () -> clock.sleepNanos(1_000));
    Thread.currentThread().interrupt();
    lock.lock();
    try {
      assertThrows(InterruptedException.class, () -> clock.awaitNanos(cond, 1_000));
    } finally {
      lock.unlock();
    }
    assertEquals(Duration.ZERO, clock.elapsed());
    assertThrows(IllegalMonitorStateException.class, () -> clock.awaitNanos(cond, 1_000));
    assertEquals(Duration.ZERO, clock.elapsed());
  }

  @Test
  void neverDecreasesUnderConcurrentAdvance() throws Exception {
    SimStoreClock clock = new SimStoreClock();
    Thread[] threads = new Thread[4];
    AtomicBoolean backwards = new AtomicBoolean();
    for (int t = 0; t < threads.length; t++) {
      threads[t] =
          new Thread(
              () -> {
                long last = clock.monoNanos();
                long lastWall = clock.wallNanos();
                for (int i = 0; i < 10_000; i++) {
                  clock.advanceNanos(3);
                  long now = clock.monoNanos();
                  long wall = clock.wallNanos();
                  if (now < last || wall < lastWall) {
                    backwards.set(true);
                  }
                  last = now;
                  lastWall = wall;
                }
              });
      threads[t].start();
    }
    for (Thread t : threads) {
      t.join();
    }
    assertTrue(!backwards.get());
    assertEquals(4 * 10_000 * 3, clock.elapsed().toNanos());
  }
}
