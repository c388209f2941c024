package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.cli.CliRunner.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Command lines that are wrong exit 2, change nothing and say what to do; help exits 0. */
class UsageTest {

  @TempDir Path tmp;

  private static void assertUsage(Result r, String expectedInErr) {
    assertEquals(Main.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains(expectedInErr), r.toString());
  }

  @Test
  void noCommandPrintsOverviewAndExitsTwo() {
    Result r = CliRunner.run();
    assertUsage(r, "usage: batpak <command>");
    assertEquals("", r.out());
  }

  @Test
  void unknownCommandExitsTwo() {
    assertUsage(CliRunner.run("frobnicate"), "unknown command 'frobnicate'");
  }

  @Test
  void overviewAndEveryCommandHaveHelp() {
    Result overview = CliRunner.run("--help");
    assertEquals(Main.OK, overview.code());
    for (String command :
        List.of("demo", "inspect", "verify", "dump", "repair", "compact", "serve", "bench")) {
      assertTrue(overview.out().contains("  " + command + " "), overview.out());
      Result help = CliRunner.run(command, "--help");
      assertEquals(Main.OK, help.code(), help.toString());
      assertTrue(help.out().startsWith("usage: batpak " + command), help.toString());
      assertTrue(help.out().contains("exit codes"), help.toString());
      assertEquals(help.out(), CliRunner.run(command, "-h").out());
      assertEquals(help.out(), CliRunner.run("help", command).out());
    }
  }

  @Test
  void missingOrExtraArgumentsExitTwo() {
    assertUsage(CliRunner.run("inspect"), "needs one store directory");
    assertUsage(CliRunner.run("verify"), "needs one store directory");
    assertUsage(CliRunner.run("dump"), "needs one store directory");
    assertUsage(CliRunner.run("repair"), "needs one store directory");
    assertUsage(CliRunner.run("inspect", "a", "b"), "[b]");
    assertUsage(CliRunner.run("demo", "a", "b"), "[b]");
  }

  @Test
  void badOptionsExitTwo() throws IOException {
    Files.createFile(tmp.resolve("0000000001.seg")); // a store directory, as far as the check goes
    String dir = tmp.toString();
    assertUsage(CliRunner.run("verify", dir, "--fast"), "unknown option '--fast'");
    assertUsage(CliRunner.run("dump", dir, "--after"), "--after needs a value");
    assertUsage(
        CliRunner.run("dump", dir, "--entity", "--after", "3"),
        "--entity needs a value, but the next argument is the option --after");
    Result escaped = CliRunner.run("dump", dir, "--entity=--odd", "--after", "x");
    assertFalse(escaped.err().contains("needs a value"), "--entity=VALUE takes any value");
    assertUsage(CliRunner.run("dump", dir, "--after", "x"), "needs a whole number");
    assertUsage(CliRunner.run("dump", dir, "--after=-2"), "at least -1");
    assertUsage(CliRunner.run("dump", dir, "--entity", "a/b"), "--entity");
    assertUsage(CliRunner.run("dump", dir, "--entity", "a", "--entity", "b"), "given twice");
    assertUsage(CliRunner.run("inspect", dir, "--yes"), "unknown option '--yes'");
  }

  @Test
  void readOnlyCommandsRefuseAMissingDirectoryAndCreateNothing() {
    Path missing = tmp.resolve("nothing-here");
    for (String command : List.of("inspect", "verify", "dump", "repair")) {
      assertUsage(CliRunner.run(command, missing.toString()), "there is no directory");
      assertFalse(Files.exists(missing), command + " created " + missing);
    }
  }

  /**
   * A directory that holds no store (an empty one, a serve member's directory instead of its {@code
   * store}) is refused by every store command, not reported as an intact empty store, and a copy
   * command announces nothing before it refuses.
   */
  @Test
  void everyStoreCommandRefusesADirectoryWithoutAStore() throws IOException {
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    Files.createDirectories(empty.resolve("store"));
    List<List<String>> commands =
        List.of(
            List.of("inspect"),
            List.of("verify"),
            List.of("dump"),
            List.of("repair"),
            List.of("trace", "x", "--format", "json"),
            List.of("snapshot", "DEST"),
            List.of("fork", "DEST"),
            List.of("compact", "--strategy", "merge"));
    for (List<String> c : commands) {
      List<String> argv = new java.util.ArrayList<>();
      argv.add(c.get(0));
      argv.add(empty.toString());
      for (String a : c.subList(1, c.size())) {
        argv.add(a.equals("DEST") ? tmp.resolve("copy-" + c.get(0)).toString() : a);
      }
      Result r = CliRunner.run(argv.toArray(String[]::new));
      assertUsage(r, "holds no store");
      assertFalse(r.err().contains("copying"), c + " announced a copy: " + r);
    }
    try (Stream<Path> files = Files.list(tmp)) {
      assertEquals(List.of(empty), files.toList(), "nothing was created");
    }
  }

  @Test
  void aFileIsNotAStore() throws IOException {
    Path file = Files.writeString(tmp.resolve("file.txt"), "hello");
    assertUsage(CliRunner.run("inspect", file.toString()), "is a file");
    assertUsage(CliRunner.run("demo", file.toString()), "is a file");
  }

  @Test
  void demoRefusesANonEmptyDirectoryAndLeavesItAlone() throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("busy"));
    Files.writeString(dir.resolve("notes.txt"), "mine");
    Result r = CliRunner.run("demo", dir.toString());
    assertUsage(r, "exists and is not empty");
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("notes.txt")), files.toList());
    }
  }

  @Test
  void benchFromTheJarPointsToTheLauncher() {
    assertUsage(CliRunner.run("bench"), "./batpak bench");
  }

  @Test
  void benchWithTheHarnessOptionsFromTheJarStillPointsToTheLauncher() {
    // the options the help and README show (and the rest the harness takes) are not "unknown"
    // here: the jar cannot run them, and says where they run
    assertUsage(
        CliRunner.run("bench", "--quick", "--systems", "batpak-durable,sqlite", "--out", "r"),
        "./batpak bench");
    assertUsage(
        CliRunner.run("bench", "--full", "--workloads", "W1", "--warmup", "40", "--tiny"),
        "./batpak bench");
    assertUsage(CliRunner.run("bench", "--work", "w", "--open-events", "1000"), "./batpak bench");
  }

  @Test
  void argsParsing() throws UsageException {
    Args a =
        Args.parse(
            "dump",
            List.of("dir", "--entity=order:1", "--after", "5", "--", "--literal"),
            Set.of("--entity", "--after"),
            Set.of());
    assertEquals(List.of("dir", "--literal"), a.positionals());
    assertEquals("order:1", a.value("--entity").orElseThrow());
    assertEquals(5L, a.longValue("--after", -1).orElseThrow());
    assertFalse(a.help());
    assertThrows(
        UsageException.class, () -> Args.parse("x", List.of("--yes=1"), Set.of(), Set.of("--yes")));
  }
}
