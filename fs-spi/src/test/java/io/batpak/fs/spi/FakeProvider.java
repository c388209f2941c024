package io.batpak.fs.spi;

import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.StoreFsProvider;
import java.util.concurrent.atomic.AtomicInteger;

/** A configurable provider for resolver tests; counts its probes. */
class FakeProvider implements StoreFsProvider {
  private final String name;
  private final int priority;
  private final boolean autoSelectable;
  private final ProbeResult probe;
  final AtomicInteger probes = new AtomicInteger();

  FakeProvider(String name, int priority, boolean autoSelectable, ProbeResult probe) {
    this.name = name;
    this.priority = priority;
    this.autoSelectable = autoSelectable;
    this.probe = probe;
  }

  static FakeProvider usable(String name, int priority) {
    return new FakeProvider(name, priority, true, ProbeResult.available(name + " ok"));
  }

  static FakeProvider unusable(String name, int priority, String reason) {
    return new FakeProvider(name, priority, true, ProbeResult.unavailable(reason));
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
    probes.incrementAndGet();
    return probe;
  }

  @Override
  public StoreFs open(FsOptions options) {
    throw new UnsupportedOperationException("fake " + name + " cannot open");
  }
}
