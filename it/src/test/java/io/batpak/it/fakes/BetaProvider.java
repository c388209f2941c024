package io.batpak.it.fakes;

/** Fake provider {@code beta}, priority 20. */
public final class BetaProvider extends FakeProvider {
  /** Creates it. */
  public BetaProvider() {
    super("beta", 20, true);
  }
}
