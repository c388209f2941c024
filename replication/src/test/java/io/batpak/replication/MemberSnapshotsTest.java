package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.OpenReport;
import io.batpak.Store;
import io.batpak.StoreConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.server.protocol.TermIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A member's snapshot files (ADR 0038) without Ratis: what a snapshot holds, that sealed segments
 * are shared byte for byte (never re-encoded), that the index checkpoint ships, that torn or edited
 * snapshots are never believed, that an install swaps the store in whole, and that an interrupted
 * swap is finished or undone on the next start.
 */
class MemberSnapshotsTest {
  private static final long SEGMENT = 4096;

  private static StoreConfig config(Path dir) {
    // Periodic checkpoints (at least 4 KiB of journal apart), so a snapshot has one to carry.
    return StoreConfig.builder(dir).segmentMaxBytes(SEGMENT).checkpointEveryBytes(4096).build();
  }

  /** A store with {@code n} events over several segments; returns the newest receipt. */
  private static AppendReceipt fill(Store s, int n) {
    AppendReceipt last = null;
    for (int i = 0; i < n; i++) {
      last =
          s.append(
              Coordinate.of("e-" + (i % 5), "s"),
              EventKind.custom(1, 2),
              Bytes.utf8("event number " + i + " with some padding to fill segments quickly"));
    }
    return last;
  }

  private static ReplicaHead headOf(AppendReceipt r, long index) {
    return new ReplicaHead(index, r.globalSequence() + 1, r.eventHash());
  }

  private static MemberSnapshots.Snapshot take(
      MemberSnapshots snaps, Store s, long term, long index, ReplicaHead head) throws IOException {
    return snaps.take(s, TermIndex.valueOf(term, index), head);
  }

