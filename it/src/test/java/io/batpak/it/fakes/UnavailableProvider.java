package io.batpak.it.fakes;

import io.batpak.spi.ProbeResult;

/** Fake provider {@code remote}, priority 60, whose probe always fails. */
public final class UnavailableProvider extends FakeProvider {
  /** Creates it. */
  public UnavailableProvider() {
    super("remote", 60, true);
  }

  @Override
  public ProbeResult probe() {
    return ProbeResult.unavailable("the remote fake is never reachable from a test");
  }
}
