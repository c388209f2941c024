package io.batpak.it.fakes;

/** A store engine whose constructor throws, so ServiceLoader reports it as not instantiable. */
public final class ThrowingEngine extends FakeEngine {
  /** Always throws. */
  public ThrowingEngine() {
    super("throwing-engine");
    throw new IllegalStateException("the fake engine's constructor throws on purpose");
  }
}
