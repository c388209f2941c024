package io.batpak.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code batpak repair} needs from the engine: a plan of what cutting a damaged journal back
 * to its last intact frame would remove, made without changing anything, and the cut itself, which
 * keeps a copy of every byte it removes. {@link EngineRepair} adapts {@code
 * io.batpak.engine.Repair}; tests use a fake.
 *
 * @param <P> the plan type of the repair primitive
 */
interface JournalRepair<P> {

  /**
   * Plans a repair of the store in {@code directory}. Changes nothing; the store must not be open
   * for writing elsewhere.
   */
  P plan(Path directory);

  /** What {@code plan} would remove, in file order; empty when there is nothing to repair. */
  List<Cut> cuts(P plan);

  /** The ways out of the damage, in words, the repair itself last. */
  default List<String> choices(P plan) {
    return List.of();
  }

  /**
   * Carries out {@code plan}, after checking the store still looks as it did when it was made.
   *
   * @return where the copy of the cut bytes is
   */
  Path apply(P plan);

  /**
   * One piece of a journal that a repair removes.
   *
   * @param file the segment file
   * @param offset where the cut starts (the new end of the file; 0 for a whole file)
   * @param bytes how many bytes go
   * @param reason what is wrong there, or why it goes
   */
  record Cut(String file, long offset, long bytes, String reason) {}
}
