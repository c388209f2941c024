package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.util.TimeDuration;
import org.junit.jupiter.api.Test;

/** Each bad setting is refused with a message naming the value. */
class ReplicationConfigTest {
  private static final Path HOME = Path.of("/tmp/never-created-by-this-test");
  private static final List<ReplicationConfig.Peer> PEERS =
      List.of(
          new ReplicationConfig.Peer("n1", "127.0.0.1", 9001),
          new ReplicationConfig.Peer("n2", "127.0.0.1", 9002));

  private static ReplicationConfig config(
      String id, List<ReplicationConfig.Peer> peers, Path raft, Duration timeout) {
    return new ReplicationConfig(
        id,
        peers,
        UUID.randomUUID(),
        raft,
        StoreConfig.builder(HOME.resolve("store")).build(),
        timeout);
  }

  private static void refused(Runnable r, String expected) {
    ValidationException e = assertThrows(ValidationException.class, r::run);
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void theRaftLogIsFlushedBeforeAnEntryCounts() {
    RaftProperties props =
        ReplicatedStore.properties(
            config("n1", PEERS, HOME.resolve("raft"), Duration.ofSeconds(5)));
    assertFalse(RaftServerConfigKeys.Log.unsafeFlushEnabled(props), "unsafe flush");
    assertFalse(RaftServerConfigKeys.Log.asyncFlushEnabled(props), "async flush");
  }

  @Test
  void anEntryGoesToTheFollowersWithoutWaitingAfterTheLastCall() {
    RaftProperties props =
        ReplicatedStore.properties(
            config("n1", PEERS, HOME.resolve("raft"), Duration.ofSeconds(5)));
    assertEquals(
        TimeDuration.ZERO, RaftServerConfigKeys.Log.Appender.waitTimeMin(props), "wait-time.min");
  }

  @Test
  void aValidConfigNamesItself() {
    ReplicationConfig c = config("n2", PEERS, HOME.resolve("raft"), Duration.ofSeconds(5));
    assertEquals(PEERS.get(1), c.self());
    assertEquals("127.0.0.1:9002", c.self().address());
  }

  @Test
  void badSettingsAreRefusedByName() {
    refused(
        () -> config("n9", PEERS, HOME.resolve("raft"), Duration.ofSeconds(5)), "'n9' is not in");
    refused(
        () ->
            config(
                "n1",
                List.of(PEERS.get(0), new ReplicationConfig.Peer("n1", "h", 1)),
                HOME.resolve("raft"),
                Duration.ofSeconds(5)),
        "'n1' appears twice");
    refused(() -> config("n1", PEERS, HOME.resolve("store"), Duration.ofSeconds(5)), "both");
    refused(() -> config("n1", PEERS, HOME.resolve("raft"), Duration.ZERO), "PT0S");
    refused( // never an ArithmeticException where the timeout becomes nanoseconds
        () ->
            config(
                "n1",
                PEERS,
                HOME.resolve("raft"),
                java.time.temporal.ChronoUnit.FOREVER.getDuration()),
        "requestTimeout must be positive and at most PT1H");
    refused(
        () ->
            new ReplicationConfig(
                "n1",
                PEERS,
                UUID.randomUUID(),
                HOME.resolve("raft"),
                StoreConfig.builder(HOME.resolve("store")).readOnly(true).build(),
                Duration.ofSeconds(5)),
        "member 'n1' is read-only");
    refused(() -> new ReplicationConfig.Peer("n 1", "h", 1), "'n 1'");
    refused(() -> new ReplicationConfig.Peer("n1", " ", 1), "blank host");
    refused(() -> new ReplicationConfig.Peer("n1", "h", 70000), "port 70000");
  }

  @Test
  void snapshotSettingsReachRatisAndBadOnesAreRefusedByName() {
    ReplicationConfig c = config("n1", PEERS, HOME.resolve("raft"), Duration.ofSeconds(5));
    assertEquals(ReplicationConfig.Snapshots.DEFAULT, c.snapshots());
    RaftProperties on =
        ReplicatedStore.properties(c.withSnapshots(new ReplicationConfig.Snapshots(500, 65536)));
    assertTrue(RaftServerConfigKeys.Snapshot.autoTriggerEnabled(on));
    assertEquals(500, RaftServerConfigKeys.Snapshot.autoTriggerThreshold(on));
    assertTrue(RaftServerConfigKeys.Log.purgeUptoSnapshotIndex(on));
    assertEquals(65536, RaftServerConfigKeys.Log.segmentSizeMax(on).getSize());
    assertEquals(
        BatpakStateMachine.SNAPSHOTS_KEPT, RaftServerConfigKeys.Snapshot.retentionFileNum(on));
    assertFalse(RaftServerConfigKeys.Snapshot.triggerWhenStopEnabled(on), "no snapshot on stop");
    RaftProperties off =
        ReplicatedStore.properties(c.withSnapshots(ReplicationConfig.Snapshots.OFF));
    assertFalse(RaftServerConfigKeys.Snapshot.autoTriggerEnabled(off));
    assertFalse(ReplicationConfig.Snapshots.OFF.enabled());

    refused(() -> new ReplicationConfig.Snapshots(-1, 65536), "everyEntries is -1");
    refused(() -> new ReplicationConfig.Snapshots(10, 100), "raftLogSegmentBytes is 100");
    refused(
        () -> new ReplicationConfig.Snapshots(10, (1L << 30) + 1),
        "raftLogSegmentBytes is 1073741825");
    StoreConfig onSim =
        StoreConfig.builder(HOME.resolve("store")).fs(new io.batpak.fs.sim.SimStoreFs(1)).build();
    refused(
        () ->
            new ReplicationConfig(
                "n1", PEERS, UUID.randomUUID(), HOME.resolve("raft"), onSim, Duration.ofSeconds(5)),
        "SimStoreFs");
    // With snapshots off, a store on a StoreFs instance is accepted.
    new ReplicationConfig(
        "n1",
        PEERS,
        UUID.randomUUID(),
        HOME.resolve("raft"),
        onSim,
        Duration.ofSeconds(5),
        ReplicationConfig.Snapshots.OFF);
  }
}
