package io.batpak.test;

import io.batpak.fs.sim.SimStoreFs;
import io.batpak.fs.spi.ForwardingStoreFs;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;

/**
 * A provider whose backend is a decorator that forgot to override {@code name()}: the backend says
 * {@code sim}, its provider {@code misnamed}. Registered in this module's test resources.
 */
public final class MisnamedProvider implements StoreFsProvider {
  /** For ServiceLoader. */
  public MisnamedProvider() {}

  @Override
  public String name() {
    return "misnamed";
  }

  @Override
  public int priority() {
    return 0;
  }

  @Override
  public boolean autoSelectable() {
    return false;
  }

  @Override
  public ProbeResult probe() {
    return ProbeResult.available("a test decorator over the simulator");
  }

  @Override
  public StoreFs open(FsOptions options) {
    return new ForwardingStoreFs(new SimStoreFs(1)) {};
  }
}
