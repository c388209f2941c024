package io.batpak.it.fakes;

/** Fake provider {@code alpha}, priority 10. */
public final class AlphaProvider extends FakeProvider {
  /** Creates it. */
  public AlphaProvider() {
    super("alpha", 10, true);
  }
}
