package io.batpak.it.arch.violations.api;

import io.batpak.engine.BatpakEngine;

/**
 * A deliberate violation: a class of an API package that depends on something outside the JDK and
 * its own packages (here the engine). Never used at run time.
 */
public final class DependsOnTheEngine {
  private DependsOnTheEngine() {}

  /** The engine's name. */
  public static String engine() {
    return new BatpakEngine().name();
  }
}
