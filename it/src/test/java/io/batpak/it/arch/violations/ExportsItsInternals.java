package io.batpak.it.arch.violations;

import java.lang.module.ModuleDescriptor;
import java.util.Set;

/**
 * Deliberate violations of the module rules, as descriptors built in memory (a second {@code
 * module-info.java} cannot be compiled into a test folder). Never used at run time.
 */
public final class ExportsItsInternals {
  private ExportsItsInternals() {}

  /** A module that exports an internal package to everyone, and opens another to everyone. */
  public static ModuleDescriptor toEveryone() {
    return ModuleDescriptor.newModule("io.batpak.violations.leaky")
        .exports("io.batpak.violations.leaky")
        .exports("io.batpak.violations.leaky.internal.format")
        .opens("io.batpak.violations.leaky.internal.index")
        .build();
  }

  /**
   * An engine whose qualified exports go beyond the documented list: one more package for the
   * bench, and a listed package exported to a module that is not the bench. One listed package is
   * missing.
   */
  public static ModuleDescriptor engineBeyondTheBenchList() {
    return ModuleDescriptor.newModule("io.batpak.engine")
        .exports("io.batpak.engine")
        .exports("io.batpak.engine.internal.format", Set.of("io.batpak.bench", "io.batpak.cli"))
        .exports("io.batpak.engine.internal.index", Set.of("io.batpak.bench"))
        .exports("io.batpak.engine.internal.recovery", Set.of("io.batpak.bench"))
        .exports("io.batpak.engine.internal.commit", Set.of("io.batpak.bench"))
        .build();
  }
}
