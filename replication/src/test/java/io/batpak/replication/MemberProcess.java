package io.batpak.replication;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.StoreConfig;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One member as its own process, for {@link ProcessKillTest}: {@code MemberProcess <id> <group>
 * <home> <peer>...} where each peer is {@code id@host:port}. It prints {@code READY}, then answers
 * one line per command read from stdin: {@code append <op> <entity>} (answers {@code ok <op>
 * <global> <eventId> <hash>}, {@code fail <op>} or {@code info <op> <why>}), {@code leader} ({@code
 * leader true|false}) and {@code dump} (a read barrier, then {@code event <global> <eventId>
 * <entity> <streamSeq> <hash>} lines and {@code end}).
 */
public final class MemberProcess {
  static final EventKind KIND = EventKind.custom(1, 5);

  private MemberProcess() {}

  public static void main(String[] args) throws Exception {
    String id = args[0];
    UUID group = UUID.fromString(args[1]);
    Path home = Path.of(args[2]);
    List<ReplicationConfig.Peer> peers = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      String[] idAndAddress = args[i].split("@");
      String[] hostAndPort = idAndAddress[1].split(":");
      peers.add(
          new ReplicationConfig.Peer(
              idAndAddress[0], hostAndPort[0], Integer.parseInt(hostAndPort[1])));
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    StoreConfig store =
        StoreConfig.builder(home.resolve("store")).visible(64, Duration.ofMillis(50)).build();
    try (ReplicatedStore member =
        ReplicatedStore.start(
            new ReplicationConfig(
                id, peers, group, home.resolve("raft"), store, Duration.ofSeconds(20)))) {
      out.println("READY");
      BufferedReader in =
          new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
      for (String line; (line = in.readLine()) != null; ) {
        String[] cmd = line.split(" ");
        if (cmd[0].equals("append")) {
          out.println(append(member, Long.parseLong(cmd[1]), cmd[2]));
        } else if (cmd[0].equals("leader")) {
          out.println("leader " + member.isLeader());
        } else if (cmd[0].equals("dump")) {
          member.awaitLeaderHead(Duration.ofSeconds(60));
          for (EventHeader h : Cluster.all(member)) {
            out.println(
                "event "
                    + h.globalSequence()
                    + " "
                    + h.eventId()
                    + " "
                    + h.entity()
                    + " "
                    + h.streamSequence()
                    + " "
                    + h.eventHash().toHex());
          }
          out.println("end");
        } else {
          out.println("unknown command " + line);
        }
      }
    }
  }

  private static String append(ReplicatedStore member, long op, String entity) {
    try {
      AppendReceipt r =
          member.append(
              Coordinate.of(entity, "kill"),
              KIND,
              Bytes.utf8("op " + op),
              AppendOptions.defaults().withIdempotencyKey(IdempotencyKey.of(0xB0B, op)));
      return "ok "
          + op
          + " "
          + r.globalSequence()
          + " "
          + r.eventId()
          + " "
          + r.eventHash().toHex();
    } catch (ConcurrencyConflictException e) {
      return "fail " + op;
    } catch (RuntimeException e) {
      return "info " + op + " " + String.valueOf(e.getMessage()).replace('\n', ' ');
    }
  }
}
