package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.cli.CliRunner.Result;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code batpak serve}: every wrong command line exits 2 before anything starts, naming the value
 * and what to give instead; and a one-member group runs the console end to end in this JVM.
 */
class ServeCommandTest {

  private static final String PEERS = "n1=127.0.0.1:7001,n2=127.0.0.1:7002,n3=127.0.0.1:7003";

  @TempDir Path tmp;

  private Result serve(String... args) {
    List<String> all = new ArrayList<>(List.of("serve"));
    all.addAll(List.of(args));
    return CliRunner.run(all.toArray(String[]::new));
  }

  private void assertUsage(String expected, String... args) {
    Result r = serve(args);
    assertEquals(Main.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains(expected), "expected '" + expected + "' in\n" + r);
    assertEquals("", r.out(), r.toString());
  }

  private String dir() {
    return tmp.resolve("member").toString();
  }

  /** {@code --id n1 --peers PEERS --dir <dir>} and {@code extra}: refused for the extra part. */
  private void assertRefusedWith(String expected, String... extra) {
    List<String> args = new ArrayList<>(List.of("--id", "n1", "--peers", PEERS, "--dir", dir()));
    args.addAll(List.of(extra));
    assertUsage(expected, args.toArray(String[]::new));
  }

  @Test
  void requiredOptionsAreNamed() {
    assertUsage("needs --id", "--peers", PEERS, "--dir", dir());
    assertUsage("needs --peers", "--id", "n1", "--dir", dir());
    assertUsage("needs --dir", "--id", "n1", "--peers", PEERS);
    assertUsage("no positional arguments", "--id", "n1", "--peers", PEERS, "--dir", dir(), "x");
    assertFalse(Files.exists(tmp.resolve("member")), "a refused command line creates nothing");
  }

  @Test
  void badPeerListsNameTheEntryAndTheFix() {
    assertUsage("entry 'n1' is not id=host:port", "--id", "n1", "--peers", "n1", "--dir", dir());
    assertUsage(
        "entry 'n1=127.0.0.1' has no host:port",
        "--id",
        "n1",
        "--peers",
        "n1=127.0.0.1",
        "--dir",
        dir());
    assertUsage(
        "has port 'x70', which is not a number",
        "--id",
        "n1",
        "--peers",
        "n1=127.0.0.1:x70",
        "--dir",
        dir());
    assertUsage(
        "has port 70000, outside 1..65535",
        "--id",
        "n1",
        "--peers",
        "n1=127.0.0.1:70000",
        "--dir",
        dir());
    assertUsage("has port 0, outside 1..65535", "--id", "n1", "--peers", "n1=h:0", "--dir", dir());
    assertUsage(
        "names member 'n1' twice", "--id", "n1", "--peers", "n1=h:1,n1=h:2", "--dir", dir());
    assertUsage(
        "members 'n1' and 'n2' the same address h:1",
        "--id",
        "n1",
        "--peers",
        "n1=h:1,n2=h:1",
        "--dir",
        dir());
    assertUsage(
        "member id 'n 1' must be 1 to 64 letters",
        "--id",
        "n 1",
        "--peers",
        "n 1=h:1",
        "--dir",
        dir());
    assertUsage("entry '' is not id=host:port", "--id", "n1", "--peers", "n1=h:1,", "--dir", dir());
  }

  @Test
  void theIdMustBeAPeerEvenWhenJoining() {
    assertUsage(
        "member 'n4' (--id) is not in --peers [n1, n2, n3]; add n4=HOST:PORT",
        "--id",
        "n4",
        "--peers",
        PEERS,
        "--dir",
        dir());
    assertUsage(
        "a joining member lists the group as it will be with itself, so add n4=HOST:PORT",
        "--id",
        "n4",
        "--peers",
        PEERS,
        "--dir",
        dir(),
        "--join");
  }

