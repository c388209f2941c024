package io.batpak.it.arch.violations.cycle.a;

import io.batpak.it.arch.violations.cycle.b.B;

/** A deliberate violation: half of a package cycle. Never used at run time. */
public final class A {
  private A() {}

  /** Refers to {@link B}, which refers back. */
  public static int viaB() {
    return B.viaA() + 1;
  }

  /** The end of the loop. */
  public static int one() {
    return 1;
  }
}
