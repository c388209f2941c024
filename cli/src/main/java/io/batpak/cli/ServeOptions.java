package io.batpak.cli;

import io.batpak.Durability;
import io.batpak.ValidationException;
import io.batpak.replication.ReplicationConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The parsed command line of {@code batpak serve}, checked before anything starts: every value that
 * cannot work is a {@link UsageException} naming it, why, and what to give instead.
 *
 * @param id this member's id, one of {@code peers}
 * @param peers the group's members in the order given
 * @param dir the member's directory: its store in {@code dir/store}, its Raft log in {@code
 *     dir/raft}
 * @param group the Raft group id given with {@code --group}, or null to use the one in {@code
 *     dir/raft} (or the default group on a new directory)
 * @param join whether this member joins a running group ({@code --join})
 * @param durability the local store's durability
 * @param timeout how long an append or a read barrier waits for the leader
 * @param fs the local store's filesystem backend by name, or null for the best available one
 * @param console whether stdin is read as console lines ({@code --console})
 */
record ServeOptions(
    String id,
    List<ReplicationConfig.Peer> peers,
    Path dir,
    @Nullable UUID group,
    boolean join,
    Durability durability,
    Duration timeout,
    @Nullable String fs,
    boolean console) {

  static final String ID = "--id";
  static final String PEERS = "--peers";
  static final String DIR = "--dir";
  static final String GROUP = "--group";
  static final String JOIN = "--join";
  static final String DURABILITY = "--durability";
  static final String TIMEOUT = "--timeout";
  static final String FS = "--fs";
  static final String CONSOLE = "--console";

  /** The group a new member directory joins when {@code --group} is not given. */
  static final UUID DEFAULT_GROUP = UUID.fromString("00000000-0000-4000-8000-00000000ba7c");

  /** The seconds {@code --timeout} defaults to. */
  static final long DEFAULT_TIMEOUT_SECONDS = 20;

  /** Parses and checks {@code args}. */
  static ServeOptions parse(Args args) throws UsageException {
    args.expectPositionals(0, 0, "no positional arguments (options only)");
    String id = required(args, ID, "this member's id, e.g. --id n1");
    List<ReplicationConfig.Peer> peers =
        parsePeers(
            required(
                args, PEERS, "every member as id=host:port, e.g. --peers n1=127.0.0.1:7001,..."));
    boolean join = args.has(JOIN);
    if (peers.stream().noneMatch(p -> p.id().equals(id))) {
      throw new UsageException(
          "member '"
              + id
              + "' ("
              + ID
              + ") is not in "
              + PEERS
              + " "
              + ids(peers)
              + (join
                  ? "; a joining member lists the group as it will be with itself, so add "
                      + id
                      + "=HOST:PORT (the address it listens on)"
                  : "; add "
                      + id
                      + "=HOST:PORT to "
                      + PEERS
                      + ", or give the id of one of the listed members"));
    }
    Path dir = directory(required(args, DIR, "the member's directory, e.g. --dir n1-data"));
    UUID group = null;
    if (args.value(GROUP).isPresent()) {
      group = uuid(args.value(GROUP).get());
    }
    Durability durability = Durability.VISIBLE;
    if (args.value(DURABILITY).isPresent()) {
      String d = args.value(DURABILITY).get();
      if (d.equals("visible")) {
        durability = Durability.VISIBLE;
      } else if (d.equals("durable")) {
        durability = Durability.DURABLE;
      } else {
        throw new UsageException(
            "option "
                + DURABILITY
                + " is 'visible' or 'durable', got '"
                + d
                + "'; 'visible' is the default (the Raft log is the durable copy)");
      }
    }
    long seconds = args.longValue(TIMEOUT, 1).orElse(DEFAULT_TIMEOUT_SECONDS);
    String fs = args.value(FS).orElse(null);
    if (fs != null && fs.isBlank()) {
      throw new UsageException(
          "option " + FS + " is empty; name a backend such as posix or nio, or leave it out");
    }
    return new ServeOptions(
        id,
        peers,
        dir,
        group,
        join,
        durability,
        Duration.ofSeconds(seconds),
        fs,
        args.has(CONSOLE));
  }

  /** The member's store directory. */
  Path storeDirectory() {
    return dir.resolve("store");
  }

  /** The member's Raft directory. */
  Path raftDirectory() {
    return dir.resolve("raft");
  }

  /**
   * The group to serve: {@code --group}, else the one group {@code dir/raft} holds, else {@link
   * #DEFAULT_GROUP}. A {@code --group} that differs from the group in the directory is refused: a
   * second group in one member directory would start as a new, empty member.
   */
  UUID resolveGroup() throws UsageException {
    List<UUID> existing = groupsIn(raftDirectory());
    if (existing.size() > 1) {
      throw new UsageException(
          raftDirectory()
              + " holds the logs of several Raft groups "
              + existing
              + "; give one member directory per group, or name the group with "
              + GROUP);
    }
    if (group == null) {
      return existing.isEmpty() ? DEFAULT_GROUP : existing.get(0);
    }
    if (!existing.isEmpty() && !existing.get(0).equals(group)) {
      throw new UsageException(
          GROUP
              + " "
              + group
              + " differs from group "
              + existing.get(0)
              + " whose log is in "
              + raftDirectory()
              + "; give "
              + GROUP
              + " "
              + existing.get(0)
              + " (or leave it out), or use a new --dir for the other group");
    }
    return group;
  }

  /** Whether {@code dir/raft} holds this group's log already (the member ran before). */
  boolean hasLog(UUID groupId) {
    return Files.isDirectory(raftDirectory().resolve(groupId.toString()));
  }

  /**
   * Parses {@code id=host:port[,id=host:port...]}: each id valid and once, each address a host and
   * a port in 1..65535, and no address twice.
   */
  static List<ReplicationConfig.Peer> parsePeers(String text) throws UsageException {
    List<ReplicationConfig.Peer> peers = new ArrayList<>();
    Map<String, String> byAddress = new HashMap<>();
    for (String entry : text.split(",", -1)) {
      String e = entry.strip();
      int eq = e.indexOf('=');
      if (eq < 0) {
        throw new UsageException(
            PEERS + " entry '" + e + "' is not id=host:port; write it like n1=127.0.0.1:7001");
      }
      String id = e.substring(0, eq);
      String address = e.substring(eq + 1);
      int colon = address.lastIndexOf(':');
      if (colon <= 0 || colon == address.length() - 1) {
        throw new UsageException(
            PEERS
                + " entry '"
                + e
                + "' has no host:port after the '='; write it like "
                + (id.isEmpty() ? "n1" : id)
                + "=127.0.0.1:7001");
      }
      String host = address.substring(0, colon);
      String portText = address.substring(colon + 1);
      int port;
      try {
        port = Integer.parseInt(portText);
      } catch (NumberFormatException x) {
        throw new UsageException(
            PEERS + " entry '" + e + "' has port '" + portText + "', which is not a number");
      }
      if (port < 1 || port > 65535) {
        throw new UsageException(
            PEERS + " entry '" + e + "' has port " + port + ", outside 1..65535; pick a free port");
      }
      ReplicationConfig.Peer peer;
      try {
        peer = new ReplicationConfig.Peer(id, host, port);
      } catch (ValidationException x) {
        throw new UsageException(PEERS + " entry '" + e + "': " + x.getMessage());
      }
      for (ReplicationConfig.Peer p : peers) {
        if (p.id().equals(id)) {
          throw new UsageException(
              PEERS + " names member '" + id + "' twice; give every member a distinct id");
        }
      }
      String other = byAddress.put(peer.address().toLowerCase(Locale.ROOT), id);
      if (other != null) {
        throw new UsageException(
            PEERS
                + " gives members '"
                + other
                + "' and '"
                + id
                + "' the same address "
                + peer.address()
                + "; every member listens on its own port");
      }
      peers.add(peer);
    }
    return peers;
  }

  private static String required(Args args, String option, String what) throws UsageException {
    Optional<String> v = args.value(option);
    if (v.isEmpty()) {
      throw new UsageException(
          "'batpak serve' needs " + option + ": " + what + "; see 'batpak serve --help'");
    }
    return v.get();
  }

  private static Path directory(String argument) throws UsageException {
    if (argument.isBlank()) {
      throw new UsageException("option " + DIR + " is empty; give the member's directory");
    }
    Path dir = Paths.get(argument).toAbsolutePath().normalize();
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new UsageException(
          dir + " (" + DIR + ") is a file; give a directory (it is created when missing)");
    }
    // A store's own data directory (one 'batpak demo' made, or a member's DIR/store) is not a
    // member's directory: serving it would start a new, empty store in DIR/store beside it.
    if (Files.isDirectory(dir)) {
      try {
        if (CommandSupport.holdsSegments(dir)) {
          throw new UsageException(
              dir
                  + " ("
                  + DIR
                  + ") holds a store's segment files itself; a member keeps its store in"
                  + " DIR/store and its Raft log in DIR/raft, so serving it would start a new,"
                  + " empty store beside them. Give a new directory, or the member's directory"
                  + " (the parent of its store)");
        }
      } catch (IOException e) {
        throw new UsageException(
            "cannot list " + dir + " (" + DIR + "): " + e.getMessage() + "; give a readable one");
      }
    }
    return dir;
  }

  private static UUID uuid(String text) throws UsageException {
    try {
      UUID u = UUID.fromString(text);
      if (u.toString().equals(text.toLowerCase(Locale.ROOT))) {
        return u;
      }
    } catch (IllegalArgumentException e) {
      // reported below
    }
    throw new UsageException(
        "option "
            + GROUP
            + " needs a UUID such as "
            + DEFAULT_GROUP
            + ", got '"
            + text
            + "'; every member of a group uses the same one");
  }

  /** The group ids whose logs {@code raftDir} holds (its subdirectories named by a UUID). */
  private static List<UUID> groupsIn(Path raftDir) throws UsageException {
    List<UUID> groups = new ArrayList<>();
    if (!Files.isDirectory(raftDir)) {
      return groups;
    }
    try (Stream<Path> children = Files.list(raftDir)) {
      for (Path child : (Iterable<Path>) children::iterator) {
        if (Files.isDirectory(child)) {
          try {
            groups.add(UUID.fromString(child.getFileName().toString()));
          } catch (IllegalArgumentException e) {
            // not a group's directory (Ratis keeps only group directories here)
          }
        }
      }
    } catch (IOException e) {
      throw new UsageException("cannot list " + raftDir + ": " + e.getMessage());
    }
    groups.sort(null);
    return groups;
  }

  private static List<String> ids(List<ReplicationConfig.Peer> peers) {
    return peers.stream().map(ReplicationConfig.Peer::id).toList();
  }
}
