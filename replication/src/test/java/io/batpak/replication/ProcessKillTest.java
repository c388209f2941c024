package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.EventId;
import io.batpak.IdempotencyKey;
import io.batpak.test.BatpakTest;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three members as three processes on loopback, each on its own real directories. The leader is
 * SIGKILLed right after an append is sent to it (a seeded delay of 0 to 15 ms puts the kill before
 * the proposal, between proposal and commit, or during or after apply), twice; the members restart
 * on their directories. Every acknowledged append must be on every member at the sequence and hash
 * its receipt named, and the members must hold identical events.
 */
@BatpakTest
class ProcessKillTest {
  /** Leader kills per run: 1 by default, more with {@code -Dbatpak.replication.kill.rounds=N}. */
  private static final int ROUNDS = Integer.getInteger("batpak.replication.kill.rounds", 1);

  @Test
  void sigkillOfTheLeaderLosesNoAcknowledgedAppend(Random random, @TempDir Path dir)
      throws Exception {
    UUID group = UUID.randomUUID();
    List<String> peerArgs = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      peerArgs.add("n" + i + "@127.0.0.1:" + freePort());
    }
    Map<String, Member> members = new LinkedHashMap<>();
    Map<Long, String[]> acknowledged = new HashMap<>();
    Set<Long> invoked = new HashSet<>();
    long op = 0;
    try {
      for (int i = 1; i <= 3; i++) {
        members.put("n" + i, Member.start("n" + i, group, dir, peerArgs));
      }
      for (int round = 0; round < ROUNDS; round++) {
        for (int i = 0; i < 6; i++) {
          Member via = members.get("n" + (1 + random.nextInt(3)));
          record(via.request("append " + op + " e" + random.nextInt(3)), acknowledged);
          invoked.add(op++);
        }
        String leaderId = leader(members);
        Member leader = members.get(leaderId);
        leader.send("append " + op + " e" + random.nextInt(3));
        invoked.add(op++);
        Thread.sleep(random.nextInt(16));
        leader.kill();
        for (int i = 0; i < 4; i++) {
          String viaId;
          do {
            viaId = "n" + (1 + random.nextInt(3));
          } while (viaId.equals(leaderId));
          record(
              members.get(viaId).request("append " + op + " e" + random.nextInt(3)), acknowledged);
          invoked.add(op++);
        }
        members.put(leaderId, Member.start(leaderId, group, dir, peerArgs));
      }
      record(members.get("n1").request("append " + op + " e0"), acknowledged);
      invoked.add(op++);
      List<String> reference = null;
      for (Map.Entry<String, Member> m : members.entrySet()) {
        List<String> events = m.getValue().dump();
        if (reference == null) {
          reference = events;
        } else {
          assertEquals(reference, events, "member " + m.getKey() + " differs from n1");
        }
      }
      assertNotNull(reference);
      Set<String> ids = new HashSet<>();
      for (int g = 0; g < reference.size(); g++) {
        String[] f = reference.get(g).split(" ");
        assertEquals(g, Long.parseLong(f[1]), "dense global sequence");
        assertTrue(ids.add(f[2]), "event " + f[2] + " appears twice");
      }
      Set<String> invokedIds = new HashSet<>();
      for (long o : invoked) {
        invokedIds.add(EventId.of(IdempotencyKey.of(0xB0B, o)).toString());
      }
      assertTrue(invokedIds.containsAll(ids), "only invoked appends are present");
      for (Map.Entry<Long, String[]> a : acknowledged.entrySet()) {
        String[] ok = a.getValue(); // ok <op> <global> <eventId> <hash>
        int global = Integer.parseInt(ok[2]);
        assertTrue(global < reference.size(), "acknowledged op " + a.getKey() + " is present");
        String[] event = reference.get(global).split(" ");
        assertEquals(ok[3], event[2], "op " + a.getKey() + " at global " + global);
        assertEquals(ok[4], event[5], "hash of op " + a.getKey());
      }
      assertTrue(acknowledged.size() >= 10 * ROUNDS, acknowledged.size() + " acknowledged appends");
    } finally {
      for (Member m : members.values()) {
        m.kill();
      }
    }
  }

  private static void record(@Nullable String reply, Map<Long, String[]> acknowledged) {
    System.out.println("reply: " + reply);
    if (reply != null && reply.startsWith("ok ")) {
      String[] f = reply.split(" ");
      acknowledged.put(Long.parseLong(f[1]), f);
    }
  }

  private static String leader(Map<String, Member> members) throws Exception {
    for (int attempt = 0; attempt < 600; attempt++) {
      for (Map.Entry<String, Member> m : members.entrySet()) {
        if ("leader true".equals(m.getValue().request("leader"))) {
          return m.getKey();
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no leader among " + members.keySet());
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** A member process and its command pipe. */
  private static final class Member {
    private final Process process;
    private final BufferedReader out;
    private final PrintStream in;

    private Member(Process process) {
      this.process = process;
      this.out =
          new BufferedReader(
              new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      this.in = new PrintStream(process.getOutputStream(), true, StandardCharsets.UTF_8);
    }

    static Member start(String id, UUID group, Path dir, List<String> peers) throws IOException {
      String cp = System.getProperty("batpak.test.classpath");
      assertTrue(cp != null && !cp.isBlank(), "the build sets batpak.test.classpath");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      Arrays.stream(System.getProperty("batpak.test.jvmArgs", "").trim().split("\\s+"))
          .filter(s -> !s.isEmpty())
          .forEach(cmd::add);
      cmd.addAll(List.of("-cp", cp, MemberProcess.class.getName(), id, group.toString()));
      cmd.add(dir.resolve(id).toString());
      cmd.addAll(peers);
      Member m =
          new Member(
              new ProcessBuilder(cmd)
                  .redirectError(dir.resolve(id + ".stderr.log").toFile())
                  .start());
      String first = m.out.readLine();
      assertEquals("READY", first, "member " + id + " started (see " + id + ".stderr.log)");
      return m;
    }

    void send(String line) {
      in.println(line);
    }

    @Nullable String request(String line) throws IOException {
      send(line);
      return out.readLine();
    }

    List<String> dump() throws IOException {
      send("dump");
      List<String> events = new ArrayList<>();
      for (String line; (line = out.readLine()) != null && !line.equals("end"); ) {
        events.add(line);
      }
      return events;
    }

    /** SIGKILL, and wait for the process to be gone. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      process.waitFor(60, TimeUnit.SECONDS);
    }
  }
}
