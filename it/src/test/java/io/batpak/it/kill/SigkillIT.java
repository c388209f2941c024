package io.batpak.it.kill;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.EventId;
import io.batpak.ReceiptVerification;
import io.batpak.Region;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.SimSeed;
import io.batpak.it.ChildJvm;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real process crashes: a child JVM ({@link KillChild}) appends durably over the {@code posix}
 * backend and streams each receipt; the parent kills it with SIGKILL ({@link
 * Process#destroyForcibly()}) once a seeded number of receipts has arrived, reopens the store and
 * checks that every streamed receipt is present and verifies, that every event carries exactly its
 * bytes, and that the store is intact (dense global sequence, every event verifies, chains link).
 * The same directory is killed again and again, so later children recover what earlier ones left.
 *
 * <p>This proves survival of process crashes, where the page cache survives; power loss is the
 * simulator's job ({@code CrashExplorerIT}). {@code -Dbatpak.kill.count=N} sets the number of kills
 * (default 20), {@code -Dbatpak.test.seed=N} the seed.
 */
class SigkillIT {
  private static final long DEFAULT_SEED = 0x5161_4B11L;

  @TempDir Path tmp;

  @Test
  void killedWritersLoseNoAcknowledgedEvent() throws Exception {
    long seed = SimSeed.resolve(DEFAULT_SEED);
    int kills = Integer.getInteger("batpak.kill.count", 20);
    String replay =
        "mvn -B verify -pl it -Dit.test=SigkillIT -Dbatpak.test.seed="
            + seed
            + " -Dbatpak.kill.count="
            + kills;
    SimSeed.run(seed, replay, s -> run(s, kills));
  }

  private void run(long seed, int kills) throws Exception {
    SplittableRandom rnd = new SplittableRandom(seed);
    Path dir = tmp.resolve("store");
    Map<Long, AppendReceipt> acknowledged = new HashMap<>();
    Map<Long, FrameLocation> frames = new HashMap<>();
    long started = System.nanoTime();
    int partial = 0;
    for (int k = 0; k < kills; k++) {
      int target = 1 + rnd.nextInt(k % 4 == 0 ? 400 : 60);
      Path err = tmp.resolve("child-" + k + ".err");
      Process child =
          new ProcessBuilder(command(dir, rnd.nextLong()))
              .redirectError(err.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      int got = 0;
      boolean killed = false;
      try (Reader in = new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)) {
        LineReader lines = new LineReader(in);
        String line;
        while ((line = lines.next()) != null) {
          if (line.startsWith("R ")) {
            AppendReceipt r = parse(line);
            acknowledged.put(r.globalSequence(), r);
            frames.put(r.globalSequence(), frameOf(line));
            got++;
          }
          if (got >= target && !killed) {
            // SIGKILL through the process handle, which (unlike Process.destroyForcibly) leaves
            // the pipe open, so the lines the child wrote before it died are still read.
            child.toHandle().destroyForcibly();
            killed = true;
          }
        }
        partial += lines.partial ? 1 : 0;
      } finally {
        child.destroyForcibly();
        assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child did not die");
      }
      assertTrue(killed, () -> "child exited before " + target + " receipts: " + readQuietly(err));
      int checked = check(dir, acknowledged, frames);
      System.out.println(
          "[sigkill] kill "
              + (k + 1)
              + "/"
              + kills
              + ": "
              + got
              + " receipts streamed (target "
              + target
              + "), store has "
              + checked
              + " events, "
              + acknowledged.size()
              + " acknowledged so far");
    }
    System.out.println(
        "[sigkill] "
            + kills
            + " kills, "
            + acknowledged.size()
            + " acknowledged events verified, "
            + partial
            + " partial last lines ignored, "
            + (System.nanoTime() - started) / 1_000_000
            + " ms (seed "
            + seed
            + ")");
  }

  private static List<String> command(Path dir, long seed) {
    List<String> cmd = new ArrayList<>(ChildJvm.java("-Xmx128m", "-XX:TieredStopAtLevel=1"));
    String cp = System.getProperty("batpak.test.classpath");
    if (cp == null || cp.isBlank()) {
      throw new IllegalStateException(
          "system property batpak.test.classpath is not set; run through Maven");
    }
    cmd.add("-cp");
    cmd.add(cp);
    cmd.add(KillChild.class.getName());
    cmd.add(dir.toString());
    cmd.add(Long.toString(seed));
    return cmd;
  }

  /** Reopens {@code dir} and checks it against every receipt streamed so far. */
  private static int check(
      Path dir, Map<Long, AppendReceipt> acknowledged, Map<Long, FrameLocation> frames) {
    try (Store store = Store.open(StoreConfig.builder(dir).fsBackend("posix").build())) {
      for (AppendReceipt r : acknowledged.values()) {
        ReceiptVerification v = store.verifyReceipt(r);
        assertTrue(v.isValid(), () -> "receipt " + r + " does not verify: " + v);
        assertEquals(
            frames.get(r.globalSequence()),
            FrameLocation.of(store, r.eventId()),
            "the frame of " + r + " stays where it was acknowledged");
        assertArrayEquals(
            KillChild.payload(r.globalSequence()),
            store.get(r.eventId()).payload().toByteArray(),
            "payload of " + r);
      }
      List<EventHeader> all = new ArrayList<>();
      long after = -1;
      for (List<EventHeader> page;
          !(page = store.queryAfter(Region.all(), after, 500)).isEmpty(); ) {
        all.addAll(page);
        after = page.get(page.size() - 1).globalSequence();
      }
      assertEquals(store.stats().eventCount(), all.size(), "event count vs paging");
      Map<String, byte[]> heads = new HashMap<>();
      Map<String, Long> seqs = new HashMap<>();
      for (int g = 0; g < all.size(); g++) {
        EventHeader e = all.get(g);
        assertEquals(g, e.globalSequence(), "global sequence is dense");
        assertEquals(KillChild.coordinate(g), e.coordinate(), "coordinate of " + g);
        assertArrayEquals(
            KillChild.payload(g),
            store.get(e.eventId()).payload().toByteArray(),
            "payload of " + g);
        String entity = e.coordinate().entity();
        assertEquals(seqs.getOrDefault(entity, 0L), e.streamSequence(), "stream sequence");
        assertArrayEquals(
            heads.getOrDefault(entity, new byte[32]),
            e.prevHash().toByteArray(),
            "chain of " + entity + " at " + e.streamSequence());
        heads.put(entity, e.eventHash().toByteArray());
        seqs.put(entity, e.streamSequence() + 1);
        AppendReceipt self = e.toReceipt();
        ReceiptVerification v = store.verifyReceipt(self);
        assertTrue(v.isValid(), () -> "event " + e.globalSequence() + " does not verify: " + v);
      }
      return all.size();
    }
  }

  private static AppendReceipt parse(String line) {
    String[] f = line.split(" ");
    return new AppendReceipt(
        EventId.parse(f[2]),
        Long.parseLong(f[1]),
        Long.parseLong(f[3]),
        Bytes.fromHex(f[7]),
        Bytes.fromHex(f[8]),
        Bytes.fromHex(f[9]));
  }

  private static FrameLocation frameOf(String line) {
    String[] f = line.split(" ");
    return new FrameLocation(Long.parseLong(f[4]), Long.parseLong(f[5]), Integer.parseInt(f[6]));
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }

  /**
   * Reads whole lines only: a last line without its newline (the child died mid-write) is dropped.
   */
  static final class LineReader {
    private final Reader in;
    private final StringBuilder current = new StringBuilder();
    boolean partial;

    LineReader(Reader in) {
      this.in = in;
    }

    String next() throws IOException {
      int c;
      while ((c = in.read()) >= 0) {
        if (c == '\n') {
          String line = current.toString();
          current.setLength(0);
          return line;
        }
        current.append((char) c);
      }
      partial = current.length() > 0;
      return null;
    }
  }
}
