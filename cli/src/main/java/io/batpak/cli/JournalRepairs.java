package io.batpak.cli;

import java.util.Optional;

/** Finds the engine's repair primitive, if this build has one. */
final class JournalRepairs {

  /** Why {@link #find()} found nothing. */
  static final String UNAVAILABLE =
      "this build's engine has no repair primitive (io.batpak.engine.Repair with plan(Path) and"
          + " apply(plan)), so the journal cannot be cut back safely";

  private JournalRepairs() {}

  /**
   * The engine's repair primitive. Empty in this build: the engine does not offer one yet, and
   * repair is never faked by editing segment files from the command line, which does not know their
   * format.
   */
  static Optional<JournalRepair> find() {
    return Optional.empty();
  }
}
