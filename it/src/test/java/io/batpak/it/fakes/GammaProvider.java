package io.batpak.it.fakes;

/** Fake provider {@code gamma}, priority 20: ties with {@link BetaProvider}. */
public final class GammaProvider extends FakeProvider {
  /** Creates it. */
  public GammaProvider() {
    super("gamma", 20, true);
  }
}
