package io.batpak.it.axon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.axon.BatpakEventStorageEngine;
import io.batpak.fs.sim.SimSeed;
import io.batpak.it.ChildJvm;
import io.batpak.it.TestClasspath;
import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.axonframework.eventhandling.DomainEventMessage;
import org.axonframework.serialization.json.JacksonSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An Axon application end to end on a batpak store in a real directory ({@link AxonApp}, in child
 * JVMs): commands are killed with SIGKILL mid-stream, then the store is read back with plain
 * batpak, the application restarts and its tracking processor resumes from the token its {@code
 * BatpakTokenStore} saved (in a second store), a second restart replays everything from the tail,
 * and {@code batpak dump} lists the events. {@code -Dbatpak.test.seed=N} replays a run.
 */
class AxonAppIT {
  private static final long DEFAULT_SEED = 0xA0_16L;

  @TempDir Path tmp;

  @Test
  void killedCommandsLoseNoAcknowledgedEventAndTheProcessorResumesFromItsToken() throws Exception {
    long seed = SimSeed.resolve(DEFAULT_SEED);
    SimSeed.run(
        seed,
        "mvn -B verify -pl it -Dit.test=AxonAppIT -D" + SimSeed.PROPERTY + "=" + seed,
        this::run);
  }

  private void run(long seed) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    Path dir = tmp.resolve("store");
    Path tokens = tmp.resolve("tokens");
    Map<String, Long> acknowledged = new HashMap<>();
    for (int kill = 0; kill < 3; kill++) {
      int target = 10 + rnd.nextInt(60);
      runUntilKilled(dir, tokens, target, acknowledged);
    }

    // Plain batpak (through the engine's read side): every acknowledged value is stored, dense.
    Map<String, Long> stored = new HashMap<>();
    long events;
    try (Store store = Store.open(StoreConfig.builder(dir).build())) {
      JacksonSerializer serializer = JacksonSerializer.defaultSerializer();
      BatpakEventStorageEngine engine =
          BatpakEventStorageEngine.builder()
              .store(store)
              .eventSerializer(serializer)
              .snapshotSerializer(serializer)
              .build();
      for (int c = 0; c < AxonApp.COUNTERS; c++) {
        String id = "c" + c;
        List<? extends DomainEventMessage<?>> stream = engine.readEvents(id).asStream().toList();
        for (int i = 0; i < stream.size(); i++) {
          assertEquals(i, stream.get(i).getSequenceNumber(), "dense sequence of " + id);
        }
        if (!stream.isEmpty()) {
          Object last = stream.get(stream.size() - 1).getPayload();
          stored.put(id, last instanceof AxonApp.Incremented inc ? inc.value() : 0L);
        }
        Long ack = acknowledged.get(id);
        if (ack != null) {
          assertTrue(
              stored.get(id) >= ack,
              () -> id + " was acknowledged at " + ack + " but the store holds " + stored.get(id));
        }
      }
      events = store.watermarks().visible();
    }
    assertTrue(events > 0, "the children stored events");

    // Restart: the processor resumes just after its saved token and reaches the head.
    long saved;
    try (Store tokenStore = Store.open(StoreConfig.builder(tokens).build())) {
      saved = AxonApp.saved(AxonApp.tokens(tokenStore));
    }
    List<String> resumed = runToEnd(dir, tokens, "resume");
    List<Long> indices = projected(resumed, new HashMap<>());
    assertEquals(
        rangeOf(saved + 1, events), indices, "resumed after token " + saved + ", none skipped");
    System.out.println(
        "[axon] 3 kills, "
            + acknowledged
            + " acknowledged, "
            + events
            + " events stored, token "
            + saved
            + " saved, "
            + indices.size()
            + " handled on resume (seed "
            + seed
            + ")");

    // Replay from the tail: the projection is rebuilt from every event, to the stored values.
    Map<String, Long> replayed = new HashMap<>();
    assertEquals(
        rangeOf(0, events),
        projected(runToEnd(dir, tmp.resolve("tokens-replay"), "replay"), replayed));
    assertEquals(stored, replayed, "the replayed projection holds every counter's stored value");

    // batpak dump, the CLI, reads a store Axon wrote: one line per event, Axon's JSON payload.
    Path dumpOut = tmp.resolve("dump.out");
    ChildJvm.Finished dump =
        ChildJvm.run(command("io.batpak.cli.Main", "dump", dir.toString()), null, dumpOut);
    assertEquals(0, dump.exitCode(), dump.output());
    List<String> lines = dump.output().lines().filter(l -> l.startsWith("{")).toList();
    assertEquals(events, lines.size(), "one dump line per event");
    assertTrue(lines.get(0).contains("\"entity\":\"axon:aggregate:c0\""), lines.get(0));
    assertTrue(lines.get(0).contains("\"payload\":{\"id\":\"c0\"}"), lines.get(0));
  }

  private void runUntilKilled(Path dir, Path tokens, int target, Map<String, Long> acknowledged)
      throws Exception {
    Path err = tmp.resolve("child.err");
    Process child =
        new ProcessBuilder(
                command(AxonApp.class.getName(), dir.toString(), tokens.toString(), "run"))
            .redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .start();
    int got = 0;
    boolean killed = false;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.split(" ");
        if (f[0].equals("A") && f.length == 3) {
          acknowledged.merge(f[1], Long.parseLong(f[2]), Math::max);
          got++;
        }
        if (got >= target && !killed) {
          child.toHandle().destroyForcibly(); // SIGKILL while commands are in flight
          killed = true;
        }
      }
    } finally {
      child.destroyForcibly();
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child did not die");
    }
    assertTrue(
        killed, () -> "the child ended before " + target + " acknowledgements: " + read(err));
  }

  private List<String> runToEnd(Path dir, Path tokens, String mode) throws Exception {
    ChildJvm.Finished done =
        ChildJvm.run(
            command(AxonApp.class.getName(), dir.toString(), tokens.toString(), mode),
            null,
            tmp.resolve(mode + ".out"));
    assertEquals(0, done.exitCode(), done.output());
    List<String> lines = done.output().lines().toList();
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("DONE ")), done.output());
    return lines;
  }

  /**
   * The global sequences the projection printed, in order; last values per counter into {@code
   * values}.
   */
  private static List<Long> projected(List<String> lines, Map<String, Long> values) {
    List<Long> out = new ArrayList<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      if (f[0].equals("P")) {
        out.add(Long.parseLong(f[1]));
        values.put(f[2], Long.parseLong(f[3]));
      }
    }
    return out;
  }

  private static List<Long> rangeOf(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long g = from; g < to; g++) {
      out.add(g);
    }
    return out;
  }

  private static List<String> command(String main, String... args) {
    List<String> cmd = new ArrayList<>(ChildJvm.java("-Xmx256m"));
    cmd.add("-cp");
    cmd.add(
        TestClasspath.entries().stream()
            .map(Path::toString)
            .collect(Collectors.joining(File.pathSeparator)));
    cmd.add(main);
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
