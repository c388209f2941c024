package io.batpak.it.arch.violations;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.LockSupport;

/**
 * A deliberate violation: waits with a timeout around {@code StoreClock} (a timed wait reads the
 * clock, so a simulated clock cannot drive it), one way per method. Never used at run time.
 */
final class WaitsWithATimeout {
  private WaitsWithATimeout() {}

  static void threadSleep() throws InterruptedException {
    Thread.sleep(1);
  }

  static void timeUnitSleep() throws InterruptedException {
    TimeUnit.MILLISECONDS.sleep(1);
  }

  static void objectWait(Object monitor) throws InterruptedException {
    synchronized (monitor) {
      monitor.wait(1);
    }
  }

  static void threadJoin(Thread t) throws InterruptedException {
    t.join(1);
  }

  static boolean conditionAwait(Condition c) throws InterruptedException {
    return c.await(1, TimeUnit.MILLISECONDS);
  }

  static long conditionAwaitNanos(Condition c) throws InterruptedException {
    return c.awaitNanos(1);
  }

  static boolean executorAwaitTermination(ExecutorService e) throws InterruptedException {
    return e.awaitTermination(1, TimeUnit.MILLISECONDS);
  }

  static boolean lockTryLock(Lock l) throws InterruptedException {
    return l.tryLock(1, TimeUnit.MILLISECONDS);
  }

  static Object queuePoll(BlockingQueue<Object> q) throws InterruptedException {
    return q.poll(1, TimeUnit.MILLISECONDS);
  }

  static Object futureGet(Future<Object> f) throws Exception {
    return f.get(1, TimeUnit.MILLISECONDS);
  }

  static void parkNanos() {
    LockSupport.parkNanos(1);
  }
}
