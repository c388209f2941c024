package io.batpak.test;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The replay line names the module of a reactor, or none for a project on its own. */
class ReplayCommandTest {
  @TempDir Path tmp;

  static class OrdersIT {}

  private Path project(String... dirs) throws IOException {
    Path dir = tmp;
    for (String d : dirs) {
      dir = Files.createDirectories(dir.resolve(d));
      Files.writeString(dir.resolve("pom.xml"), "<project/>");
    }
    return dir;
  }

  @Test
  void aModuleOfAReactorIsRunFromTheTopWithItsPath() throws IOException {
    Path module = project("shop", "services", "orders");
    assertEquals(
        "mvn -B -pl services/orders -am test -Dtest='ReplayCommandTest#replays'"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dbatpak.test.seed=-7",
        ReplayCommand.of(module, ReplayCommandTest.class, "replays", -7));
  }

  @Test
  void aProjectOnItsOwnIsRunWhereItIs() throws IOException {
    Path alone = project("orders");
    assertEquals(
        "mvn -B test -Dtest='ReplayCommandTest' -Dbatpak.test.seed=3",
        ReplayCommand.of(alone, ReplayCommandTest.class, null, 3));
  }

  @Test
  void anIntegrationTestIsRunByFailsafe() throws IOException {
    Path module = project("shop", "it");
    assertEquals(
        "mvn -B -pl it -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false"
            + " -Dit.test='ReplayCommandTest$OrdersIT#crashes'"
            + " -Dfailsafe.failIfNoSpecifiedTests=false -Dbatpak.test.seed=5",
        ReplayCommand.of(module, OrdersIT.class, "crashes", 5));
  }
}