  @Test
  void badValuesOfTheOtherOptions() throws IOException {
    assertRefusedWith("--durability is 'visible' or 'durable', got 'fast'", "--durability", "fast");
    assertRefusedWith("--group needs a UUID", "--group", "g1");
    assertRefusedWith("--timeout must be at least 1, got 0", "--timeout", "0");
    assertRefusedWith("--fs is empty", "--fs", " ");
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertUsage("is a file", "--id", "n1", "--peers", PEERS, "--dir", file.toString());
  }

  /** A backend that is not there is a usage error, found before the member's directory is made. */
  @Test
  void aStoresOwnDirectoryIsNotAMembersDirectory() throws IOException {
    Path store = tmp.resolve("member");
    assertEquals(Main.OK, CliRunner.run("demo", store.toString()).code());
    List<String> before;
    try (Stream<Path> files = Files.list(store)) {
      before = files.map(f -> f.getFileName().toString()).sorted().toList();
    }
    // with a console whose input ends at once: without the refusal the member starts and stops
    Result r =
        CliRunner.run(
            "", false, "serve", "--id", "n1", "--peers", PEERS, "--dir", dir(), "--console");
    assertEquals(Main.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("holds a store's segment files itself"), r.toString());
    assertFalse(Files.exists(store.resolve("store")), "a member's store was made inside it");
    try (Stream<Path> files = Files.list(store)) {
      assertEquals(before, files.map(f -> f.getFileName().toString()).sorted().toList());
    }
  }

  @Test
  void anUnknownFilesystemBackendIsAUsageErrorAndCreatesNothing() {
    assertRefusedWith("unknown filesystem backend \"foo\"", "--fs", "foo");
    assertFalse(Files.exists(tmp.resolve("member")), "the member's directory was created");
  }

