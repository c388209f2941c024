package io.batpak.it.arch.violations.cycle.b;

import io.batpak.it.arch.violations.cycle.a.A;

/** A deliberate violation: the other half of a package cycle. Never used at run time. */
public final class B {
  private B() {}

  /** Refers back to {@link A}. */
  public static int viaA() {
    return A.one();
  }
}
