package io.batpak.it.fakes;

/** A second store engine, {@code other-engine}, beside the real one. */
public final class OtherEngine extends FakeEngine {
  /** Creates it. */
  public OtherEngine() {
    super("other-engine");
  }
}
