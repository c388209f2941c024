package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import org.apiguardian.api.API;

/**
 * The {@code sim} provider: a new, empty {@link SimStoreFs} per {@link #open(FsOptions)}. Never
 * selected automatically; a store gets it only by name, and a test that wants to crash the
 * simulator should build the {@link SimStoreFs} itself and hand the instance to the store.
 *
 * <p>Options: {@code seed} (a long, default 0) and {@code windows} ({@code true} for Windows mode,
 * default {@code false}). Thread-safe and stateless.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class SimStoreFsProvider implements StoreFsProvider {

  /** Creates the provider; does nothing else (a {@link java.util.ServiceLoader} needs this). */
  public SimStoreFsProvider() {}

  /** {@code "sim"}. */
  @Override
  public String name() {
    return "sim";
  }

  /** {@code 0}. */
  @Override
  public int priority() {
    return 0;
  }

  /** {@code false}: the simulator is never picked automatically. */
  @Override
  public boolean autoSelectable() {
    return false;
  }

  /** Always available. */
  @Override
  public ProbeResult probe() {
    return ProbeResult.available("in-memory simulator; never auto-selected");
  }

  /**
   * Opens a new, empty simulator.
   *
   * @throws IllegalArgumentException if the {@code seed} option is not a long
   */
  @Override
  public StoreFs open(FsOptions options) {
    long seed;
    String raw = options.get("seed").orElse("0");
    try {
      seed = Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("option seed must be a long, was '" + raw + "'", e);
    }
    boolean windows = Boolean.parseBoolean(options.get("windows").orElse("false").trim());
    return SimStoreFs.builder().seed(seed).windowsMode(windows).build();
  }

  @Override
  public String toString() {
    return "SimStoreFsProvider[sim]";
  }
}
