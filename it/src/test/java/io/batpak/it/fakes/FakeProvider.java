package io.batpak.it.fakes;

import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;

/**
 * Base of the fake providers that the ServiceLoader scenarios list in generated {@code
 * META-INF/services} files. Never listed itself; it opens nothing.
 */
public abstract class FakeProvider implements StoreFsProvider {
  private final String name;
  private final int priority;
  private final boolean autoSelectable;

  /**
   * Creates the fake.
   *
   * @param name the provider name
   * @param priority the priority
   * @param autoSelectable whether automatic selection may choose it
   */
  protected FakeProvider(String name, int priority, boolean autoSelectable) {
    this.name = name;
    this.priority = priority;
    this.autoSelectable = autoSelectable;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int priority() {
    return priority;
  }

  @Override
  public boolean autoSelectable() {
    return autoSelectable;
  }

  @Override
  public ProbeResult probe() {
    return ProbeResult.available(name + " fake is always available");
  }

  @Override
  public StoreFs open(FsOptions options) {
    throw new UnsupportedOperationException("the fake provider " + name + " opens nothing");
  }
}
