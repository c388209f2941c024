package io.batpak.port;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * {@link StoreEntropy#secure()} serves {@code nextLong} from a pool it refills from its {@link
 * java.security.SecureRandom}: every value is drawn once, across refills and under concurrent
 * callers, and every bit is random.
 */
class StoreEntropyTest {
  @Test
  void pooledLongsAreNeverServedTwiceUnderConcurrentCallers() throws InterruptedException {
    StoreEntropy entropy = StoreEntropy.secure();
    Set<Long> seen = ConcurrentHashMap.newKeySet();
    int threads = 4;
    int each = 5_000; // many refills of the 32-value pool per thread
    List<Thread> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread w =
          new Thread(
              () -> {
                for (int i = 0; i < each; i++) {
                  seen.add(entropy.nextLong());
                }
              });
      workers.add(w);
      w.start();
    }
    for (Thread w : workers) {
      w.join();
    }
    // 20 000 draws of 64 random bits collide with probability about 1e-11: a duplicate means a
    // pooled value was served twice.
    assertEquals(threads * each, seen.size(), "a pooled value was served twice");
  }

  @Test
  void everyBitOfPooledLongsVaries() {
    StoreEntropy entropy = StoreEntropy.secure();
    int n = 10_000;
    int[] ones = new int[64];
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < n; i++) {
      long v = entropy.nextLong();
      seen.add(v);
      for (int b = 0; b < 64; b++) {
        ones[b] += (int) ((v >>> b) & 1);
      }
    }
    assertEquals(n, seen.size());
    for (int b = 0; b < 64; b++) {
      // A fair bit lands in [4 500, 5 500] of 10 000 with probability 1 - 1e-23.
      assertTrue(ones[b] > 4_500 && ones[b] < 5_500, "bit " + b + " was set " + ones[b] + " times");
    }
  }
}
