package io.batpak.replication;

import io.batpak.ValidationException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a member checks before its Raft server starts: that its Raft directory is its own, and that
 * it can listen on its address (Ratis would otherwise fail late, or end the JVM).
 */
final class MemberStartChecks {
  /** The file in a member's Raft directory naming the member whose term and vote it holds. */
  static final String MEMBER_FILE = "batpak-member";

  private MemberStartChecks() {}

  /**
   * Refuses a Raft directory that another member used (its term, vote and log are that member's:
   * started under another id, a copy would vote twice in one term), and marks a new one as this
   * member's ({@value #MEMBER_FILE}, written, synced and renamed into place).
   *
   * @throws ValidationException if the directory belongs to another member
   */
  static void claimRaftDirectory(ReplicationConfig config) {
    Path dir = config.raftDirectory();
    Path file = dir.resolve(MEMBER_FILE);
    try {
      if (Files.exists(file)) {
        String owner = Files.readString(file, java.nio.charset.StandardCharsets.UTF_8).trim();
        if (!owner.equals(config.memberId())) {
          throw new ValidationException(
              "the Raft directory "
                  + dir
                  + " belongs to member '"
                  + owner
                  + "' (its term, vote and log are that member's); start member '"
                  + owner
                  + "' on it, or give member '"
                  + config.memberId()
                  + "' a directory of its own");
        }
        return;
      }
      Files.createDirectories(dir);
      Path tmp = dir.resolve(MEMBER_FILE + ".tmp");
      Files.writeString(tmp, config.memberId() + "\n", java.nio.charset.StandardCharsets.UTF_8);
      MemberSnapshots.fsync(tmp, false);
      Files.move(
          tmp,
          file,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      MemberSnapshots.fsync(dir, true);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "member " + config.memberId() + " could not claim its Raft directory " + dir + ": " + e,
          e);
    }
  }

  /**
   * Refuses to start when this member cannot listen on its address (a port in use, an address not
   * this machine's, a host that does not resolve), with a message that names it, before Ratis
   * tries.
   */
  static void requireListenable(ReplicationConfig config) {
    ReplicationConfig.Peer self = config.self();
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(self.host(), self.port()));
    } catch (IOException | RuntimeException e) {
      throw new UncheckedIOException(
          "member "
              + config.memberId()
              + " cannot listen on "
              + self.address()
              + " ("
              + e.getMessage()
              + ")",
          e instanceof IOException io ? io : new IOException(e.getMessage(), e));
    }
  }
}
