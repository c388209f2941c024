package io.batpak.it.fakes;

import io.batpak.spi.ProbeResult;

/**
 * A provider whose native library is missing: the class loads, and {@link #probe()} catches the
 * {@link UnsatisfiedLinkError} and says why, as docs/architecture.md requires of every native
 * backend.
 */
public final class MissingNativeLibraryProvider extends FakeProvider {
  /** The library that does not exist. */
  public static final String LIBRARY = "batpak_does_not_exist";

  /** Creates it; loads nothing. */
  public MissingNativeLibraryProvider() {
    super("native", 30, true);
  }

  @Override
  public ProbeResult probe() {
    try {
      System.loadLibrary(LIBRARY);
      return ProbeResult.available("native library " + LIBRARY + " loaded");
    } catch (UnsatisfiedLinkError e) {
      return ProbeResult.unavailable(
          "native library " + LIBRARY + " is not loadable: " + e.getMessage());
    }
  }
}
