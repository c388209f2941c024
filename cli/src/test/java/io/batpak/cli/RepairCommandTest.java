package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.cli.CliRunner.Buffers;
import io.batpak.cli.CliRunner.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The confirmation flow of {@code batpak repair}, over a fake repair primitive. */
class RepairCommandTest {

  @TempDir Path tmp;

  /** Plans the given cuts and records what was applied. */
  private static final class FakeRepair implements JournalRepair<List<JournalRepair.Cut>> {
    final List<List<Cut>> applied = new ArrayList<>();
    final List<Cut> cuts;
    Path directory;

    FakeRepair(List<Cut> cuts) {
      this.cuts = cuts;
    }

    @Override
    public List<Cut> plan(Path directory) {
      this.directory = directory;
      return cuts;
    }

    @Override
    public List<Cut> cuts(List<Cut> plan) {
      return plan;
    }

    @Override
    public Path apply(List<Cut> plan) {
      applied.add(plan);
      return directory.resolve("repair-copy");
    }
  }

  private static final JournalRepair.Cut CUT =
      new JournalRepair.Cut("0000000002.seg", 4096, 512, "frame CRC32C mismatch");

  private Result repair(FakeRepair fake, String input, String... extra) throws UsageException {
    try { // a store directory, as far as the command's check goes (the fake plans the rest)
      Files.write(tmp.resolve("0000000001.seg"), new byte[0]);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    Buffers b = new Buffers(input, input != null);
    List<String> tokens = new ArrayList<>(List.of(tmp.toString()));
    tokens.addAll(List.of(extra));
    RepairCommand command = new RepairCommand(fake);
    Args args = Args.parse("repair", tokens, Set.of(), command.switchOptions());
    return b.result(command.run(args, b.terminal));
  }

  @Test
  void withoutATerminalItRefusesUnlessYes() throws UsageException {
    FakeRepair fake = new FakeRepair(List.of(CUT));
    UsageException e = assertThrows(UsageException.class, () -> repair(fake, null));
    assertTrue(e.getMessage().contains("--yes"), e.getMessage());
    assertEquals(List.of(), fake.applied);

    Result r = repair(fake, null, "--yes");
    assertEquals(Main.OK, r.code(), r.toString());
    assertEquals(1, fake.applied.size());
    assertTrue(r.out().contains("0000000002.seg from offset 4096"), r.toString());
    assertTrue(r.out().contains("repair-copy"), r.toString());
  }

  @Test
  void itShowsThePlanAndAsks() throws UsageException {
    FakeRepair declined = new FakeRepair(List.of(CUT));
    Result no = repair(declined, "n\n");
    assertEquals(Main.FAILURE, no.code(), no.toString());
    assertTrue(no.err().contains("cut it? [y/N]"), no.toString());
    assertTrue(no.out().contains("because: frame CRC32C mismatch"), no.toString());
    assertTrue(no.out().contains("nothing was changed"), no.toString());
    assertEquals(List.of(), declined.applied);

    FakeRepair accepted = new FakeRepair(List.of(CUT));
    Result yes = repair(accepted, "y\n");
    assertEquals(Main.OK, yes.code(), yes.toString());
    assertEquals(1, accepted.applied.size());
  }

  @Test
  void nothingToRepair() throws UsageException {
    FakeRepair fake = new FakeRepair(List.of());
    Result r = repair(fake, null);
    assertEquals(Main.OK, r.code(), r.toString());
    assertTrue(r.out().contains("nothing to repair"), r.toString());
    assertEquals(List.of(), fake.applied);
  }
}
