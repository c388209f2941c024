package io.batpak.fs.spi;

import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;

/** Hands out the instance passed to {@link StoreFsResolver#resolve(StoreFs)}. */
final class InstanceProvider implements StoreFsProvider {
  private final StoreFs instance;

  InstanceProvider(StoreFs instance) {
    this.instance = instance;
  }

  @Override
  public String name() {
    return instance.name();
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
    return ProbeResult.available("instance passed in");
  }

  @Override
  public StoreFs open(FsOptions options) {
    return instance;
  }

  @Override
  public String toString() {
    return "InstanceProvider(" + instance + ")";
  }
}
