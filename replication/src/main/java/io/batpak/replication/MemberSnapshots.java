package io.batpak.replication;

import io.batpak.Store;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.jspecify.annotations.Nullable;

/**
 * A member's snapshots (ADR 0038), in Ratis's state-machine directory {@code sm/}: one directory
 * {@code snapshot.<term>_<index>} per snapshot, holding {@code store/} (a fork of the member's
 * store at that index: its sealed segments shared, its active segment copied up to the index, and
 * its index checkpoint when that lies within the fork, ADR 0045) and {@code snapshot.meta} (term,
 * index, the member's head there, and every store file with its size and CRC-32C, the whole closed
 * by its own CRC). A snapshot is built in {@code snapshot.<t>_<i>.tmp}, every file and directory
 * synced, then renamed; a directory without a valid meta file is never believed. {@link
 * SnapshotInstall} puts a snapshot into the member's store; {@link SnapshotFetch} copies one from
 * the leader.
 *
 * <p>Thread-safety: the member calls {@link #cut} and Ratis calls {@link #cleanupOldSnapshots} on
 * the apply thread; {@link #finish} runs on the member's snapshot-build thread, one build at a
 * time, and {@link #getLatestSnapshot} from any thread. The latest snapshot is published through
 * volatile fields, under this object's lock, and a build never replaces a newer one.
 */
final class MemberSnapshots implements StateMachineStorage {
  static final String META = "snapshot.meta";
  static final String STORE = "store";

  private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");

  /** Ratis's log segment files: {@code log_<first>-<last>} and {@code log_inprogress_<first>}. */
  private static final Pattern LOG_SEGMENT =
      Pattern.compile("log_(?:inprogress_)?(\\d+)(?:-\\d+)?(?:\\..*)?");

  private static final String MAGIC = "batpak-replication-snapshot 1";
  private static final System.Logger LOG = System.getLogger(MemberSnapshots.class.getName());

  /** One store file of a snapshot: its path inside {@code store/}, size and CRC-32C. */
  record StoreFile(String path, long size, long crc) {}

  /** A snapshot on disk whose meta file was read and checked. */
  record Snapshot(Path dir, long term, long index, ReplicaHead head, List<StoreFile> files) {
    TermIndex termIndex() {
      return TermIndex.valueOf(term, index);
    }

    Path store() {
      return dir.resolve(STORE);
    }

    /** What Ratis ships to a follower: the meta file and every store file. */
    SnapshotInfo info() {
      List<FileInfo> infos = new ArrayList<>();
      infos.add(new FileInfo(dir.resolve(META).toAbsolutePath(), null));
      for (StoreFile f : files) {
        infos.add(new FileInfo(store().resolve(f.path()).toAbsolutePath(), null));
      }
      return new FileListSnapshotInfo(infos, term, index);
    }
  }

  private final String memberId;
  private final int retained;
  private volatile @Nullable Path dir;
  private volatile @Nullable Snapshot latest;

  /**
   * {@link #latest}'s {@link Snapshot#info()}, made once: Ratis asks for it on every appendEntries
   * call a follower takes, and making it reads each file's attributes.
   */
  private volatile @Nullable SnapshotInfo latestInfo;

  /** The latest snapshot's index when {@link #cleanupOldSnapshots} last ran (-2: never). */
  private volatile long cleanedAt = -2;

  MemberSnapshots(String memberId, int retained) {
    this.memberId = memberId;
    this.retained = retained;
  }

  @Override
  public void init(RaftStorage raftStorage) throws IOException {
    initAt(raftStorage.getStorageDir().getStateMachineDir().toPath());
  }

  /** Uses {@code smDir} as the state-machine directory and reads the snapshots in it. */
  void initAt(Path smDir) throws IOException {
    dir = smDir;
    reload();
  }

  /**
   * Reads the directory again (after Ratis installed a follower's snapshot): the newest snapshot
   * whose meta file is valid and whose files exist with their recorded sizes becomes the latest.
   * Leftover {@code .tmp} builds are removed. Invalid snapshot directories are logged and skipped.
   */
  @Nullable Snapshot reload() throws IOException {
    Snapshot newest = scan();
    publish(newest);
    return newest;
  }

  /**
   * The newest snapshot directory the last {@link #scan} found invalid, when it lies above the
   * newest valid one (so the member falls back past it); null if none.
   */
  private volatile @Nullable Damaged damagedAbove;

