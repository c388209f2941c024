package io.batpak.it.fakes;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.spi.StoreEngine;

/** Base of the fake store engines of the error-code scenarios; it opens nothing. */
public abstract class FakeEngine implements StoreEngine {
  private final String name;

  /**
   * Creates the fake.
   *
   * @param name the engine name
   */
  protected FakeEngine(String name) {
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Store open(StoreConfig config) {
    throw new UnsupportedOperationException("the fake engine " + name + " opens nothing");
  }
}
