package io.batpak.it.fakes;

/** A provider whose constructor throws, so ServiceLoader reports it as not instantiable. */
public final class ThrowingConstructorProvider extends FakeProvider {
  /** Always throws. */
  public ThrowingConstructorProvider() {
    super("throwing", 40, true);
    throw new IllegalStateException("the fake constructor throws on purpose");
  }
}
