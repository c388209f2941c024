package io.batpak.it.fakes;

/** A second class that claims the name {@code alpha}. */
public final class AlphaTwinProvider extends FakeProvider {
  /** Creates it. */
  public AlphaTwinProvider() {
    super("alpha", 15, true);
  }
}
