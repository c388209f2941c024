package io.batpak.it.fakes;

/** A store engine that claims the real engine's name, {@code batpak-engine}. */
public final class ShadowEngine extends FakeEngine {
  /** Creates it. */
  public ShadowEngine() {
    super("batpak-engine");
  }
}
