package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.batpak.AppendOptions;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.StoreConfig;
import io.batpak.Watermark;
import java.io.IOException;
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
    int port1 = Cluster.freePort(1);
    int port2 = Cluster.freePort(2);
    int port3 = Cluster.freePort(3);
    while (port2 == port1) {
      port2 = Cluster.freePort(4);
    }
    while (port3 == port1 || port3 == port2) {
      port3 = Cluster.freePort(5);
    }
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
}