  @Test
  void aSnapshotSharesSealedSegmentsAndShipsTheIndexCheckpoint(@TempDir Path dir)
      throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    snaps.initAt(dir.resolve("sm"));
    try (Store s = Store.open(config(dir.resolve("store")))) {
      AppendReceipt last = fill(s, 200);
      MemberSnapshots.Snapshot snap = take(snaps, s, 3, 42, headOf(last, 42));
      assertEquals(dir.resolve("sm").resolve("snapshot.3_42"), snap.dir());
      assertEquals(snap.dir(), snaps.latest().dir());
      List<String> names = snap.files().stream().map(MemberSnapshots.StoreFile::path).toList();
      assertTrue(names.contains("index.ckpt"), "the index checkpoint ships: " + names);
      assertEquals(
          Files.getAttribute(dir.resolve("store").resolve("index.ckpt"), "unix:ino"),
          Files.getAttribute(snap.store().resolve("index.ckpt"), "unix:ino"),
          "the member's own checkpoint is shared, not written again for the snapshot");
      List<String> segments =
          names.stream().filter(n -> n.matches("\\d{10}\\.seg")).sorted().toList();
      assertTrue(segments.size() >= 3, "several segments: " + names);
      // Sealed segments are the source's bytes, shared by hard link, never re-encoded.
      String sealed = segments.get(0);
      Path source = dir.resolve("store").resolve(sealed);
      Path shipped = snap.store().resolve(sealed);
      assertEquals(-1, Files.mismatch(source, shipped), sealed + " differs from the source");
      assertEquals(
          Files.getAttribute(source, "unix:ino"),
          Files.getAttribute(shipped, "unix:ino"),
          sealed + " was copied, not shared");
      // What Ratis ships: the meta file and every store file.
      assertEquals(names.size() + 1, snap.info().getFiles().size());
      assertEquals(42, snap.info().getIndex());

      MemberSnapshots.Snapshot read = MemberSnapshots.read(snap.dir(), true);
      assertEquals(snap, read);
      // A second take at the same index reuses the snapshot on disk.
      assertEquals(snap, take(snaps, s, 3, 42, headOf(last, 42)));
    }
  }

  @Test
  void anInstallSwapsInTheSnapshotsStoreWhole(@TempDir Path dir) throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    snaps.initAt(dir.resolve("sm"));
    List<EventHeader> expected;
    MemberSnapshots.Snapshot snap;
    try (Store s = Store.open(config(dir.resolve("source")))) {
      AppendReceipt last = fill(s, 150);
      snap = take(snaps, s, 1, 150, headOf(last, 150));
      expected = Cluster.all(s);
    }
    Path member = dir.resolve("member");
    try (Store old = Store.open(config(member))) {
      fill(old, 3); // an older journal the install replaces
    }
    SnapshotInstall.installInto(snap, member);
    assertFalse(Files.exists(dir.resolve("member.snapshot-install")));
    assertFalse(Files.exists(dir.resolve("member.snapshot-replaced")));
    try (Store installed = Store.open(config(member))) {
      OpenReport.IndexLoad load = installed.openReport().indexLoad();
      assertEquals(OpenReport.IndexSource.CHECKPOINT, load.source(), "opens from the carried one");
      assertEquals(List.of(), load.distrusted());
      assertEquals(expected, Cluster.all(installed));
      installed.append(Coordinate.of("after", "s"), EventKind.custom(1, 2), Bytes.utf8("more"));
    }
    // The store went on writing; the snapshot it came from is unchanged.
    SnapshotInstall.verifyAndSync(MemberSnapshots.read(snap.dir(), true));
  }

  @Test
  void aTornOrEditedSnapshotIsNeverBelieved(@TempDir Path dir) throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    Path sm = dir.resolve("sm");
    snaps.initAt(sm);
    MemberSnapshots.Snapshot older;
    MemberSnapshots.Snapshot newer;
    try (Store s = Store.open(config(dir.resolve("store")))) {
      AppendReceipt a = fill(s, 60);
      older = take(snaps, s, 1, 60, headOf(a, 60));
      AppendReceipt b = fill(s, 60);
      newer = take(snaps, s, 1, 120, headOf(b, 120));
    }
    // An unfinished build is removed on the next scan.
    Files.createDirectories(sm.resolve("snapshot.1_500.tmp").resolve("store"));
    assertEquals(newer.dir(), snaps.reload().dir());
    assertFalse(Files.exists(sm.resolve("snapshot.1_500.tmp")));

    // A meta file edited by one character fails its own CRC: the older snapshot is the latest.
    Path meta = newer.dir().resolve(MemberSnapshots.META);
    String text = Files.readString(meta, StandardCharsets.UTF_8);
    Files.writeString(meta, text.replace("index 120", "index 121"), StandardCharsets.UTF_8);
    IOException edited =
        assertThrows(IOException.class, () -> MemberSnapshots.read(newer.dir(), false));
    assertTrue(edited.getMessage().contains("fails its CRC"), edited.getMessage());
    assertEquals(older.dir(), snaps.reload().dir());
    Files.writeString(meta, text, StandardCharsets.UTF_8);

    // A store file cut short, or with a flipped byte, names the file.
    MemberSnapshots.StoreFile seg =
        newer.files().stream().filter(f -> f.path().endsWith(".seg")).findFirst().orElseThrow();
    Path file = newer.store().resolve(seg.path());
    byte[] bytes = Files.readAllBytes(file);
    // The older snapshot shares this sealed segment by hard link: damage a private copy only.
    Files.delete(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 1));
    IOException cut =
        assertThrows(IOException.class, () -> MemberSnapshots.read(newer.dir(), false));
    assertTrue(cut.getMessage().contains(seg.path()), cut.getMessage());
    assertEquals(older.dir(), snaps.reload().dir());
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 1;
    Files.write(file, flipped);
    assertEquals(newer.dir(), snaps.reload().dir(), "sizes match: the scan believes it");
    IOException crc = assertThrows(IOException.class, () -> SnapshotInstall.verifyAndSync(newer));
    assertTrue(crc.getMessage().contains(seg.path() + " fails its CRC-32C"), crc.getMessage());

    // No meta file at all: not a snapshot.
    Files.delete(meta);
    assertEquals(older.dir(), snaps.reload().dir());
    Files.delete(older.dir().resolve(MemberSnapshots.META));
    assertNull(snaps.reload());
  }

  /**
   * Past a damaged newest snapshot the member falls back to the older one only while its Raft log
   * holds the entry after it (or holds nothing, and the leader sends what follows); a log purged
   * past it is refused at start, naming the damaged snapshot and the gap.
   */
  @Test
  void aFallbackPastADamagedSnapshotIsRefusedOnlyWhenTheLogCannotFollowIt(@TempDir Path dir)
      throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    Path sm = dir.resolve("sm");
    snaps.initAt(sm);
    MemberSnapshots.Snapshot older;
    MemberSnapshots.Snapshot newer;
    try (Store s = Store.open(config(dir.resolve("store")))) {
      older = take(snaps, s, 1, 60, headOf(fill(s, 60), 60));
      newer = take(snaps, s, 1, 120, headOf(fill(s, 60), 120));
    }
    Path meta = newer.dir().resolve(MemberSnapshots.META);
    Files.writeString(meta, "garbage", StandardCharsets.UTF_8);
    assertEquals(older.dir(), snaps.reload().dir());

    Path log = dir.resolve("current");
    snaps.refuseAFallbackTheLogCannotFollow(log); // no log directory
    Files.createDirectories(log);
    snaps.refuseAFallbackTheLogCannotFollow(log); // no segment in it
    Files.createFile(log.resolve("log_0-40"));
    Files.createFile(log.resolve("log_inprogress_41"));
    snaps.refuseAFallbackTheLogCannotFollow(log); // the log holds entry 61
    Files.delete(log.resolve("log_0-40"));
    Files.delete(log.resolve("log_inprogress_41"));
    Files.createFile(log.resolve("log_inprogress_61"));
    snaps.refuseAFallbackTheLogCannotFollow(log); // it starts at entry 61, exactly
    Files.delete(log.resolve("log_inprogress_61"));
    Files.createFile(log.resolve("log_121-140"));
    Files.createFile(log.resolve("log_inprogress_141"));
    ReplicaStoppedException refused =
        assertThrows(
            ReplicaStoppedException.class, () -> snaps.refuseAFallbackTheLogCannotFollow(log));
    assertTrue(
        refused.getMessage().contains("its newest snapshot " + newer.dir() + " (Raft index 120)")
            && refused.getMessage().contains("starts at index 121")
            && refused.getMessage().contains("the older snapshot " + older.dir()),
        refused.getMessage());
  }

  @Test
  void oldSnapshotsAreRemovedBeyondTheRetainedCount(@TempDir Path dir) throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    snaps.initAt(dir.resolve("sm"));
    List<MemberSnapshots.Snapshot> taken = new ArrayList<>();
    try (Store s = Store.open(config(dir.resolve("store")))) {
      for (int i = 1; i <= 4; i++) {
        AppendReceipt r = fill(s, 10);
        taken.add(take(snaps, s, 1, 10L * i, headOf(r, 10L * i)));
        snaps.cleanupOldSnapshots(null);
      }
    }
    assertFalse(Files.exists(taken.get(0).dir()));
    assertFalse(Files.exists(taken.get(1).dir()));
    assertTrue(Files.exists(taken.get(2).dir()));
    assertTrue(Files.exists(taken.get(3).dir()));
    assertEquals(taken.get(3).dir(), snaps.reload().dir());
  }

  @Test
  void anInterruptedSwapIsFinishedOrUndoneOnStart(@TempDir Path dir) throws IOException {
    Path store = dir.resolve("store");
    Path building = dir.resolve("store.snapshot-install");
    Path replaced = dir.resolve("store.snapshot-replaced");
    List<EventHeader> before;
    try (Store s = Store.open(config(store))) {
      fill(s, 20);
      before = Cluster.all(s);
    }
    assertNull(SnapshotInstall.recoverSwap(store), "nothing to do");

    // Crash while the copy was being built: the build is removed, the store is untouched.
    Files.createDirectories(building);
    Files.writeString(building.resolve("0000000001.seg"), "half");
    assertNotNull(SnapshotInstall.recoverSwap(store));
    assertFalse(Files.exists(building));

    // Crash between the two renames: the old store goes back.
    Files.move(store, replaced);
    Files.createDirectories(building);
    String said = SnapshotInstall.recoverSwap(store);
    assertTrue(said.contains("old store is back"), said);
    assertFalse(Files.exists(building));
    assertFalse(Files.exists(replaced));

    // Crash after the second rename, before the replaced store was removed.
    Files.createDirectories(replaced);
    assertNotNull(SnapshotInstall.recoverSwap(store));
    assertFalse(Files.exists(replaced));
    try (Store s = Store.open(config(store))) {
      assertEquals(before, Cluster.all(s));
    }
  }

  @Test
  void aSharedSegmentKeepsTheCrcItWasFirstRecordedWithSoALaterChangeIsCaughtNotBlessed(
      @TempDir Path dir) throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    snaps.initAt(dir.resolve("sm"));
    try (Store s = Store.open(config(dir.resolve("store")))) {
      MemberSnapshots.Snapshot first = take(snaps, s, 1, 10, headOf(fill(s, 200), 10));
      MemberSnapshots.Snapshot second = take(snaps, s, 1, 20, headOf(fill(s, 200), 20));
      assertEquals(second, MemberSnapshots.read(second.dir(), true), "every CRC checks");
      MemberSnapshots.StoreFile shared =
          first.files().stream().filter(f -> f.path().matches("\\d{10}\\.seg")).findFirst().get();
      assertTrue(
          Files.isSameFile(
              first.store().resolve(shared.path()), second.store().resolve(shared.path())),
          shared.path() + " is shared by both snapshots");
      assertTrue(second.files().contains(shared), "the second records the first's CRC");

      // The store's sealed segment is the same file as both snapshots' copies: a change to its
      // bytes after the first snapshot recorded them is caught by the next snapshot's check.
      Path segment = dir.resolve("store").resolve(shared.path());
      byte[] bytes = Files.readAllBytes(segment);
      bytes[bytes.length / 2] ^= 0x5a;
      try (java.nio.channels.FileChannel ch =
          java.nio.channels.FileChannel.open(segment, java.nio.file.StandardOpenOption.WRITE)) {
        ch.write(java.nio.ByteBuffer.wrap(bytes), 0);
      }
      MemberSnapshots.Snapshot third = take(snaps, s, 1, 30, headOf(fill(s, 10), 30));
      assertTrue(third.files().contains(shared), "the recorded CRC is kept, not re-read");
      IOException e =
          assertThrows(IOException.class, () -> MemberSnapshots.read(third.dir(), true));
      assertTrue(e.getMessage().contains(shared.path()), e.getMessage());
    }
  }

  @Test
  void aBuildThatFailsPublishesNothingAndLeavesNoBuildBehind(@TempDir Path dir) throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    snaps.initAt(dir.resolve("sm"));
    try (Store s = Store.open(config(dir.resolve("store")))) {
      MemberSnapshots.Snapshot before = take(snaps, s, 1, 10, headOf(fill(s, 50), 10));
      MemberSnapshots.Cut cut = snaps.cut(s, TermIndex.valueOf(1, 20), headOf(fill(s, 50), 20));
      assertNotNull(cut);
      assertTrue(Files.isDirectory(cut.tmp().resolve(MemberSnapshots.STORE)), "the fork is cut");
      // A directory where the meta file goes: writing it fails, as on a full or broken disk.
      Files.createDirectory(cut.tmp().resolve(MemberSnapshots.META));
      IOException e = assertThrows(IOException.class, () -> snaps.finish(cut));
      assertTrue(e.getMessage().contains(MemberSnapshots.META), e.getMessage());
      assertFalse(Files.exists(cut.tmp()), "the failed build is removed");
      assertFalse(Files.exists(cut.target()), "nothing is published");
      assertEquals(before, snaps.latest());
      assertEquals(before, snaps.reload());
    }
  }

  @Test
  void aBuildThatFinishesAfterANewerOneNeverReplacesIt(@TempDir Path dir) throws IOException {
    MemberSnapshots snaps = new MemberSnapshots("n1", 2);
    snaps.initAt(dir.resolve("sm"));
    try (Store s = Store.open(config(dir.resolve("store")))) {
      MemberSnapshots.Cut older = snaps.cut(s, TermIndex.valueOf(1, 10), headOf(fill(s, 50), 10));
      MemberSnapshots.Cut newer = snaps.cut(s, TermIndex.valueOf(1, 20), headOf(fill(s, 50), 20));
      MemberSnapshots.Snapshot n = snaps.finish(newer);
      MemberSnapshots.Snapshot o = snaps.finish(older);
      assertEquals(n, snaps.latest(), "the newer snapshot stays the latest");
      assertEquals(o, MemberSnapshots.read(o.dir(), true), "the older one is whole on disk");
      assertEquals(n, snaps.reload());
    }
  }
}
