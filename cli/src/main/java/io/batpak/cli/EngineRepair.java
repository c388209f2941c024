package io.batpak.cli;

import io.batpak.engine.Repair;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@link JournalRepair} over the engine's {@link Repair}. */
final class EngineRepair implements JournalRepair<Repair.Plan> {

  @Override
  public Repair.Plan plan(Path directory) {
    return Repair.plan(directory);
  }

  @Override
  public List<Cut> cuts(Repair.Plan plan) {
    List<Cut> cuts = new ArrayList<>();
    if (plan.intact()) {
      return cuts;
    }
    String damage = CommandSupport.withoutAdvice(plan.damage().orElse("damage"));
    plan.cutFile()
        .ifPresent(
            file -> cuts.add(new Cut(file.toString(), plan.cutOffset(), plan.cutBytes(), damage)));
    for (Path later : plan.segmentsMovedAside()) {
      long size;
      try {
        size = Files.size(later);
      } catch (IOException e) {
        size = 0;
      }
      cuts.add(
          new Cut(
              later.toString(),
              0,
              size,
              "a later segment, moved aside whole: its events come after the damage"));
    }
    return cuts;
  }

  @Override
  public List<String> choices(Repair.Plan plan) {
    return plan.choices();
  }

  @Override
  public Path apply(Repair.Plan plan) {
    return Repair.apply(plan, StoreClock.system().wallMicros())
        .orElseThrow(() -> new IllegalStateException("the repair found nothing to do"));
  }
}
