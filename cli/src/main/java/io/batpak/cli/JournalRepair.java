package io.batpak.cli;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@code batpak repair} needs from the engine: a plan of what cutting a damaged journal back
 * to its last intact frame would remove, made without changing anything, and the cut itself, which
 * keeps a copy of every byte it removes.
 *
 * <p>The engine is expected to provide this as {@code io.batpak.engine.Repair.plan(Path)} and
 * {@code Repair.apply(plan)}; {@link JournalRepairs#find()} adapts it when it exists.
 */
interface JournalRepair {

  /**
   * Describes what a repair of the store in {@code directory} would cut. Changes nothing; the store
   * must not be open elsewhere.
   */
  Plan plan(Path directory);

  /**
   * Cuts what {@code plan} lists, after checking the files still look as they did when it was made,
   * and keeps a copy of the cut bytes.
   *
   * @return where the copy of the cut bytes is
   */
  Path apply(Plan plan);

  /**
   * A repair plan.
   *
   * @param directory the store
   * @param cuts what would be removed, in file order; empty when there is nothing to repair
   */
  record Plan(Path directory, List<Cut> cuts) {
    /** Copies the list. */
    public Plan {
      cuts = List.copyOf(cuts);
    }
  }

  /**
   * One piece of a journal that a repair removes.
   *
   * @param file the segment file
   * @param offset where the cut starts (the new end of the file, or 0 for a whole file)
   * @param bytes how many bytes go
   * @param events how many events that were readable before the damage go with them
   * @param reason what is wrong there
   */
  record Cut(String file, long offset, long bytes, long events, String reason) {}
}
