package io.batpak.engine;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.internal.EngineStore;
import io.batpak.spi.StoreEngine;
import org.apiguardian.api.API;

/**
 * The batpak engine, registered as the {@link StoreEngine} service. Applications do not use this
 * class; they call {@link Store#open(StoreConfig)}.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class BatpakEngine implements StoreEngine {

  /** Called by {@link java.util.ServiceLoader}. */
  public BatpakEngine() {}

  @Override
  public String name() {
    return "batpak-engine";
  }

  @Override
  public Store open(StoreConfig config) {
    return EngineStore.open(config);
  }
}
