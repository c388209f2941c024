package io.batpak.replication;

import io.batpak.Bytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A follower fetches the leader's latest snapshot itself (ADR 0043), instead of Ratis pushing its
 * files: Ratis's push writes them without syncing and renames them over the state-machine
 * directory, then purges the Raft log before the member can sync them, so a power loss there left
 * torn files and no log to rebuild from. A fetch writes every file, checks its size and CRC-32C
 * against the leader's meta file, syncs every file and directory, and only then renames the whole
 * snapshot into {@code sm/} and syncs {@code sm/}; Ratis hears of the snapshot (and purges the log)
 * after that. A crash at any point leaves either nothing new in {@code sm/} (the build under
 * Ratis's temporary directory is removed on the next start or fetch) or a complete, synced
 * snapshot.
 *
 * <p>Two read-only queries carry it, answered by the member that has the snapshot ({@link
 * #answer}): {@link #QUERY_META} (the latest snapshot's directory name and meta file) and {@link
 * #QUERY_CHUNK} (up to {@link #CHUNK_BYTES} bytes of one of its store files). They share the type
 * byte of {@link Entries}' messages. Stateless; every method may be called from any thread.
 */
final class SnapshotFetch {
  /** Query type: the latest snapshot's directory name and meta file text. */
  static final int QUERY_META = 7;

  /** Query type: bytes of one store file of a snapshot. */
  static final int QUERY_CHUNK = 8;

  /** The most bytes one chunk query asks for (well under gRPC's message limit). */
  static final int CHUNK_BYTES = 1 << 20;

  /** The prefix of a fetch's build directory in Ratis's temporary directory. */
  static final String BUILD_PREFIX = "batpak-fetch-";

  /**
   * Sends one query to the member that has the snapshot and returns its answer; closed after the
   * fetch.
   */
  @FunctionalInterface
  interface Source extends AutoCloseable {
    byte[] ask(byte[] query) throws IOException;

    @Override
    default void close() throws IOException {}
  }

  /**
   * Hears how far a fetch got: {@code bytes} of the snapshot's {@code total} store bytes are
   * written. Called once with 0 before the first file, after every chunk, and never backwards.
   */
  @FunctionalInterface
  interface Progress {
    void fetched(long bytes, long total);
  }

  /** Makes a file ({@code directory} false) or a directory durable; tests record the calls. */
  @FunctionalInterface
  interface Sync {
    void sync(Path p, boolean directory) throws IOException;
  }

  private SnapshotFetch() {}

  /**
   * Fetches {@code source}'s latest snapshot into {@code smDir}, building it under {@code tmpDir}
   * (on the same file system), and returns it; null when the source has no snapshot at all. Ratis
   * asks a member that joins for a snapshot even when the leader never took one (it then catches up
   * by log), and the leader purges its log only up to a snapshot it keeps.
   *
   * @param atLeastIndex the lowest Raft index the snapshot may have (the leader's first log index
   *     minus one: anything older leaves a gap)
   * @throws IOException when the source's snapshot is too old, a file does not match its meta file,
   *     or the source or the disk fails; nothing is published in {@code smDir} then
   * @throws io.batpak.ValidationException when the source's answer is not a well-formed message;
   *     nothing is published then either
   */
  static MemberSnapshots.@Nullable Snapshot fetch(
      Source source, Path smDir, Path tmpDir, long atLeastIndex, Sync sync, Progress progress)
      throws IOException {
    Latest latest = decodeLatest(source.ask(new byte[] {Entries.VERSION, QUERY_META}));
    if (latest == null) {
      return null;
    }
    Path target = smDir.resolve(latest.name());
    MemberSnapshots.Snapshot described =
        MemberSnapshots.fromMeta(
            target, latest.meta(), "the leader's meta file of " + latest.name());
    if (described.index() < atLeastIndex) {
      throw new IOException(
          "the leader's latest snapshot is at Raft index "
              + described.index()
              + ", before its first log entry "
              + (atLeastIndex + 1));
    }
    if (Files.isDirectory(target)) {
      return MemberSnapshots.read(target, false); // published whole by an earlier fetch
    }
    Path build = tmpDir.resolve(BUILD_PREFIX + latest.name());
    MemberSnapshots.deleteTree(build);
    Path store = Files.createDirectories(build.resolve(MemberSnapshots.STORE));
    long total = described.files().stream().mapToLong(MemberSnapshots.StoreFile::size).sum();
    long done = 0;
    progress.fetched(0, total);
    for (MemberSnapshots.StoreFile f : described.files()) {
      Path to = store.resolve(f.path());
      Path parent = to.getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      long before = done;
      copyFile(source, latest.name(), f, to, n -> progress.fetched(before + n, total));
      done += f.size();
      sync.sync(to, false);
    }
    MemberSnapshots.checkFiles(described, store, true);
    Path meta = build.resolve(MemberSnapshots.META);
    Files.writeString(meta, latest.meta(), StandardCharsets.UTF_8);
    sync.sync(meta, false);
    try (Stream<Path> walk = Files.walk(build)) {
      for (Path d : walk.filter(Files::isDirectory).toList()) {
        sync.sync(d, true);
      }
    }
    Files.move(build, target, StandardCopyOption.ATOMIC_MOVE);
    sync.sync(smDir, true);
    return MemberSnapshots.read(target, false);
  }

  /** Removes what an interrupted fetch left in {@code tmpDir}. */
  static void removeLeftovers(Path tmpDir) throws IOException {
    if (!Files.isDirectory(tmpDir)) {
      return;
    }
    try (Stream<Path> entries = Files.list(tmpDir)) {
      for (Path p : entries.toList()) {
        if (String.valueOf(p.getFileName()).startsWith(BUILD_PREFIX)) {
          MemberSnapshots.deleteTree(p);
        }
      }
    }
  }

  private static void copyFile(
      Source source, String snapshot, MemberSnapshots.StoreFile f, Path to, LongConsumer written)
      throws IOException {
    try (FileChannel out =
        FileChannel.open(to, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
      long offset = 0;
      while (offset < f.size()) {
        int want = (int) Math.min(CHUNK_BYTES, f.size() - offset);
        byte[] chunk = source.ask(encodeChunkQuery(snapshot, f.path(), offset, want));
        if (chunk.length == 0 || chunk.length > want) {
          throw new IOException(
              "the leader answered "
                  + chunk.length
                  + " bytes for "
                  + want
                  + " bytes of "
                  + f.path()
                  + " at offset "
                  + offset
                  + " of snapshot "
                  + snapshot);
        }
        ByteBuffer b = ByteBuffer.wrap(chunk);
        while (b.hasRemaining()) {
          out.write(b, offset + b.position());
        }
        offset += chunk.length;
        written.accept(offset);
      }
    }
  }

  // --- the member that has the snapshot ---

  /**
   * Answers a {@link #QUERY_META} or {@link #QUERY_CHUNK} query from {@code snapshots}' directory.
   *
   * @throws IOException when the named snapshot is gone (a newer one replaced it: the fetch starts
   *     over), the file is not one of its store files, or reading failed
   */
  static byte[] answer(MemberSnapshots snapshots, byte[] query) throws IOException {
    if (Entries.type(query) == QUERY_META) {
      MemberSnapshots.Snapshot s = snapshots.latest();
      return encodeLatest(
          s == null
              ? null
              : new Latest(
                  String.valueOf(s.dir().getFileName()),
                  Files.readString(s.dir().resolve(MemberSnapshots.META))));
    }
    ChunkQuery q = decodeChunkQuery(query);
    if (q.length() <= 0 || q.length() > CHUNK_BYTES || q.offset() < 0) {
      throw new IOException(
          "a snapshot chunk query asks for " + q.length() + " bytes at offset " + q.offset());
    }
    MemberSnapshots.Snapshot s = snapshots.named(q.snapshot());
    if (s.files().stream().noneMatch(f -> f.path().equals(q.path()))) {
      throw new IOException("snapshot " + q.snapshot() + " has no store file " + q.path());
    }
    try (FileChannel ch = FileChannel.open(s.store().resolve(q.path()), StandardOpenOption.READ)) {
      ByteBuffer b =
          ByteBuffer.allocate((int) Math.min(q.length(), Math.max(0, ch.size() - q.offset())));
      while (b.hasRemaining() && ch.read(b, q.offset() + b.position()) > 0) {
        // read on until the chunk is full or the file ends
      }
      return b.position() == b.capacity() ? b.array() : Arrays.copyOf(b.array(), b.position());
    } catch (NoSuchFileException e) {
      throw new IOException(
          "snapshot " + q.snapshot() + " was removed while a member fetched it", e);
    }
  }

  // --- messages (framed by EntryBytes, like every replication message) ---

  /** A snapshot's directory name and meta file text. */
  record Latest(String name, String meta) {}

  /** Up to {@code length} bytes at {@code offset} of store file {@code path} of a snapshot. */
  record ChunkQuery(String snapshot, String path, long offset, int length) {}

  static byte[] encodeChunkQuery(String snapshot, String path, long offset, int length) {
    return EntryBytes.write(
        out -> {
          out.writeByte(Entries.VERSION);
          out.writeByte(QUERY_CHUNK);
          out.writeUTF(snapshot);
          out.writeUTF(path);
          out.writeLong(offset);
          out.writeInt(length);
        });
  }

  static ChunkQuery decodeChunkQuery(byte[] query) {
    return EntryBytes.read(
        query,
        in -> {
          in.readUnsignedByte(); // the version and type, which the caller checked
          in.readUnsignedByte();
          return new ChunkQuery(in.readUTF(), in.readUTF(), in.readLong(), in.readInt());
        });
  }

  static byte[] encodeLatest(@Nullable Latest latest) {
    return EntryBytes.write(
        out -> {
          out.writeBoolean(latest != null);
          if (latest != null) {
            out.writeUTF(latest.name());
            EntryBytes.writeBytes(out, Bytes.utf8(latest.meta()));
          }
        });
  }

  static @Nullable Latest decodeLatest(byte[] bytes) {
    return EntryBytes.read(
        bytes,
        in ->
            in.readBoolean() ? new Latest(in.readUTF(), EntryBytes.readBytes(in).toUtf8()) : null);
  }
}
