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
}
