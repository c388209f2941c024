package io.batpak.cli;

import java.util.Optional;

/** Finds the engine's repair primitive. */
final class JournalRepairs {

  /** Why {@link #find()} found nothing. */
  static final String UNAVAILABLE =
      "this build's engine has no repair primitive (io.batpak.engine.Repair), so the journal"
          + " cannot be cut back safely";

  private JournalRepairs() {}

  /**
   * The engine's repair primitive, or empty when the engine on the class path lacks it (repair is
   * never faked by editing segment files from the command line).
   */
  static Optional<JournalRepair<?>> find() {
    try {
      Class.forName("io.batpak.engine.Repair", false, JournalRepairs.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return Optional.empty();
    }
    return Optional.of(new EngineRepair());
  }
}