  /** A snapshot directory that is not a valid snapshot: where, its Raft index, and why. */
  record Damaged(Path dir, long index, String why) {}

  /** The newest valid snapshot on disk, without making it the latest (removes {@code .tmp}s). */
  @Nullable Snapshot scan() throws IOException {
    Path d = smDir();
    Files.createDirectories(d);
    Snapshot newest = null;
    Damaged damaged = null;
    try (Stream<Path> entries = Files.list(d)) {
      for (Path p : entries.toList()) {
        String name = String.valueOf(p.getFileName());
        if (name.startsWith("snapshot.") && name.endsWith(".tmp")) {
          deleteTree(p);
          continue;
        }
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !Files.isDirectory(p)) {
          continue;
        }
        try {
          Snapshot s = read(p, false);
          if (newest == null || s.index() > newest.index()) {
            newest = s;
          }
        } catch (IOException | RuntimeException e) {
          LOG.log(
              System.Logger.Level.WARNING,
              "member {0}: snapshot directory {1} is not a valid snapshot and is ignored: {2}",
              memberId,
              p,
              e.getMessage());
          long index = Long.parseLong(m.group(2));
          if (damaged == null || index > damaged.index()) {
            damaged = new Damaged(p, index, String.valueOf(e.getMessage()));
          }
        }
      }
    }
    damagedAbove =
        damaged != null && (newest == null || damaged.index() > newest.index()) ? damaged : null;
    return newest;
  }

  /**
   * Refuses to start on a snapshot older than a damaged one when the Raft log in {@code logDir}
   * (Ratis's {@code current/}) no longer holds the entry right after it: the log was purged up to
   * the damaged snapshot, so Ratis would look for that entry forever (its apply thread spinning, a
   * close waiting for it). Falling back is safe, and allowed, only while the log still holds it.
   *
   * @throws ReplicaStoppedException naming the damaged snapshot, why it is damaged, and the gap
   */
  void refuseAFallbackTheLogCannotFollow(Path logDir) throws IOException {
    Damaged d = damagedAbove;
    if (d == null) {
      return;
    }
    Snapshot older = latest;
    long next = older == null ? 0 : older.index() + 1;
    long first = firstLogIndex(logDir);
    if (first < 0 || first <= next) {
      return; // no log (the leader sends what follows, or a snapshot), or it covers the fallback
    }
    throw new ReplicaStoppedException(
        "member "
            + memberId
            + " cannot start: its newest snapshot "
            + d.dir()
            + " (Raft index "
            + d.index()
            + ") is damaged ("
            + d.why()
            + "), and its Raft log, purged up to that snapshot, starts at index "
            + first
            + ", so nothing here holds the entries after "
            + (older == null ? "the start of the log" : "the older snapshot " + older.dir())
            + ". The member does not start. Rebuild it from a healthy member.");
  }

  /**
   * The first Raft index the log segments in {@code logDir} hold ({@code log_<first>-<last>}, or
   * {@code log_inprogress_<first>}), or -1 without any.
   */
  static long firstLogIndex(Path logDir) throws IOException {
    if (!Files.isDirectory(logDir)) {
      return -1;
    }
    long first = Long.MAX_VALUE;
    try (Stream<Path> files = Files.list(logDir)) {
      for (Path f : files.toList()) {
        Matcher m = LOG_SEGMENT.matcher(String.valueOf(f.getFileName()));
        if (m.matches()) {
          first = Math.min(first, Long.parseLong(m.group(1)));
        }
      }
    }
    return first == Long.MAX_VALUE ? -1 : first;
  }

  /** The state-machine directory {@code sm/}. */
  Path directory() {
    return smDir();
  }

  private Path smDir() {
    Path d = dir;
    if (d == null) {
      throw new IllegalStateException("member " + memberId + ": snapshot storage not initialized");
    }
    return d;
  }

  @Override
  public @Nullable SnapshotInfo getLatestSnapshot() {
    return latestInfo;
  }

  /** Makes {@code s} the latest snapshot (null: none). */
  private synchronized void publish(@Nullable Snapshot s) {
    latestInfo = s == null ? null : s.info();
    latest = s;
  }

  /** Makes {@code s} the latest snapshot unless the latest is as new or newer. */
  private synchronized void publishIfNewer(Snapshot s) {
    Snapshot now = latest;
    if (now == null || now.index() < s.index()) {
      publish(s);
    }
  }

  /** The latest valid snapshot, or null. */
  @Nullable Snapshot latest() {
    return latest;
  }

  /**
   * The snapshot in directory {@code name} of {@code sm/} (a member fetching it names it).
   *
   * @throws IOException if {@code name} is not a snapshot's name, or that snapshot is gone or not
   *     valid
   */
  Snapshot named(String name) throws IOException {
    Snapshot s = latest;
    if (s != null && String.valueOf(s.dir().getFileName()).equals(name)) {
      return s;
    }
    if (!NAME.matcher(name).matches()) {
      throw new IOException("'" + name + "' is not a snapshot's name (snapshot.<term>_<index>)");
    }
    return read(smDir().resolve(name), false);
  }

  @Override
  public void format() {
    // nothing to format: the directory is created on init
  }

  /**
   * Keeps the newest {@code retained} snapshots (and the latest) and removes older ones, when Ratis
   * asks (after each {@code takeSnapshot} call); a build removes them itself before its rename.
   */
  @Override
  public synchronized void cleanupOldSnapshots(@Nullable SnapshotRetentionPolicy policy)
      throws IOException {
    Snapshot keep = latest;
    long keepIndex = keep == null ? -1 : keep.index();
    if (keepIndex == cleanedAt) {
      return; // nothing published since the last cleanup (Ratis asks after every trigger)
    }
    keepNewest(retained);
    cleanedAt = keepIndex;
  }

  /** Removes all snapshots but the newest {@code count} and the latest. */
  private synchronized void keepNewest(int count) throws IOException {
    Snapshot keep = latest;
    List<Path> all = new ArrayList<>();
    try (Stream<Path> entries = Files.list(smDir())) {
      for (Path p : entries.toList()) {
        if (NAME.matcher(String.valueOf(p.getFileName())).matches()) {
          all.add(p);
        }
      }
    }
    all.sort(Comparator.comparingLong(MemberSnapshots::indexOf).reversed());
    for (int i = count; i < all.size(); i++) {
      Path p = all.get(i);
      if (keep != null && p.equals(keep.dir())) {
        continue;
      }
      LOG.log(System.Logger.Level.INFO, "member {0}: removing old snapshot {1}", memberId, p);
      deleteTree(p);
    }
  }

  private static long indexOf(Path p) {
    Matcher m = NAME.matcher(String.valueOf(p.getFileName()));
    return m.matches() ? Long.parseLong(m.group(2)) : -1;
  }

  /**
   * A snapshot being built: the fork of the member's store at {@code ti} in {@code tmp}, to become
   * {@code target} once {@link #finish} has closed, checked and synced it.
   */
  record Cut(Path tmp, Path target, TermIndex ti, ReplicaHead head) {}

  /**
   * Takes a snapshot of {@code store} at {@code ti} in one go: {@link #cut}, then {@link #finish}
   * (the tests' way; a member builds beside its apply thread). No apply may run meanwhile.
   */
  Snapshot take(Store store, TermIndex ti, ReplicaHead head) throws IOException {
    Cut cut = cut(store, ti, head);
    return cut == null ? read(targetOf(ti), false) : finish(cut);
  }

  /**
   * The part of taking a snapshot that needs the store to hold exactly the effects of entries
   * through {@code ti} (the caller guarantees no apply runs meanwhile): forks {@code store} into
   * {@code snapshot.<t>_<i>.tmp/store}. The fork syncs the store first, then shares its sealed
   * segments and its index checkpoint and copies the active segment up to its synced end, so it is
   * independent of later appends; it is durable when {@code fork} returns. Returns null when a
   * snapshot at {@code ti} already exists (it becomes the latest if newer).
   */
  @Nullable Cut cut(Store store, TermIndex ti, ReplicaHead head) throws IOException {
    Path target = targetOf(ti);
    if (Files.isDirectory(target)) {
      publishIfNewer(read(target, false));
      return null;
    }
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    deleteTree(tmp);
    Files.createDirectories(tmp);
    try {
      store.fork(tmp.resolve(STORE));
    } catch (RuntimeException e) {
      removeFailedBuild(tmp, e);
      throw e;
    }
    return new Cut(tmp, target, ti, head);
  }

  /**
   * Whether {@code a} and {@code b} are one file (hard links of it); false if {@code a} is gone.
   */
  private static boolean sameFile(Path a, Path b) throws IOException {
    try {
      return Files.isSameFile(a, b);
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  private Path targetOf(TermIndex ti) {
    return smDir().resolve("snapshot." + ti.getTerm() + "_" + ti.getIndex());
  }

  /**
   * Makes {@code cut} a snapshot, on any one thread: lists the fork's files with their sizes and
   * CRC-32Cs, writes and syncs the meta file, renames the build into place, then makes it the
   * latest unless a newer one is. The fork is not opened: that would rebuild its index and write a
   * checkpoint, work that grows with the store, and the member's own checkpoint travels with it
   * (ADR 0045). On failure the build is removed (best effort) and nothing is published.
   */
  Snapshot finish(Cut cut) throws IOException {
    try {
      return build(cut);
    } catch (IOException | RuntimeException e) {
      removeFailedBuild(cut.tmp(), e);
      throw e;
    }
  }

  /** Removes build directory {@code tmp} after {@code failure} (best effort, noted on it). */
  private static void removeFailedBuild(Path tmp, Exception failure) {
    try {
      deleteTree(tmp);
    } catch (IOException | RuntimeException left) {
      failure.addSuppressed(left);
    }
  }

  private Snapshot build(Cut cut) throws IOException {
    Path forkDir = cut.tmp().resolve(STORE);
    Snapshot previous = latest;
    Map<String, StoreFile> before = new HashMap<>();
    if (previous != null) {
      previous.files().forEach(f -> before.put(f.path(), f));
    }
    List<StoreFile> files = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(forkDir)) {
      for (Path p : walk.sorted().toList()) {
        if (Files.isRegularFile(p)) {
          String path = forkDir.relativize(p).toString();
          long size = Files.size(p);
          StoreFile old = before.get(path);
          long crc =
              old != null && old.size() == size && sameFile(previous.store().resolve(path), p)
                  ? old.crc() // a sealed segment both forks share, never written again
                  : crcOf(p);
          files.add(new StoreFile(path, size, crc)); // durable already: the fork synced it
        }
      }
    }
    TermIndex ti = cut.ti();
    Snapshot s =
        new Snapshot(cut.target(), ti.getTerm(), ti.getIndex(), cut.head(), List.copyOf(files));
    Path meta = cut.tmp().resolve(META);
    Files.write(meta, encodeMeta(s).getBytes(StandardCharsets.UTF_8));
    fsync(meta, false);
    fsync(cut.tmp(), true);
    // The build removes old snapshots itself, before the rename, so it never leaves more than the
    // retained count on disk (Ratis's own cleanup call comes only with the next apply).
    keepNewest(retained - 1);
    Files.move(cut.tmp(), cut.target(), StandardCopyOption.ATOMIC_MOVE);
    fsync(smDir(), true);
    publishIfNewer(s);
    LOG.log(
        System.Logger.Level.INFO,
        "member {0}: took snapshot {1} ({2} store files, {3} events)",
        memberId,
        cut.target(),
        files.size(),
        cut.head().nextGlobalSequence());
    return s;
  }

  // --- the meta file ---

  static String encodeMeta(Snapshot s) {
    StringBuilder b = new StringBuilder();
    b.append(MAGIC).append('\n');
    b.append("term ").append(s.term()).append('\n');
    b.append("index ").append(s.index()).append('\n');
    b.append("head ").append(HexFormat.of().formatHex(Entries.encodeHead(s.head()))).append('\n');
    for (StoreFile f : s.files()) {
      b.append("file ")
          .append(f.size())
          .append(' ')
          .append(Long.toHexString(f.crc()))
          .append(' ')
          .append(f.path())
          .append('\n');
    }
    CRC32C crc = new CRC32C();
    crc.update(b.toString().getBytes(StandardCharsets.UTF_8));
    b.append("end ").append(Long.toHexString(crc.getValue())).append('\n');
    return b.toString();
  }

  /**
   * Reads snapshot directory {@code d}: its meta file must be whole (its closing CRC matches), name
   * the same term and index as the directory, and every store file must exist with its recorded
   * size (and CRC when {@code checkCrc}).
   */
  static Snapshot read(Path d, boolean checkCrc) throws IOException {
    String text;
    try {
      text = Files.readString(d.resolve(META), StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new IOException(d + " has no " + META, e);
    }
    Snapshot s = fromMeta(d, text, d.resolve(META).toString());
    checkFiles(s, s.store(), checkCrc);
    return s;
  }

  /**
   * The snapshot whose meta file holds {@code text}, for directory {@code d}: the text must be
   * whole (its closing CRC matches) and name the term and index in {@code d}'s name. Its files are
   * not looked at.
   *
   * @param where names the meta file in messages
   */
  static Snapshot fromMeta(Path d, String text, String where) throws IOException {
    Matcher m = NAME.matcher(String.valueOf(d.getFileName()));
    if (!m.matches()) {
      throw new IOException(d + " is not named snapshot.<term>_<index>");
    }
    int end = text.lastIndexOf("end ");
    if (!text.startsWith(MAGIC + "\n") || end < 0 || !text.endsWith("\n")) {
      throw new IOException(where + " is cut or not a snapshot meta file");
    }
    CRC32C crc = new CRC32C();
    crc.update(text.substring(0, end).getBytes(StandardCharsets.UTF_8));
    String recorded = text.substring(end + 4, text.length() - 1);
    if (!recorded.equals(Long.toHexString(crc.getValue()))) {
      throw new IOException(where + " fails its CRC: it is torn or was edited");
    }
    long term = -1;
    long index = -1;
    ReplicaHead head = null;
    List<StoreFile> files = new ArrayList<>();
    for (String line : text.substring(0, end).split("\n")) {
      if (line.startsWith("term ")) {
        term = Long.parseLong(line.substring(5));
      } else if (line.startsWith("index ")) {
        index = Long.parseLong(line.substring(6));
      } else if (line.startsWith("head ")) {
        head = Entries.decodeHead(HexFormat.of().parseHex(line.substring(5)));
      } else if (line.startsWith("file ")) {
        String[] parts = line.split(" ", 4);
        files.add(
            new StoreFile(
                parts[3], Long.parseLong(parts[1]), Long.parseUnsignedLong(parts[2], 16)));
      }
    }
    if (term != Long.parseLong(m.group(1)) || index != Long.parseLong(m.group(2)) || head == null) {
      throw new IOException(
          where + " names term " + term + " and index " + index + ", not its directory's");
    }
    Snapshot s = new Snapshot(d, term, index, head, List.copyOf(files));
    for (StoreFile f : files) {
      if (!s.store().resolve(f.path()).normalize().startsWith(s.store())) {
        throw new IOException(where + " names a file outside its store: " + f.path());
      }
    }
    return s;
  }

  /**
   * Checks that every store file of {@code s} exists under {@code store} with its recorded size
   * (and CRC-32C when {@code checkCrc}).
   *
   * @throws IOException naming the first file that is missing, of another size or CRC
   */
  static void checkFiles(Snapshot s, Path store, boolean checkCrc) throws IOException {
    for (StoreFile f : s.files()) {
      Path p = store.resolve(f.path());
      long size;
      try {
        size = Files.size(p);
      } catch (NoSuchFileException e) {
        throw new IOException("snapshot " + s.dir() + " lacks its store file " + f.path(), e);
      }
      if (size != f.size()) {
        throw new IOException(
            "snapshot " + s.dir() + ": " + f.path() + " has " + size + " bytes, not " + f.size());
      }
      if (checkCrc && crcOf(p) != f.crc()) {
        throw new IOException("snapshot " + s.dir() + ": " + f.path() + " fails its CRC-32C");
      }
    }
  }

  // --- file helpers ---

  static long crcOf(Path p) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] buf = new byte[64 * 1024];
    try (InputStream in = Files.newInputStream(p)) {
      for (int n; (n = in.read(buf)) > 0; ) {
        crc.update(buf, 0, n);
      }
    }
    return crc.getValue();
  }

  static List<Path> directoriesOf(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isDirectory).toList();
    }
  }

  static void fsync(Path p, boolean directory) throws IOException {
    try (FileChannel ch =
        FileChannel.open(p, directory ? StandardOpenOption.READ : StandardOpenOption.WRITE)) {
      ch.force(true);
    }
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        try {
          Files.delete(q);
        } catch (NoSuchFileException | DirectoryNotEmptyException e) {
          throw new IOException("could not remove " + q + " while removing " + p, e);
        }
      }
    }
  }
}
