package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.AppendOptions;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.StoreConfig;
import io.batpak.Watermark;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sample of replication/README.md, run. */
class ReadmeSampleTest {

  @Test
  void threeMembersInOneJvm(@TempDir Path root) throws IOException {
    int port1 = freePort();
    int port2 = freePort();
    int port3 = freePort();
    List<ReplicatedStore> members = new ArrayList<>();
    try {
      // sample:three-members
      List<ReplicationConfig.Peer> peers =
          List.of(
              new ReplicationConfig.Peer("n1", "127.0.0.1", port1),
              new ReplicationConfig.Peer("n2", "127.0.0.1", port2),
              new ReplicationConfig.Peer("n3", "127.0.0.1", port3));
      UUID group = UUID.randomUUID(); // the same on every member, kept with the peer list
      for (ReplicationConfig.Peer p : peers) {
        Path home = root.resolve(p.id());
        StoreConfig store =
            StoreConfig.builder(home.resolve("store"))
                .visible(64, Duration.ofMillis(50)) // the Raft log is the durable copy
                .build();
        members.add(
            ReplicatedStore.start(
                new ReplicationConfig(
                    p.id(), peers, group, home.resolve("raft"), store, Duration.ofSeconds(30))));
      }
      ReplicatedReceipt r =
          members
              .get(1)
              .appendReplicated(
                  Coordinate.of("order-1", "shop"),
                  EventKind.custom(1, 1),
                  Bytes.utf8("placed"),
                  AppendOptions.defaults());
      members
          .get(2)
          .waitFor(Watermark.VISIBLE, r.receipt().globalSequence(), Duration.ofSeconds(10));
      // end-sample:three-members
      assertEquals(0, r.receipt().globalSequence());
      assertEquals(Bytes.utf8("placed"), members.get(2).get(r.receipt().eventId()).payload());
    } finally {
      for (ReplicatedStore m : members) {
        m.close();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