  /**
   * A member whose port is taken says so and exits 1. Ratis ends the JVM when its server cannot
   * bind; the member refuses before Ratis tries, and Ratis may never exit the JVM (this test's JVM
   * would end with it).
   */
  @Test
  void aPortInUseIsNamedAndTheProcessStays() throws IOException {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      String address = "127.0.0.1:" + taken.getLocalPort();
      Result r = serve("--id", "n1", "--peers", "n1=" + address, "--dir", dir());
      assertEquals(Main.FAILURE, r.code(), r.toString());
      assertTrue(r.err().contains("cannot listen on " + address), r.toString());
      assertFalse(r.err().contains("\tat "), "a stack trace: " + r);
    }
  }

  /** A member's directory started under another member's id is refused: its vote is not theirs. */
  @Test
  void anotherMembersDirectoryIsRefused() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String peers = "solo=127.0.0.1:" + port + ",other=127.0.0.1:" + port;
    Result first =
        CliRunner.run(
            "",
            false,
            "serve",
            "--id",
            "solo",
            "--peers",
            peers.split(",")[0],
            "--dir",
            dir(),
            "--console");
    assertEquals(Main.OK, first.code(), first.toString());
    assertUsage(
        "belongs to member 'solo'",
        "--id",
        "other",
        "--peers",
        "other=127.0.0.1:" + port,
        "--dir",
        dir());
  }

  @Test
  void aGroupOtherThanTheOneInTheDirectoryIsRefused() throws IOException {
    UUID existing = UUID.fromString("11111111-2222-4333-8444-555555555555");
    Files.createDirectories(tmp.resolve("member/raft/" + existing));
    UUID other = UUID.fromString("99999999-2222-4333-8444-555555555555");
    assertRefusedWith(
        "--group " + other + " differs from group " + existing, "--group", other.toString());
    Files.createDirectories(tmp.resolve("member/raft/" + other));
    assertRefusedWith("holds the logs of several Raft groups");
  }

  /**
   * A one-member group on a free port: the console appends (a keyed retry lands once), reports the
   * head and the leader, dumps through a read barrier, and the end of input stops the member
   * cleanly; its store then holds exactly the events the console acknowledged.
   */
  @Test
  void aOneMemberGroupServesTheConsoleUntilInputEnds() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    String input =
        String.join(
                "\n",
                "append order-1 placed k1",
                "append order-1 placed k1",
                "append order-2 placed",
                "head",
                "dump",
                "members",
                "leader",
                "append order-1",
                "frobnicate",
                "")
            + "\n";
    Result r =
        CliRunner.run(
            input,
            false,
            "serve",
            "--id",
            "solo",
            "--peers",
            "solo=127.0.0.1:" + port,
            "--dir",
            dir(),
            "--console");
    assertEquals(Main.OK, r.code(), r.toString());
    List<String> lines = r.out().lines().toList();
    assertEquals("ready solo", lines.get(0), r.toString());
    // Before the first append there may be no leader yet; the client waits for it.
    assertTrue(lines.get(1).startsWith("ok global=0 stream=0 id="), r.toString());
    assertEquals(
        lines.get(1).replaceAll(" term=.*", ""),
        lines.get(2).replaceAll(" term=.*", ""),
        "the keyed retry lands once: " + r);
    assertTrue(lines.get(3).startsWith("ok global=1 stream=0 "), r.toString());
    String hash1 = lines.get(3).replaceAll(".* hash=(\\w+) .*", "$1");
    assertTrue(lines.get(4).matches("head index=\\d+ next=2 hash=" + hash1), r.toString());
    assertTrue(lines.get(5).startsWith("event global=0 "), r.toString());
    assertTrue(lines.get(5).contains(" entity=order-1 stream=0 "), r.toString());
    assertTrue(lines.get(6).startsWith("event global=1 "), r.toString());
    assertTrue(lines.get(6).endsWith(" hash=" + hash1), r.toString());
    assertEquals("end count=2", lines.get(7), r.toString());
    assertEquals("members ids=solo", lines.get(8), r.toString());
    assertEquals("leader yes", lines.get(9), r.toString());
    assertTrue(lines.get(10).startsWith("error append takes <entity> <text> [key]"), r.toString());
    assertTrue(
        lines.get(11).startsWith("error unknown console command 'frobnicate'"), r.toString());
    assertEquals(12, lines.size(), r.toString());
    assertTrue(r.err().contains("batpak serve solo: started in "), r.toString());
    assertTrue(r.err().contains("batpak serve solo: console input ended"), r.toString());
    assertTrue(r.err().contains("batpak serve solo: stopped cleanly"), r.toString());

    try (Store store =
        Store.open(StoreConfig.builder(tmp.resolve("member/store")).readOnly(true).build())) {
      assertEquals(2, store.stats().eventCount(), "the store holds the two acknowledged events");
    }
  }

  /**
   * A restart whose --peers differ from the group's configuration in its Raft log says that the log
   * wins, and serves the members of the log.
   */
  @Test
  void aRestartWithOtherPeersSaysTheLogWins() throws IOException {
    int port;
    int other;
    try (ServerSocket s = new ServerSocket(0);
        ServerSocket t = new ServerSocket(0)) {
      port = s.getLocalPort();
      other = t.getLocalPort();
    }
    String solo = "solo=127.0.0.1:" + port;
    Result first =
        CliRunner.run(
            "append order-1 placed\n",
            false,
            "serve",
            "--id",
            "solo",
            "--peers",
            solo,
            "--dir",
            dir(),
            "--console");
    assertEquals(Main.OK, first.code(), first.toString());
    assertTrue(first.out().contains("ok global=0 "), first.toString());

    String more = solo + ",n2=127.0.0.1:" + other;
    Result again =
        CliRunner.run(
            "members\n",
            false,
            "serve",
            "--id",
            "solo",
            "--peers",
            more,
            "--dir",
            dir(),
            "--console");
    assertEquals(Main.OK, again.code(), again.toString());
    assertTrue(again.err().contains("batpak serve solo: restarted from its log"), again.toString());
    assertTrue(
        again
            .err()
            .contains(
                "batpak serve solo: --peers names n2,solo, but the group's configuration in its"
                    + " log is solo, and the log wins."),
        again.toString());
    assertEquals(List.of("ready solo", "members ids=solo"), again.out().lines().toList());
    assertFalse(first.err().contains("the log wins"), first.toString());
  }
}
