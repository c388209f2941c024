package io.batpak.port;

import static org.apiguardian.api.API.Status.STABLE;

import java.security.SecureRandom;
import org.apiguardian.api.API;

/**
 * The randomness port: every random bit the store draws (the random part of event ids) comes from
 * one instance, so a simulation can replay it from a seed.
 *
 * <p>Implementations are thread-safe.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface StoreEntropy {

  /** Fills {@code bytes} with random bits. */
  void nextBytes(byte[] bytes);

  /** Returns 64 random bits. */
  default long nextLong() {
    byte[] b = new byte[8];
    nextBytes(b);
    long v = 0;
    for (byte x : b) {
      v = (v << 8) | (x & 0xFF);
    }
    return v;
  }

  /**
   * Randomness from a {@link SecureRandom}, the default. {@link #nextLong} (one per generated event
   * id) is served from 256 bytes drawn at a time, so an append neither allocates nor takes the
   * generator's lock for each id.
   */
  static StoreEntropy secure() {
    SecureRandom random = new SecureRandom();
    return new StoreEntropy() {
      private final byte[] pool = new byte[256];
      private int used = pool.length;

      @Override
      public void nextBytes(byte[] bytes) {
        random.nextBytes(bytes);
      }

      @Override
      public synchronized long nextLong() {
        if (used == pool.length) {
          random.nextBytes(pool);
          used = 0;
        }
        long v = 0;
        for (int i = 0; i < 8; i++) {
          v = (v << 8) | (pool[used + i] & 0xFF);
        }
        java.util.Arrays.fill(pool, used, used + 8, (byte) 0); // a drawn value is not kept
        used += 8;
        return v;
      }

      @Override
      public String toString() {
        return "StoreEntropy.secure()";
      }
    };
  }
}
