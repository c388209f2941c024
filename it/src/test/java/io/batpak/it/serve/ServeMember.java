package io.batpak.it.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.it.ChildJvm;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One member of a test group as its own process: {@code batpak serve --console} (the shipped {@code
 * io.batpak.cli.Main}, or {@link SelfKillingServe} around it) on its own directory, talked to
 * through its console. Its stderr goes to {@code <id>.stderr.log} beside the member directories
 * (appended across restarts), the place to look when a test fails.
 */
final class ServeMember {
  private final String id;
  private final Process process;
  private final BufferedReader out;
  private final PrintStream in;

  private ServeMember(String id, Process process) {
    this.id = id;
    this.process = process;
    this.out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
  }

  /**
   * {@code n1=127.0.0.1:p1,n2=...,n3=...} on distinct loopback ports that are free now, below
   * Linux's ephemeral range (32768 and up): a port the kernel hands out ({@code new
   * ServerSocket(0)}) lies in that range, where the outgoing connection of a member that started
   * first may take it as its local port before the member it was chosen for binds it.
   */
  static String peers(int members) throws IOException {
    java.util.Set<Integer> ports = new java.util.LinkedHashSet<>();
    java.util.SplittableRandom random = new java.util.SplittableRandom(System.nanoTime());
    for (int tries = 0; ports.size() < members; tries++) {
      if (tries == 200) {
        throw new IOException("no " + members + " free loopback ports in 20000-31999");
      }
      int port = 20_000 + random.nextInt(12_000);
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new java.net.InetSocketAddress("127.0.0.1", port));
        ports.add(port);
      } catch (IOException e) {
        // in use: try another
      }
    }
    List<String> peers = new ArrayList<>();
    int i = 1;
    for (int port : ports) {
      peers.add("n" + i++ + "=127.0.0.1:" + port);
    }
    return String.join(",", peers);
  }

  /**
   * How a member process runs: its main class, class path entries before the build's, and options
   * after serve's own.
   */
  record Launch(String main, List<String> classPathPrefix, List<String> options) {
    /** The shipped command line, {@code io.batpak.cli.Main}. */
    static final Launch SERVE = new Launch("io.batpak.cli.Main", List.of(), List.of());
  }

  /**
   * Starts member {@code id} of {@code peers} in {@code root/id} as {@code launch} says and waits
   * for its console's {@code ready} line.
   */
  static ServeMember start(Launch launch, String id, String peers, UUID group, Path root)
      throws IOException {
    ServeMember m = launch(launch, id, peers, group, root);
    m.awaitReady();
    return m;
  }

  /** Starts every member of {@code peers} together (their JVMs start in parallel), each ready. */
  static Map<String, ServeMember> startAll(Launch launch, String peers, UUID group, Path root)
      throws IOException {
    Map<String, ServeMember> members = new LinkedHashMap<>();
    for (String entry : peers.split(",")) {
      String id = entry.substring(0, entry.indexOf('='));
      members.put(id, launch(launch, id, peers, group, root));
    }
    for (ServeMember m : members.values()) {
      m.awaitReady();
    }
    return members;
  }

  private static ServeMember launch(Launch launch, String id, String peers, UUID group, Path root)
      throws IOException {
    String cp = System.getProperty("batpak.test.classpath");
    assertTrue(cp != null && !cp.isBlank(), "the build sets batpak.test.classpath");
    List<String> path = new ArrayList<>(launch.classPathPrefix());
    path.add(cp);
    List<String> command =
        ChildJvm.java("-cp", String.join(File.pathSeparator, path), launch.main());
    command.addAll(
        List.of(
            "serve",
            "--id",
            id,
            "--peers",
            peers,
            "--dir",
            root.resolve(id).toString(),
            "--group",
            group.toString(),
            "--console"));
    command.addAll(launch.options());
    Process p =
        new ProcessBuilder(command)
            .redirectError(
                ProcessBuilder.Redirect.appendTo(root.resolve(id + ".stderr.log").toFile()))
            .start();
    return new ServeMember(id, p);
  }

  private void awaitReady() throws IOException {
    assertEquals("ready " + id, out.readLine(), "member " + id + " started (see its stderr.log)");
  }

  String id() {
    return id;
  }

  long pid() {
    return process.pid();
  }

  /** Sends a console line without waiting for the reply. */
  void send(String line) {
    in.println(line);
  }

  /** Sends a console line and returns its reply line (null if the process ended). */
  @Nullable String request(String line) throws IOException {
    send(line);
    return out.readLine();
  }

  /** The reply line to a line sent earlier (null if the process ended first). */
  @Nullable String reply() throws IOException {
    return out.readLine();
  }

  /** Whether this member says it is the leader. */
  boolean isLeader() throws IOException {
    return "leader yes".equals(request("leader"));
  }

  /** A read barrier, then every event line of the member's store. */
  List<String> dump() throws IOException {
    send("dump");
    List<String> events = new ArrayList<>();
    for (String line; (line = out.readLine()) != null; ) {
      if (line.startsWith("end ")) {
        assertEquals("end count=" + events.size(), line, "member " + id + " dump");
        return events;
      }
      assertTrue(line.startsWith("event "), "member " + id + " dump line: " + line);
      events.add(line);
    }
    throw new AssertionError("member " + id + " ended during a dump (see its stderr.log)");
  }

  /** SIGKILL, and wait until the process is gone. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(60, TimeUnit.SECONDS);
  }

  /**
   * SIGTERM, what a service manager sends to stop a process; does not wait. Sent with {@code kill},
   * not {@link Process#destroy()}, which also closes the process's pipes (its console would see the
   * end of its input, a second way to stop).
   */
  void terminate() throws IOException, InterruptedException {
    signal("-TERM");
  }

  /** Waits for a process that kills itself to be gone; false if it still runs after a minute. */
  boolean awaitGone() throws InterruptedException {
    return process.waitFor(60, TimeUnit.SECONDS);
  }

  /** The exit code of a process that has ended. */
  int exitCode() {
    return process.exitValue();
  }

  /** SIGSTOP: the process freezes, its sockets stay open (a partition, not a crash). */
  void stop() throws IOException, InterruptedException {
    signal("-STOP");
  }

  /** SIGCONT: a stopped process runs on. */
  void resume() throws IOException, InterruptedException {
    signal("-CONT");
  }

  private void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", signal, Long.toString(pid())).inheritIO().start();
    assertEquals(0, kill.waitFor(), "kill " + signal + " " + pid());
  }

  /** Whether any file of this member's Raft log holds {@code marker}. */
  static boolean raftLogHolds(Path memberDir, String marker) throws IOException {
    byte[] needle = marker.getBytes(StandardCharsets.UTF_8);
    List<Path> files;
    try (Stream<Path> walk = Files.walk(memberDir.resolve("raft"))) {
      files = walk.filter(Files::isRegularFile).toList();
    }
    for (Path f : files) {
      try {
        if (SelfKillingServe.contains(Files.readAllBytes(f), needle)) {
          return true;
        }
      } catch (NoSuchFileException e) {
        // a segment renamed since the walk listed it: the caller looks again
      }
    }
    return false;
  }
}
