package com.example.orders;

// sample:provider
import io.batpak.fs.spi.StoreFsResolver;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import java.io.IOException;

/**
 * Registers {@link CountingStoreFs} as backend {@code counting}, in
 * META-INF/services/io.batpak.spi.StoreFsProvider.
 */
public final class CountingStoreFsProvider implements StoreFsProvider {
  static final String NAME = "counting";

  public CountingStoreFsProvider() {}

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public int priority() {
    return 10;
  }

  /** Only by name: StoreConfig.Builder.fsBackend("counting"). */
  @Override
  public boolean autoSelectable() {
    return false;
  }

  @Override
  public ProbeResult probe() {
    return ProbeResult.available("counts fsyncs over posix");
  }

  /** Decorates the real posix backend (batpak-fs-posix), found by its name. */
  @Override
  public StoreFs open(FsOptions options) throws IOException {
    StoreFs real = StoreFsResolver.resolve("posix", getClass().getClassLoader()).open(options);
    return new CountingStoreFs(real);
  }
}
// end-sample:provider
