package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower's fetch of the leader's snapshot (ADR 0043), without Ratis: the leader's answers come
 * from {@link SnapshotFetch#answer} over its snapshot directory. Every file is synced, and every
 * directory, before the snapshot appears in {@code sm/}; a corrupt chunk, a source that fails part
 * way and a snapshot older than the leader's log publish nothing; the leader answers only for its
 * snapshots' own files.
 */
class SnapshotFetchTest {
  private static final SnapshotFetch.Progress NO_PROGRESS = (bytes, total) -> {};

  @TempDir Path dir;
  private MemberSnapshots leader;
  private MemberSnapshots.Snapshot snap;
  private Path sm;
  private Path tmp;

  @BeforeEach
  void leaderWithASnapshot() throws IOException {
    leader = new MemberSnapshots("n1", 2);
    leader.initAt(dir.resolve("leader-sm"));
    // 40 events of 64 KiB: a newest segment of several chunks, and small files (the index
    // checkpoint, published every 4 KiB of journal and carried into the snapshot) of one.
    StoreConfig config =
        StoreConfig.builder(dir.resolve("leader-store")).checkpointEveryBytes(4096).build();
    try (Store s = Store.open(config)) {
      AppendReceipt last = null;
      byte[] big = new byte[64 * 1024];
      for (int i = 0; i < 40; i++) {
        big[i] = (byte) i;
        last = s.append(Coordinate.of("e-" + (i % 3), "s"), EventKind.custom(1, 2), Bytes.of(big));
      }
      snap =
          leader.take(
              s,
              TermIndex.valueOf(2, 77),
              new ReplicaHead(77, last.globalSequence() + 1, last.eventHash()));
    }
    sm = Files.createDirectories(dir.resolve("follower").resolve("sm"));
    tmp = Files.createDirectories(dir.resolve("follower").resolve("tmp"));
  }

  private byte[] ask(byte[] query) throws IOException {
    return SnapshotFetch.answer(leader, query);
  }

  /** Fetches from {@code source} into {@code sm/}, 50 bytes a chunk, syncing for real. */
  private MemberSnapshots.Snapshot fetchFrom(SnapshotFetch.Source source) throws IOException {
    return SnapshotFetch.fetch(source, sm, tmp, 50, MemberSnapshots::fsync, NO_PROGRESS);
  }

  /** Something a test does to the leader, which may fail like the leader would. */
  private interface LeaderAction {
    void run() throws IOException;
  }

  /** The leader, but {@code before} runs before it answers chunk query number {@code n}. */
  private SnapshotFetch.Source leaderWithChunk(int n, LeaderAction before) {
    AtomicInteger chunks = new AtomicInteger();
    return q -> {
      if (q[1] == SnapshotFetch.QUERY_CHUNK && chunks.incrementAndGet() == n) {
        before.run();
      }
      return ask(q);
    };
  }

  private static List<Path> filesUnder(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).sorted().toList();
    }
  }

  @Test
  void everyFileAndDirectoryIsSyncedBeforeTheSnapshotAppearsInSm() throws IOException {
    Path target = sm.resolve(snap.dir().getFileName());
    assertTrue(
        snap.files().stream().anyMatch(f -> f.size() > SnapshotFetch.CHUNK_BYTES),
        "a file of several chunks: " + snap.files());
    List<String> syncs = new ArrayList<>();
    List<long[]> progress = new ArrayList<>();
    Set<Path> syncedFiles = new HashSet<>();
    MemberSnapshots.Snapshot got =
        SnapshotFetch.fetch(
            this::ask,
            sm,
            tmp,
            50,
            (p, directory) -> {
              boolean published = Files.exists(target);
              if (published) {
                // Only the sync of sm/ itself comes after the rename.
                assertEquals(sm, p, "synced after the snapshot appeared: " + p);
              }
              syncs.add((directory ? "dir " : "file ") + p);
              if (!directory) {
                syncedFiles.add(p.getFileName());
              }
              MemberSnapshots.fsync(p, directory);
            },
            (bytes, total) -> progress.add(new long[] {bytes, total}));
    assertEquals("dir " + sm, syncs.get(syncs.size() - 1), "sm/ is synced last");
    // Progress: from 0 to every store byte, never backwards, once per chunk.
    long total = snap.files().stream().mapToLong(MemberSnapshots.StoreFile::size).sum();
    assertEquals(0, progress.get(0)[0]);
    assertEquals(total, progress.get(progress.size() - 1)[0]);
    for (int i = 1; i < progress.size(); i++) {
      assertTrue(progress.get(i)[0] >= progress.get(i - 1)[0], "progress went backwards");
      assertEquals(total, progress.get(i)[1]);
    }
    long chunks =
        snap.files().stream()
            .mapToLong(f -> (f.size() + SnapshotFetch.CHUNK_BYTES - 1) / SnapshotFetch.CHUNK_BYTES)
            .sum();
    assertEquals(1 + chunks, progress.size(), "one report before the first file and per chunk");
    assertEquals(target, got.dir());
    assertEquals(snap.termIndex(), got.termIndex());
    assertEquals(snap.head(), got.head());
    assertEquals(snap.files(), got.files());
    MemberSnapshots.read(target, true); // every size and CRC-32C holds
    for (MemberSnapshots.StoreFile f : snap.files()) {
      assertArrayEquals(
          Files.readAllBytes(snap.store().resolve(f.path())),
          Files.readAllBytes(got.store().resolve(f.path())),
          f.path());
    }
    for (Path p : filesUnder(target)) {
      assertTrue(syncedFiles.contains(p.getFileName()), p + " was never synced");
    }
    assertTrue(syncs.stream().anyMatch(s -> s.startsWith("dir ") && s.endsWith("store")));
    assertEquals(List.of(), filesUnder(tmp), "nothing is left in the temporary directory");
    // A second fetch of the same snapshot finds it whole and writes nothing.
    assertEquals(
        got,
        SnapshotFetch.fetch(
            this::ask,
            sm,
            tmp,
            50,
            (p, d) -> {
              throw new AssertionError("nothing to sync: " + p);
            },
            NO_PROGRESS));
  }

  @Test
  void aCorruptChunkOrASourceThatFailsPartWayPublishesNothing() throws IOException {
    // One flipped byte in one chunk: the CRC check refuses the file.
    AtomicInteger chunks = new AtomicInteger();
    IOException corrupt =
        assertThrows(
            IOException.class,
            () ->
                fetchFrom(
                    q -> {
                      byte[] a = ask(q);
                      if (q[1] == SnapshotFetch.QUERY_CHUNK && chunks.incrementAndGet() == 2) {
                        a[a.length / 2] ^= 1;
                      }
                      return a;
                    }));
    assertTrue(corrupt.getMessage().contains("CRC"), corrupt.getMessage());
    assertEquals(List.of(), filesUnder(sm), "nothing published after a corrupt chunk");

    // The source fails after three chunks (the leader went away).
    assertThrows(
        IOException.class,
        () ->
            fetchFrom(
                leaderWithChunk(
                    4,
                    () -> {
                      throw new IOException("the leader is gone");
                    })));
    assertEquals(List.of(), filesUnder(sm), "nothing published after a failed source");
    assertFalse(filesUnder(tmp).isEmpty(), "the interrupted build is still there");

    // What a crash or a failure left is removed on the next start; a fetch then succeeds.
    SnapshotFetch.removeLeftovers(tmp);
    assertEquals(List.of(), filesUnder(tmp));
    fetchFrom(this::ask);
    MemberSnapshots.read(sm.resolve(snap.dir().getFileName()), true);
  }

  @Test
  void aSnapshotTheLeaderRemovesDuringTheFetchFailsItAndTheNextFetchTakesTheNewerOne()
      throws IOException {
    // After the first chunk the leader takes a newer snapshot and its retention removes the one
    // being fetched.
    MemberSnapshots.Snapshot[] newer = new MemberSnapshots.Snapshot[1];
    IOException gone =
        assertThrows(
            IOException.class,
            () ->
                fetchFrom(
                    leaderWithChunk(
                        2,
                        () -> {
                          newer[0] = takeNewer();
                          MemberSnapshots.deleteTree(snap.dir());
                        })));
    assertTrue(gone.getMessage().contains(snap.dir().getFileName().toString()), gone.getMessage());
    assertEquals(List.of(), filesUnder(sm), "nothing published");

    MemberSnapshots.Snapshot got = fetchFrom(this::ask);
    assertEquals(newer[0].termIndex(), got.termIndex());
    MemberSnapshots.read(got.dir(), true);
  }

  /** The leader appends one more event and snapshots at term 2, index 78. */
  private MemberSnapshots.Snapshot takeNewer() throws IOException {
    try (Store s = Store.open(StoreConfig.builder(dir.resolve("leader-store")).build())) {
      AppendReceipt last =
          s.append(Coordinate.of("e-0", "s"), EventKind.custom(1, 2), Bytes.utf8("one more"));
      return leader.take(
          s,
          TermIndex.valueOf(2, 78),
          new ReplicaHead(78, last.globalSequence() + 1, last.eventHash()));
    }
  }

  @Test
  void aSnapshotOlderThanTheLeadersLogIsRefused() throws IOException {
    IOException e =
        assertThrows(
            IOException.class,
            () -> SnapshotFetch.fetch(this::ask, sm, tmp, 78, MemberSnapshots::fsync, NO_PROGRESS));
    assertTrue(e.getMessage().contains("77"), e.getMessage());
    assertEquals(List.of(), filesUnder(sm));
  }

  @Test
  void theLeaderAnswersOnlyForItsSnapshotsOwnFiles() throws IOException {
    String name = String.valueOf(snap.dir().getFileName());
    String file = "index.ckpt"; // one chunk: the answer is the whole file
    assertTrue(snap.files().stream().anyMatch(f -> f.path().equals(file)), "" + snap.files());
    assertEquals(
        Files.size(snap.store().resolve(file)),
        ask(SnapshotFetch.encodeChunkQuery(name, file, 0, SnapshotFetch.CHUNK_BYTES)).length);
    for (byte[] q :
        List.of(
            SnapshotFetch.encodeChunkQuery(name, "../snapshot.meta", 0, 10),
            SnapshotFetch.encodeChunkQuery(name, "../../leader-store/" + file, 0, 10),
            SnapshotFetch.encodeChunkQuery("../leader-store", file, 0, 10),
            SnapshotFetch.encodeChunkQuery("snapshot.2_76", file, 0, 10),
            SnapshotFetch.encodeChunkQuery(name, file, -1, 10),
            SnapshotFetch.encodeChunkQuery(name, file, 0, SnapshotFetch.CHUNK_BYTES + 1))) {
      assertThrows(IOException.class, () -> ask(q));
    }
    // No snapshot at all (a leader that never took one, asked by a joining member): the answer
    // says so, and the fetch returns nothing and writes nothing.
    MemberSnapshots empty = new MemberSnapshots("n2", 2);
    empty.initAt(dir.resolve("empty-sm"));
    assertNull(
        SnapshotFetch.fetch(
            q -> SnapshotFetch.answer(empty, q), sm, tmp, 0, MemberSnapshots::fsync, NO_PROGRESS));
    assertEquals(List.of(), filesUnder(sm));
    assertEquals(List.of(), filesUnder(tmp));
  }
}
