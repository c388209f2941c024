package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.port.StoreEntropy;
import java.util.SplittableRandom;
import org.apiguardian.api.API;

/**
 * A deterministic {@link StoreEntropy}: a {@link SplittableRandom} with a fixed seed, so the same
 * seed and the same sequence of calls give the same bits.
 *
 * <p>Thread-safe (calls are serialised); deterministic only if the order of calls is.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SimEntropy implements StoreEntropy {
  private final long seed;
  private final SplittableRandom random;

  /**
   * Creates the entropy source.
   *
   * @param seed the seed
   */
  public SimEntropy(long seed) {
    this.seed = seed;
    this.random = new SplittableRandom(seed);
  }

  /** The seed this source was created with. */
  public long seed() {
    return seed;
  }

  @Override
  public synchronized void nextBytes(byte[] bytes) {
    random.nextBytes(bytes);
  }

  @Override
  public synchronized long nextLong() {
    return random.nextLong();
  }

  @Override
  public String toString() {
    return "SimEntropy[seed=" + seed + "]";
  }
}
