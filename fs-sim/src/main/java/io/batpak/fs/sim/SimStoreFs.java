package io.batpak.fs.sim;

import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.LockUnavailableException;
import io.batpak.port.NoSpaceException;
import io.batpak.port.RenameMode;
import io.batpak.port.ShortReadException;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

/**
 * A deterministic, fully in-memory, fault-injecting {@link StoreFs}: the backend the store's crash
 * tests run on, published so users can run their own.
 *
 * <h2>Model</h2>
 *
 * Paths are names in a private namespace: each is normalised and taken as absolute (a relative path
 * is resolved against the virtual root {@code /}), and nothing touches the real disk. Every file
 * has <em>volatile</em> content (what handles read and write) and <em>durable</em> content (what
 * survives a power loss); every directory has volatile and durable entries (name to inode). Exactly
 * these calls make things durable, and nothing else does:
 *
 * <ul>
 *   <li>{@link FileHandle#sync} commits one file's content ({@link SyncMode#DATA} and {@link
 *       SyncMode#ALL} behave the same here: content and size are committed together);
 *   <li>{@link #syncDirectory} commits one directory's entries (creates, renames, deletes in it);
 *   <li>{@link #publish} is its three steps, sync of the temporary file, rename onto the target,
 *       sync of the directory, each logged and faultable on its own ({@link FsOp}).
 * </ul>
 *
 * {@link #crash(CrashProfile)} is a power loss: every handle and lock becomes invalid, each
 * directory returns to its durable entries (un-synced creates, renames and deletes are undone, and
 * a target a rename overwrote comes back), and each file returns to its durable content plus, by
 * profile, a torn piece of its un-synced part. The same instance then serves the reopen. {@link
 * #restart()} is a process crash instead: handles and locks go, the (volatile) state stays.
 *
 * <p>A rename between two directories is made durable per directory: syncing only the target
 * directory can leave the file reachable from both after a crash, as with a hard link. Files that
 * no durable entry reaches are dropped at a crash.
 *
 * <h2>Faults</h2>
 *
 * Faults are data: a {@link FaultPlan} of {@link FaultRule}s, all active at once, plus the one-shot
 * slot of {@link #armFaultOn(FsOp, int)}. A crash fault freezes the simulator: the call throws
 * {@link SimulatedCrashException}, and so does every later call until {@link #crash} or {@link
 * #restart}.
 *
 * <h2>Determinism</h2>
 *
 * One seed gives one history: all randomness (probabilistic faults, torn tails, garbage bytes)
 * comes from one seeded generator, listings are sorted, and every call is appended to an op log
 * ({@link #opLog()}) whose running 64-bit FNV-1a digest ({@link #digest()}) is the witness: the
 * same seeded workload, issued in the same order, yields the same digest. Concurrent callers are
 * serialised, so the history is deterministic only if the order of calls is.
 *
 * <h2>Strictness</h2>
 *
 * {@link #openHandles()} and {@link #assertNoOpenHandles()} report leaked handles and locks with
 * the stack that opened them. {@link Builder#windowsMode(boolean)} refuses deleting or renaming
 * files that are open or locked, as Windows does.
 *
 * <h2>Snapshots</h2>
 *
 * {@link #snapshot()} is O(1) and {@link #restore(SimSnapshot)} puts the whole state back (op log,
 * digest, generator and fault counters included), so a test can crash "as of operation k" without
 * re-running the prefix. {@link Builder#recordSnapshots(boolean)} takes one after every
 * state-changing operation.
 *
 * <h2>Example</h2>
 *
 * <pre>{@code
 * SimStoreFs fs = SimStoreFs.builder().seed(SimSeed.resolve(42)).build();
 * Path dir = Path.of("/sim/store");
 * fs.createDirectories(dir);
 * try (FileHandle h = fs.create(dir.resolve("log"))) {
 *   h.write(ByteBuffer.wrap(record), 0);
 *   h.sync(SyncMode.DATA);          // content durable
 * }
 * fs.syncDirectory(dir);             // but the entry chain up to / is not: sync "/" and "/sim" too
 * fs.addFault(FaultRule.on(FsOp.DIR_SYNC, FaultTrigger.nth(1), FaultAction.crashBefore()));
 * ... run the code under test until it throws SimulatedCrashException ...
 * fs.crash(CrashProfile.SECTOR);     // power loss; then reopen over the same instance
 * fs.assertNoOpenHandles();
 * }</pre>
 *
 * <p><b>Thread-safety:</b> thread-safe; every call, on the file system, a handle or a lock, holds
 * one internal lock for its whole duration.
 *
 * @since 0.1
 */
public final class SimStoreFs implements StoreFs {

  /** The capabilities of every simulator: everything but a lock that other processes see. */
  public static final FsCapabilities CAPABILITIES =
      new FsCapabilities(true, true, true, false, true, "sim");

  private static final int ROOT = 0;
  private static final int MAX_SYMLINK_HOPS = 40;
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  /** The settings an instance is built with; carried by snapshots. */
  record Config(long seed, boolean windowsMode, boolean recordSnapshots) {}

  /** A node of the persistent op log (newest first). */
  static final class LogNode {
    final OpRecord record;
    final LogNode prev;
    final int size;

    LogNode(OpRecord record, LogNode prev) {
      this.record = record;
      this.prev = prev;
      this.size = prev == null ? 1 : prev.size + 1;
    }

    static List<OpRecord> toList(LogNode head) {
      if (head == null) {
        return List.of();
      }
      OpRecord[] out = new OpRecord[head.size];
      for (LogNode n = head; n != null; n = n.prev) {
        out[n.size - 1] = n.record;
      }
      return List.of(out);
    }
  }

  /** A rule with its own counter. */
  private static final class ActiveRule {
    final FaultRule rule;
    final Pattern pattern;
    long count;

    ActiveRule(FaultRule rule, long count) {
      this.rule = rule;
      this.pattern = "**".equals(rule.glob()) ? null : FaultRule.globRegex(rule.glob());
      this.count = count;
    }

    boolean matchesPath(String path) {
      return pattern == null || pattern.matcher(path).matches();
    }
  }

  @FunctionalInterface
  private interface Body<T> {
    T run(FaultAction action) throws IOException;
  }

  @FunctionalInterface
  private interface Check {
    void run() throws IOException;
  }

  private final Object mutex = new Object();
  private final Config config;

  // ---- persistent state (everything here is captured by snapshot()) ----
  private PersistentArray<Inode> inodes;
  private int nextInode;
  private final Rng rng;
  private LogNode log;
  private long digest = FNV_OFFSET;
  private long opCount;
  private long stateChangingCount;
  private boolean frozen;
  private String frozenReason;
  private List<ActiveRule> rules = new ArrayList<>();
  private ActiveRule armed;
  private PersistentArray<Inode> lastRecordedInodes;

  // ---- transient state ----
  private long epoch;
  private final Set<SimHandle> handles = new LinkedHashSet<>();
  private final Set<SimLock> locks = new LinkedHashSet<>();
  private final List<SimSnapshot> recorded = new ArrayList<>();
  private boolean actionWasNoop;

  /**
   * Creates an empty simulator (only the root directory {@code /}, durable) with the given seed, no
   * faults and default strictness.
   *
   * @param seed the seed of every random choice the simulator makes
   */
  public SimStoreFs(long seed) {
    this(new Config(seed, false, false), FaultPlan.none());
  }

  private SimStoreFs(Config config, FaultPlan plan) {
    this.config = config;
    this.rng = new Rng(config.seed());
    this.inodes = PersistentArray.<Inode>empty().set(ROOT, Inode.dir(ROOT));
    this.nextInode = ROOT + 1;
    this.lastRecordedInodes = inodes;
    for (FaultRule r : plan.rules()) {
      rules.add(new ActiveRule(r, 0));
    }
  }

  /** A builder for a simulator with non-default settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates a new simulator holding the state of {@code snapshot}, with the settings of the
   * simulator it was taken from; it has no open handles or locks.
   */
  public static SimStoreFs fromSnapshot(SimSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    SimStoreFs fs = new SimStoreFs(snapshot.config, FaultPlan.none());
    fs.restore(snapshot);
    return fs;
  }

  /**
   * Builds a {@link SimStoreFs}. Not thread-safe.
   *
   * @since 0.1
   */
  public static final class Builder {
    private long seed;
    private boolean windowsMode;
    private boolean recordSnapshots;
    private FaultPlan plan = FaultPlan.none();

    private Builder() {}

    /** The seed of every random choice (default 0). */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Refuses, with {@link AccessDeniedException}, deleting or renaming (either side) a file that
     * has an open handle or a held lock, as Windows does (default off: POSIX semantics, where an
     * unlinked open file stays readable and writable through its handles).
     */
    public Builder windowsMode(boolean on) {
      this.windowsMode = on;
      return this;
    }

    /** The fault plan installed at start (default none); its counters start at zero. */
    public Builder faultPlan(FaultPlan plan) {
      this.plan = Objects.requireNonNull(plan, "plan");
      return this;
    }

    /**
     * Takes a {@link SimSnapshot} after every state-changing operation, available from {@link
     * SimStoreFs#recordedSnapshots()} (default off). Cheap: snapshots share structure.
     */
    public Builder recordSnapshots(boolean on) {
      this.recordSnapshots = on;
      return this;
    }

    /** Creates the simulator. */
    public SimStoreFs build() {
      return new SimStoreFs(new Config(seed, windowsMode, recordSnapshots), plan);
    }
  }

  // =====================================================================================
  // Control API
  // =====================================================================================

  /** The seed this simulator was built with. */
  public long seed() {
    return config.seed();
  }

  /** Whether {@link Builder#windowsMode(boolean)} is on. */
  public boolean windowsMode() {
    return config.windowsMode();
  }

  /**
   * Simulates a power loss and brings the machine back: every open handle and lock becomes invalid
   * (later calls on a handle throw {@code IOException("handle invalidated by a simulated crash")};
   * closing one is a no-op), each directory returns to its durable entries, and each file to its
   * durable content plus the damage {@code profile} describes, which then is durable too (bytes a
   * {@link FaultAction.FailedSyncKeepsPages} left unwritten are never part of it). Files no durable
   * entry reaches are dropped. Unfreezes a simulator frozen by a crash fault. Logged as {@code
   * CRASH}.
   */
  public void crash(CrashProfile profile) {
    Objects.requireNonNull(profile, "profile");
    synchronized (mutex) {
      invalidateHandlesAndLocks();
      PersistentArray<Inode> fresh = PersistentArray.empty();
      BitSet seen = new BitSet();
      Deque<Integer> todo = new ArrayDeque<>();
      todo.push(ROOT);
      seen.set(ROOT);
      while (!todo.isEmpty()) {
        Inode n = inode(todo.pop());
        if (n.isDir()) {
          DirectoryListing e = n.durEntries;
          fresh = fresh.set(n.id, n.withVolEntries(e));
          // Push in reverse so names are visited in sorted order: the tear draws are then stable.
          for (int i = e.size() - 1; i >= 0; i--) {
            int child = (int) e.inodeAt(i);
            if (!seen.get(child)) {
              seen.set(child);
              todo.push(child);
            }
          }
        } else if (n.isFile()) {
          Content c = tear(n.dur, n.writeBack(), profile);
          fresh = fresh.set(n.id, n.settled(c));
        } else {
          fresh = fresh.set(n.id, n);
        }
      }
      inodes = fresh;
      frozen = false;
      frozenReason = null;
      record(++opCount, "CRASH", "/", profile.name(), "ok", false);
    }
  }

  /**
   * Simulates a crash of the process, not the machine: every handle and lock becomes invalid, and
   * all state, volatile included, stays (the operating system still has it). Unfreezes a simulator
   * frozen by a crash fault. Logged as {@code RESTART}.
   */
  public void restart() {
    synchronized (mutex) {
      invalidateHandlesAndLocks();
      frozen = false;
      frozenReason = null;
      record(++opCount, "RESTART", "/", "", "ok", false);
    }
  }

  /**
   * Makes everything durable, as a clean shutdown with every file and directory synced would (so
   * bytes a {@link FaultAction.FailedSyncKeepsPages} left unwritten stay unwritten); for setting up
   * a test. Not faultable. Logged as {@code SYNC_ALL}.
   *
   * @throws SimulatedCrashException if the simulator is frozen by a crash fault
   */
  public void syncAll() throws IOException {
    synchronized (mutex) {
      checkNotFrozen("SYNC_ALL", "/");
      for (int id = 0; id < nextInode; id++) {
        Inode n = inodes.get(id);
        if (n != null && n.isFile()) {
          put(n.withDur(n.writeBack()));
        } else if (n != null && n.isDir()) {
          put(n.withDurEntries(n.volEntries));
        }
      }
      record(++opCount, "SYNC_ALL", "/", "", "ok", false);
    }
  }

  /**
   * Creates a symbolic link {@code link} pointing to {@code target} (which need not exist; a
   * relative target is resolved against the link's directory). Like a create, the new entry is not
   * durable until its directory is synced. Not faultable. Logged as {@code SYMLINK}.
   *
   * @throws FileAlreadyExistsException if something is at {@code link}
   * @throws NoSuchFileException if the parent of {@code link} does not exist
   * @throws SimulatedCrashException if the simulator is frozen by a crash fault
   * @throws IOException on another failure
   */
  public void createSymlink(Path link, Path target) throws IOException {
    String p = pathString(link);
    String t = target.toString().replace('\\', '/');
    if (target.isAbsolute() && !t.startsWith("/")) {
      t = "/" + t;
    }
    String linkTarget = t;
    synchronized (mutex) {
      checkNotFrozen("SYMLINK", p);
      try {
        Loc l = resolve(components(link), false, 0, p);
        if (l.inode >= 0 || l.parent < 0) {
          throw new FileAlreadyExistsException(p);
        }
        int id = nextInode++;
        put(Inode.symlink(id, linkTarget));
        Inode parent = inode(l.parent);
        put(parent.withVolEntries(parent.volEntries.put(l.name, id)));
        record(++opCount, "SYMLINK", p, linkTarget, "ok", false);
      } catch (IOException | RuntimeException e) {
        record(++opCount, "SYMLINK", p, linkTarget, outcome(e), false);
        throw e;
      }
    }
  }

  /**
   * Replaces the whole fault plan; every rule's counter starts at zero. The slot of {@link
   * #armFaultOn} is kept.
   */
  public void setFaultPlan(FaultPlan plan) {
    Objects.requireNonNull(plan, "plan");
    synchronized (mutex) {
      List<ActiveRule> fresh = new ArrayList<>();
      for (FaultRule r : plan.rules()) {
        fresh.add(new ActiveRule(r, 0));
      }
      rules = fresh;
    }
  }

  /** Adds {@code rule} after the current rules, with its counter at zero. */
  public void addFault(FaultRule rule) {
    Objects.requireNonNull(rule, "rule");
    synchronized (mutex) {
      List<ActiveRule> copy = new ArrayList<>(rules);
      copy.add(new ActiveRule(rule, 0));
      rules = copy;
    }
  }

  /** The current fault plan (without the {@link #armFaultOn} slot). */
  public FaultPlan faultPlan() {
    synchronized (mutex) {
      List<FaultRule> out = new ArrayList<>();
      for (ActiveRule r : rules) {
        out.add(r.rule);
      }
      return new FaultPlan(out);
    }
  }

  /**
   * The reference's one-shot fault: the {@code nth} (1-based) operation of kind {@code op} from now
   * on, on any path, fails with a plain {@link IOException}; earlier and later ones pass. The
   * counter starts at zero now, so operations before the call (such as those of a store's open) do
   * not count. There is one such slot: arming again replaces the previous target. It is consulted
   * after the plan's rules and works alongside them.
   *
   * @throws IllegalArgumentException if {@code nth} is less than 1
   */
  public void armFaultOn(FsOp op, int nth) {
    Objects.requireNonNull(op, "op");
    FaultRule rule =
        FaultRule.on(op, FaultTrigger.nth(nth), FaultAction.fail(ErrorKind.IO)); // validates nth
    synchronized (mutex) {
      armed = new ActiveRule(rule, 0);
    }
  }

  /** Removes every fault rule, the {@link #armFaultOn} slot included. */
  public void clearFaults() {
    synchronized (mutex) {
      rules = new ArrayList<>();
      armed = null;
    }
  }

  /** Whether a crash fault has frozen the simulator (until {@link #crash} or {@link #restart}). */
  public boolean isFrozen() {
    synchronized (mutex) {
      return frozen;
    }
  }

  /**
   * Takes a snapshot of the whole state in O(1) (see {@link SimSnapshot}). Open handles and locks
   * are not part of it.
   */
  public SimSnapshot snapshot() {
    synchronized (mutex) {
      long[] counts = new long[rules.size()];
      List<FaultRule> rs = new ArrayList<>(rules.size());
      for (int i = 0; i < counts.length; i++) {
        counts[i] = rules.get(i).count;
        rs.add(rules.get(i).rule);
      }
      return new SimSnapshot(
          config,
          inodes,
          nextInode,
          rng.state(),
          log,
          digest,
          opCount,
          stateChangingCount,
          frozen,
          frozenReason,
          List.copyOf(rs),
          counts,
          armed == null ? null : armed.rule,
          armed == null ? 0 : armed.count);
    }
  }

  /**
   * Puts the state of {@code snapshot} back: files, directories, op log, digest, counters, the
   * generator's position, the fault rules and their counters, and the frozen flag. Every handle and
   * lock of this instance becomes invalid, as after a crash. Un-synced content in the snapshot is
   * still un-synced, so a following {@link #crash} damages it as it would have then. Not logged:
   * afterwards the op log is exactly the snapshot's. The snapshot may come from another instance;
   * this instance keeps its own settings.
   */
  public void restore(SimSnapshot snapshot) {
    Objects.requireNonNull(snapshot, "snapshot");
    synchronized (mutex) {
      invalidateHandlesAndLocks();
      inodes = snapshot.inodes;
      nextInode = snapshot.nextInode;
      rng.setState(snapshot.rngState);
      log = snapshot.log;
      digest = snapshot.digest;
      opCount = snapshot.opCount;
      stateChangingCount = snapshot.stateChangingCount;
      frozen = snapshot.frozen;
      frozenReason = snapshot.frozenReason;
      List<ActiveRule> rs = new ArrayList<>();
      for (int i = 0; i < snapshot.rules.size(); i++) {
        rs.add(new ActiveRule(snapshot.rules.get(i), snapshot.ruleCounts[i]));
      }
      rules = rs;
      armed = snapshot.armedRule == null ? null : new ActiveRule(snapshot.armedRule, 0);
      if (armed != null) {
        armed.count = snapshot.armedCount;
      }
      lastRecordedInodes = inodes;
    }
  }

  /**
   * The snapshots taken after each state-changing operation when {@link
   * Builder#recordSnapshots(boolean)} is on (empty otherwise), oldest first.
   */
  public List<SimSnapshot> recordedSnapshots() {
    synchronized (mutex) {
      return List.copyOf(recorded);
    }
  }

  /** Forgets the {@link #recordedSnapshots()} taken so far. */
  public void clearRecordedSnapshots() {
    synchronized (mutex) {
      recorded.clear();
    }
  }

  /** The op log, oldest first. Built on each call: O(length). */
  public List<OpRecord> opLog() {
    synchronized (mutex) {
      return LogNode.toList(log);
    }
  }

  /** The running 64-bit FNV-1a digest of the op log: the determinism witness. */
  public long digest() {
    synchronized (mutex) {
      return digest;
    }
  }

  /** The number of operations logged so far (file system, handle, lock and control calls). */
  public long operationCount() {
    synchronized (mutex) {
      return opCount;
    }
  }

  /** The number of logged operations that changed the simulated disk ({@link OpRecord}). */
  public long stateChangingOperationCount() {
    synchronized (mutex) {
      return stateChangingCount;
    }
  }

  /** The handles still open, then the locks still held, each in the order they were opened. */
  public List<OpenResource> openHandles() {
    synchronized (mutex) {
      List<OpenResource> out = new ArrayList<>();
      for (SimHandle h : handles) {
        out.add(new OpenResource("handle", h.pathString, h.writable ? "read-write" : "read", h.at));
      }
      for (SimLock l : locks) {
        out.add(new OpenResource("lock", l.pathString, l.mode.name(), l.at));
      }
      return out;
    }
  }

  /**
   * Fails if any handle is open or any lock held, naming each with the stack trace where it was
   * opened (attached as suppressed exceptions, which test reports print).
   *
   * @throws AssertionError listing the leaks
   */
  public void assertNoOpenHandles() {
    List<OpenResource> open = openHandles();
    if (open.isEmpty()) {
      return;
    }
    StringBuilder sb = new StringBuilder(open.size() + " leaked handle(s)/lock(s) in SimStoreFs:");
    for (OpenResource r : open) {
      sb.append("\n  ").append(r.kind()).append(' ').append(r.path()).append(" (" + r.mode() + ")");
    }
    AssertionError error = new AssertionError(sb.toString());
    for (OpenResource r : open) {
      error.addSuppressed(r.openedAt());
    }
    throw error;
  }

  /**
   * The volatile content of a file, read without logging or faults: a test helper.
   *
   * @throws NoSuchFileException if no file is at {@code file}
   */
  public byte[] contentOf(Path file) throws IOException {
    synchronized (mutex) {
      String p = pathString(file);
      Loc l = resolve(components(file), true, 0, p);
      if (l.inode < 0 || !inode(l.inode).isFile()) {
        throw new NoSuchFileException(p);
      }
      return inode(l.inode).vol.toByteArray();
    }
  }

  /**
   * The durable content of a file, read without logging or faults: what a {@link
   * CrashProfile#STRICT} crash would leave if the file's entry is durable.
   *
   * @throws NoSuchFileException if no file is at {@code file}
   */
  public byte[] durableContentOf(Path file) throws IOException {
    synchronized (mutex) {
      String p = pathString(file);
      Loc l = resolve(components(file), true, 0, p);
      if (l.inode < 0 || !inode(l.inode).isFile()) {
        throw new NoSuchFileException(p);
      }
      return inode(l.inode).dur.toByteArray();
    }
  }

  /** The current volatile content object of a file: lets tests check structural sharing. */
  Content contentRef(Path file) throws IOException {
    synchronized (mutex) {
      String p = pathString(file);
      Loc l = resolve(components(file), true, 0, p);
      if (l.inode < 0 || !inode(l.inode).isFile()) {
        throw new NoSuchFileException(p);
      }
      return inode(l.inode).vol;
    }
  }

  // =====================================================================================
  // StoreFs
  // =====================================================================================

  /** {@code "sim"}. */
  @Override
  public String name() {
    return "sim";
  }

  /** {@link #CAPABILITIES}. */
  @Override
  public FsCapabilities capabilities() {
    return CAPABILITIES;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Symbolic links to directories along the way are followed. Logged and faultable as {@link
   * FsOp#MKDIR}.
   */
  @Override
  public void createDirectories(Path dir) throws IOException {
    String p = pathString(dir);
    List<String> comps = components(dir);
    run(
        FsOp.MKDIR,
        p,
        null,
        "",
        null,
        a -> {
          int cur = ROOT;
          for (int i = 0; i < comps.size(); i++) {
            Inode d = inode(cur);
            long child = d.volEntries.get(comps.get(i));
            if (child < 0) {
              int id = nextInode++;
              put(Inode.dir(id));
              put(d.withVolEntries(d.volEntries.put(comps.get(i), id)));
              cur = id;
              continue;
            }
            Inode c = inode((int) child);
            if (c.isSymlink()) {
              Loc t = resolveLink(c, comps.subList(0, i), 0, p);
              if (t.inode < 0 || !inode(t.inode).isDir()) {
                throw new FileAlreadyExistsException(p, null, "a non-directory is in the way");
              }
              cur = t.inode;
            } else if (c.isDir()) {
              cur = c.id;
            } else {
              throw new FileAlreadyExistsException(p, null, "a non-directory is in the way");
            }
          }
          return null;
        });
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#LIST}. */
  @Override
  public List<String> list(Path dir) throws IOException {
    String p = pathString(dir);
    return run(
        FsOp.LIST,
        p,
        null,
        "",
        null,
        a -> {
          Loc l = resolve(components(dir), true, 0, p);
          if (l.inode < 0) {
            throw new NoSuchFileException(p);
          }
          Inode d = inode(l.inode);
          if (!d.isDir()) {
            throw new NotDirectoryException(p);
          }
          return d.volEntries.names();
        });
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#EXISTS}. */
  @Override
  public boolean exists(Path path) throws IOException {
    String p = pathString(path);
    return run(
        FsOp.EXISTS,
        p,
        null,
        "",
        null,
        a -> {
          try {
            return resolve(components(path), false, 0, p).inode >= 0;
          } catch (NoSuchFileException e) {
            return false;
          }
        });
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#CREATE}. */
  @Override
  public FileHandle create(Path file) throws IOException {
    String p = pathString(file);
    return run(
        FsOp.CREATE,
        p,
        null,
        "",
        null,
        a -> {
          Loc l = resolve(components(file), false, 0, p);
          if (l.parent < 0) {
            throw new FileAlreadyExistsException(p);
          }
          if (l.inode >= 0) {
            if (inode(l.inode).isSymlink()) {
              throw new SymlinkRefusedException(p, "create");
            }
            throw new FileAlreadyExistsException(p);
          }
          int id = nextInode++;
          put(Inode.file(id));
          Inode parent = inode(l.parent);
          put(parent.withVolEntries(parent.volEntries.put(l.name, id)));
          return newHandle(file, p, id, true);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>A symbolic link at the last component is refused. Logged and faultable as {@link FsOp#OPEN}.
   */
  @Override
  public FileHandle openRead(Path file) throws IOException {
    return open(file, false);
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#OPEN}. */
  @Override
  public FileHandle openWrite(Path file) throws IOException {
    return open(file, true);
  }

  private FileHandle open(Path file, boolean write) throws IOException {
    String p = pathString(file);
    return run(
        FsOp.OPEN,
        p,
        null,
        write ? "write" : "read",
        null,
        a -> {
          Loc l = resolve(components(file), false, 0, p);
          if (l.inode < 0) {
            throw new NoSuchFileException(p);
          }
          Inode n = inode(l.inode);
          if (n.isSymlink()) {
            throw new SymlinkRefusedException(p, write ? "open for writing" : "open for reading");
          }
          if (!n.isFile()) {
            throw new FileSystemException(p, null, "is a directory");
          }
          return newHandle(file, p, n.id, write);
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>A symbolic link at {@code from} or {@code to} is refused with {@link
   * SymlinkRefusedException}. Renaming a file onto itself does nothing. Logged and faultable as
   * {@link FsOp#RENAME}; a rule matches if its glob matches either path.
   *
   * @throws AccessDeniedException in Windows mode, if either file is open or locked
   * @throws DirectoryNotEmptyException if {@code to} is a non-empty directory
   */
  @Override
  public void rename(Path from, Path to, RenameMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    String pf = pathString(from);
    String pt = pathString(to);
    run(
        FsOp.RENAME,
        pf,
        pt,
        mode.name(),
        null,
        a -> {
          doRename(from, pf, to, pt, mode);
          return null;
        });
  }

  private void doRename(Path from, String pf, Path to, String pt, RenameMode mode)
      throws IOException {
    Loc lf = resolve(components(from), false, 0, pf);
    if (lf.inode < 0) {
      throw new NoSuchFileException(pf);
    }
    if (lf.parent < 0) {
      throw new FileSystemException(pf, pt, "cannot rename the root directory");
    }
    Loc lt = resolve(components(to), false, 0, pt);
    if (lt.parent < 0) {
      throw new FileSystemException(pf, pt, "cannot rename onto the root directory");
    }
    if (inode(lf.inode).isSymlink()) {
      throw new SymlinkRefusedException(pf, "rename");
    }
    if (lt.inode >= 0 && inode(lt.inode).isSymlink()) {
      throw new SymlinkRefusedException(pt, "rename");
    }
    if (lt.inode == lf.inode) {
      return; // the same file: POSIX rename does nothing
    }
    if (mode == RenameMode.NO_REPLACE && lt.inode >= 0) {
      throw new FileAlreadyExistsException(pt);
    }
    Inode src = inode(lf.inode);
    if (config.windowsMode()) {
      if (isOpen(lf.inode)) {
        throw new AccessDeniedException(pf, pt, "the file is open (Windows mode)");
      }
      if (lt.inode >= 0 && isOpen(lt.inode)) {
        throw new AccessDeniedException(pt, pf, "the target is open (Windows mode)");
      }
    }
    if (lt.inode >= 0) {
      Inode target = inode(lt.inode);
      if (target.isDir() && !src.isDir()) {
        throw new FileSystemException(pt, pf, "is a directory");
      }
      if (!target.isDir() && src.isDir()) {
        throw new NotDirectoryException(pt);
      }
      if (target.isDir() && target.volEntries.size() > 0) {
        throw new DirectoryNotEmptyException(pt);
      }
    }
    if (src.isDir() && (lt.real + "/").startsWith(lf.real + "/")) {
      throw new FileSystemException(pf, pt, "cannot move a directory into itself");
    }
    Inode pFrom = inode(lf.parent);
    put(pFrom.withVolEntries(pFrom.volEntries.remove(lf.name)));
    Inode pTo = inode(lt.parent);
    put(pTo.withVolEntries(pTo.volEntries.put(lt.name, lf.inode)));
  }

  /**
   * {@inheritDoc}
   *
   * <p>A symbolic link is deleted itself. A directory, empty or not, is refused with a {@link
   * FileSystemException}. Logged and faultable as {@link FsOp#DELETE}.
   *
   * @throws AccessDeniedException in Windows mode, if the file is open or locked
   */
  @Override
  public boolean deleteIfExists(Path file) throws IOException {
    String p = pathString(file);
    return run(
        FsOp.DELETE,
        p,
        null,
        "",
        null,
        a -> {
          Loc l;
          try {
            l = resolve(components(file), false, 0, p);
          } catch (NoSuchFileException e) {
            return false;
          }
          if (l.inode < 0) {
            return false;
          }
          if (l.parent < 0) {
            throw new FileSystemException(p, null, "cannot delete the root directory");
          }
          Inode n = inode(l.inode);
          if (n.isDir()) {
            throw new FileSystemException(
                p, null, "deleteIfExists refused: it is a directory, and only files are deleted");
          }
          if (config.windowsMode() && isOpen(n.id)) {
            throw new AccessDeniedException(p, null, "the file is open (Windows mode)");
          }
          Inode parent = inode(l.parent);
          put(parent.withVolEntries(parent.volEntries.remove(l.name)));
          return true;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Logged and faultable as {@link FsOp#DIR_SYNC}: a lying sync commits nothing; a failed sync
   * commits nothing and throws.
   */
  @Override
  public void syncDirectory(Path dir) throws IOException {
    String p = pathString(dir);
    run(
        FsOp.DIR_SYNC,
        p,
        null,
        "",
        null,
        a -> {
          doSyncDirectory(dir, p, a);
          return null;
        });
  }

  private void doSyncDirectory(Path dir, String p, FaultAction a) throws IOException {
    Loc l = resolve(components(dir), true, 0, p);
    if (l.inode < 0) {
      throw new NoSuchFileException(p);
    }
    Inode d = inode(l.inode);
    if (!d.isDir()) {
      throw new NotDirectoryException(p);
    }
    if (a instanceof FaultAction.LyingSync) {
      return;
    }
    if (a instanceof FaultAction.FailedSync) {
      throw new IOException("injected directory sync failure: " + p);
    }
    put(d.withDurEntries(d.volEntries));
  }

  /**
   * {@inheritDoc}
   *
   * <p>Logged and faultable as {@link FsOp#PUBLISH} (a fault before any step, or a crash after all
   * of them) and then as each step, with its own record and sequence number: {@link FsOp#SYNC} of
   * {@code temp}, {@link FsOp#RENAME} onto {@code target} (replacing it) and {@link FsOp#DIR_SYNC}
   * of the directory. A fault in a step stops the publish there; for example a crash before the
   * directory sync leaves the rename volatile, so a {@link #crash} brings the old target back.
   *
   * @throws IllegalArgumentException if the two paths are not in the same directory
   */
  @Override
  public void publish(Path temp, Path target, SyncMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    String pTemp = pathString(temp);
    String pTarget = pathString(target);
    List<String> cTemp = components(temp);
    List<String> cTarget = components(target);
    run(
        FsOp.PUBLISH,
        pTemp,
        pTarget,
        mode.name(),
        null,
        a -> {
          if (cTemp.isEmpty()
              || cTarget.isEmpty()
              || !cTemp
                  .subList(0, cTemp.size() - 1)
                  .equals(cTarget.subList(0, cTarget.size() - 1))) {
            throw new IllegalArgumentException(
                "publish needs both paths in one directory: " + pTemp + ", " + pTarget);
          }
          Loc lt = resolve(cTarget, false, 0, pTarget);
          if (lt.inode >= 0 && inode(lt.inode).isSymlink()) {
            throw new SymlinkRefusedException(pTarget, "publish");
          }
          Loc ls = resolve(cTemp, false, 0, pTemp);
          if (ls.inode < 0) {
            throw new NoSuchFileException(pTemp);
          }
          Inode src = inode(ls.inode);
          if (src.isSymlink()) {
            throw new SymlinkRefusedException(pTemp, "publish");
          }
          if (!src.isFile()) {
            throw new FileSystemException(pTemp, null, "not a regular file");
          }
          int id = src.id;
          run(
              FsOp.SYNC,
              pTemp,
              null,
              "publish " + mode.name(),
              null,
              s -> {
                doSyncFile(id, pTemp, s);
                return null;
              });
          run(
              FsOp.RENAME,
              pTemp,
              pTarget,
              "publish REPLACE",
              null,
              r -> {
                doRename(temp, pTemp, target, pTarget, RenameMode.REPLACE);
                return null;
              });
          String dirString = pathString(cTarget.subList(0, cTarget.size() - 1));
          Path dir = Path.of(dirString);
          run(
              FsOp.DIR_SYNC,
              dirString,
              null,
              "publish",
              null,
              d -> {
                doSyncDirectory(dir, dirString, d);
                return null;
              });
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>The copy shares pages with its source (copy-on-write) and is entirely un-synced. Logged and
   * faultable as {@link FsOp#COPY}; a rule matches if its glob matches either path.
   */
  @Override
  public void copy(Path from, Path to) throws IOException {
    String pf = pathString(from);
    String pt = pathString(to);
    run(
        FsOp.COPY,
        pf,
        pt,
        "",
        null,
        a -> {
          Loc lf = resolve(components(from), false, 0, pf);
          if (lf.inode < 0) {
            throw new NoSuchFileException(pf);
          }
          Inode src = inode(lf.inode);
          if (src.isSymlink()) {
            throw new SymlinkRefusedException(pf, "copy");
          }
          if (!src.isFile()) {
            throw new FileSystemException(pf, pt, "not a regular file");
          }
          Loc lt = resolve(components(to), false, 0, pt);
          if (lt.inode >= 0 && inode(lt.inode).isSymlink()) {
            throw new SymlinkRefusedException(pt, "copy");
          }
          if (lt.inode >= 0 || lt.parent < 0) {
            throw new FileAlreadyExistsException(pt);
          }
          if (a instanceof FaultAction.NoSpaceQuota) {
            long quota = ((FaultAction.NoSpaceQuota) a).quotaBytes();
            long used = usedBytes();
            if (used + src.vol.size() > quota) {
              throw new NoSpaceException(
                  pt, "injected: quota of " + quota + " bytes exceeded (" + used + " used)");
            }
            actionWasNoop = true;
          }
          int id = nextInode++;
          put(Inode.file(id).withVol(src.vol));
          Inode parent = inode(lt.parent);
          put(parent.withVolEntries(parent.volEntries.put(lt.name, id)));
          return null;
        });
  }

  /**
   * {@inheritDoc}
   *
   * <p>Locks live in this instance only (so {@link FsCapabilities#crossProcessLock()} is false),
   * keyed by the resolved path; a crash, restart or restore releases them all. A missing lock file
   * is created by an {@link LockMode#EXCLUSIVE} lock (volatile, like any create); a {@link
   * LockMode#SHARED} lock of a missing file throws {@link NoSuchFileException} and changes nothing.
   * Logged and faultable as {@link FsOp#LOCK}.
   */
  @Override
  public StoreLock lock(Path lockFile, LockMode mode) throws IOException {
    Objects.requireNonNull(mode, "mode");
    String p = pathString(lockFile);
    return run(
        FsOp.LOCK,
        p,
        null,
        mode.name(),
        null,
        a -> {
          Loc l = resolve(components(lockFile), false, 0, p);
          int id;
          if (l.inode < 0) {
            if (l.parent < 0) {
              throw new FileSystemException(p, null, "cannot lock the root directory");
            }
            if (mode == LockMode.SHARED) {
              throw new NoSuchFileException(
                  p, null, "a SHARED lock never creates its file, and there is none");
            }
            id = nextInode++;
            put(Inode.file(id));
            Inode parent = inode(l.parent);
            put(parent.withVolEntries(parent.volEntries.put(l.name, id)));
          } else {
            Inode n = inode(l.inode);
            if (n.isSymlink()) {
              throw new SymlinkRefusedException(p, "lock");
            }
            if (!n.isFile()) {
              throw new FileSystemException(p, null, "is a directory");
            }
            id = n.id;
          }
          for (SimLock held : locks) {
            if (held.inode == id
                && (mode == LockMode.EXCLUSIVE || held.mode == LockMode.EXCLUSIVE)) {
              throw new LockUnavailableException(
                  p, "held " + held.mode + " by another holder in this simulator");
            }
          }
          SimLock lock = new SimLock(lockFile, p, id, mode);
          locks.add(lock);
          return lock;
        });
  }

  /**
   * Does nothing but log {@code CLOSE_FS}: the simulator keeps serving afterwards, so a test can
   * reopen a store over the same instance. Handles and locks are not closed. Idempotent.
   */
  @Override
  public void close() {
    synchronized (mutex) {
      record(++opCount, "CLOSE_FS", "/", "", "ok", false);
    }
  }

  @Override
  public String toString() {
    return "SimStoreFs[seed=" + config.seed() + ", ops=" + operationCount() + "]";
  }

  // =====================================================================================
  // Handles and locks
  // =====================================================================================

  private SimHandle newHandle(Path path, String p, int id, boolean writable) {
    SimHandle h = new SimHandle(path, p, id, writable);
    handles.add(h);
    return h;
  }

  private boolean isOpen(int id) {
    for (SimHandle h : handles) {
      if (h.inode == id) {
        return true;
      }
    }
    for (SimLock l : locks) {
      if (l.inode == id) {
        return true;
      }
    }
    return false;
  }

  private void invalidateHandlesAndLocks() {
    epoch++;
    handles.clear();
    locks.clear();
  }

  private static Throwable openedHere(String what) {
    return new Throwable(what + " opened here (thread " + Thread.currentThread().getName() + ")");
  }

  /** A handle: valid while not closed and no crash, restart or restore happened since it opened. */
  private final class SimHandle implements FileHandle {
    final Path path;
    final String pathString;
    final int inode;
    final boolean writable;
    final long handleEpoch;
    final Throwable at;
    boolean closed;

    SimHandle(Path path, String pathString, int inode, boolean writable) {
      this.path = path;
      this.pathString = pathString;
      this.inode = inode;
      this.writable = writable;
      this.handleEpoch = epoch;
      this.at = openedHere("handle of " + pathString);
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public boolean writable() {
      return writable;
    }

    private void checkUsable(boolean forWrite) throws IOException {
      if (handleEpoch != epoch) {
        throw new IOException("handle invalidated by a simulated crash: " + pathString);
      }
      if (closed) {
        throw new ClosedChannelException();
      }
      if (forWrite && !writable) {
        throw new NonWritableChannelException();
      }
    }

    private Inode current() {
      return inode(inode);
    }

    @Override
    public long size() throws IOException {
      return run(
          FsOp.SIZE, pathString, null, "", () -> checkUsable(false), a -> current().vol.size());
    }

    @Override
    public void write(ByteBuffer src, long position) throws IOException {
      int len = src.remaining();
      run(
          FsOp.WRITE,
          pathString,
          null,
          "pos=" + position + " len=" + len + " crc32c=" + crc32c(src),
          () -> {
            checkUsable(true);
            if (position < 0) {
              throw new IllegalArgumentException("negative position " + position);
            }
          },
          a -> {
            byte[] data = new byte[len];
            src.duplicate().get(data);
            Inode n = current();
            if (a instanceof FaultAction.ShortWrite) {
              int keep = Math.min(((FaultAction.ShortWrite) a).keep(), len);
              put(n.written(n.vol.write(position, data, 0, keep), position, keep));
              src.position(src.position() + keep);
              throw new IOException(
                  "injected short write: "
                      + keep
                      + " of "
                      + len
                      + " bytes written to "
                      + pathString
                      + " at offset "
                      + position);
            }
            if (a instanceof FaultAction.TornWrite) {
              int keep = Math.min(((FaultAction.TornWrite) a).keep(), len);
              rng.nextBytes(data, keep, len - keep);
            }
            if (a instanceof FaultAction.NoSpaceQuota) {
              long quota = ((FaultAction.NoSpaceQuota) a).quotaBytes();
              long used = usedBytes();
              long size = n.vol.size();
              long growth = Math.max(0, position + len - size);
              if (used + growth > quota) {
                long maxEnd = size + Math.max(0, quota - used);
                int keep = (int) Math.max(0, Math.min(len, maxEnd - position));
                put(n.written(n.vol.write(position, data, 0, keep), position, keep));
                src.position(src.position() + keep);
                throw new NoSpaceException(
                    pathString,
                    "injected: quota of "
                        + quota
                        + " bytes exceeded ("
                        + used
                        + " used); "
                        + keep
                        + " of "
                        + len
                        + " bytes written");
              }
              actionWasNoop = true;
            }
            put(n.written(n.vol.write(position, data, 0, len), position, len));
            src.position(src.limit());
            return null;
          });
    }

    @Override
    public void read(ByteBuffer dst, long position) throws IOException {
      int requested = dst.remaining();
      run(
          FsOp.READ,
          pathString,
          null,
          "pos=" + position + " len=" + requested,
          () -> {
            checkUsable(false);
            if (position < 0) {
              throw new IllegalArgumentException("negative position " + position);
            }
          },
          a -> {
            Content c = current().vol;
            long available = Math.max(0, c.size() - position);
            int n = (int) Math.min(requested, available);
            if (a instanceof FaultAction.ShortRead) {
              n = Math.min(n, ((FaultAction.ShortRead) a).bytes());
            }
            byte[] buf = new byte[n];
            c.read(position, buf, 0, n);
            dst.put(buf);
            if (n < requested) {
              throw new ShortReadException(path, position, requested, n);
            }
            return null;
          });
    }

    @Override
    public void sync(SyncMode mode) throws IOException {
      Objects.requireNonNull(mode, "mode");
      run(
          FsOp.SYNC,
          pathString,
          null,
          mode.name(),
          () -> checkUsable(false),
          a -> {
            doSyncFile(inode, pathString, a);
            return null;
          });
    }

    @Override
    public void truncate(long size) throws IOException {
      run(
          FsOp.TRUNCATE,
          pathString,
          null,
          "size=" + size,
          () -> {
            checkUsable(true);
            if (size < 0) {
              throw new IllegalArgumentException("negative size " + size);
            }
          },
          a -> {
            Inode n = current();
            put(n.truncated(n.vol.truncate(size)));
            return null;
          });
    }

    /**
     * Closes the handle. Idempotent, and never throws: closing a handle a crash invalidated, or
     * closing while the simulator is frozen, is a logged no-op.
     */
    @Override
    public void close() {
      synchronized (mutex) {
        if (closed) {
          return;
        }
        closed = true;
        boolean live = handleEpoch == epoch;
        if (live) {
          handles.remove(this);
        }
        record(++opCount, "CLOSE", pathString, "", live ? "ok" : "ok (invalidated)", false);
      }
    }

    @Override
    public String toString() {
      return "SimHandle[" + pathString + (writable ? ", rw" : ", r") + "]";
    }
  }

  private void doSyncFile(int id, String p, FaultAction a) throws IOException {
    Inode n = inode(id);
    if (a instanceof FaultAction.LyingSync) {
      return;
    }
    if (a instanceof FaultAction.FailedSync) {
      put(n.settled(n.dur));
      throw new IOException("injected fsync failure: the dirty pages of " + p + " were dropped");
    }
    if (a instanceof FaultAction.FailedSyncKeepsPages) {
      // Only what this sync would have written becomes lost: bytes already lost stay lost.
      put(n.withLost(n.lost.union(LostRanges.diff(n.dur, n.writeBack()).clip(n.vol.size()))));
      throw new IOException(
          "injected fsync failure: the dirty pages of "
              + p
              + " stay readable but were marked clean, and will not be written");
    }
    put(n.withDur(n.writeBack()));
  }

  /**
   * A lock: valid while not closed and no crash, restart or restore happened since it was taken.
   */
  private final class SimLock implements StoreLock {
    final Path path;
    final String pathString;
    final int inode;
    final LockMode mode;
    final long lockEpoch;
    final Throwable at;
    boolean closed;

    SimLock(Path path, String pathString, int inode, LockMode mode) {
      this.path = path;
      this.pathString = pathString;
      this.inode = inode;
      this.mode = mode;
      this.lockEpoch = epoch;
      this.at = openedHere("lock " + mode + " of " + pathString);
    }

    @Override
    public Path path() {
      return path;
    }

    @Override
    public LockMode mode() {
      return mode;
    }

    @Override
    public boolean isValid() {
      synchronized (mutex) {
        return !closed && lockEpoch == epoch;
      }
    }

    /** Releases the lock. Idempotent and never throws; logged as {@code UNLOCK}. */
    @Override
    public void close() {
      synchronized (mutex) {
        if (closed) {
          return;
        }
        closed = true;
        boolean live = lockEpoch == epoch;
        if (live) {
          locks.remove(this);
        }
        record(
            ++opCount, "UNLOCK", pathString, mode.name(), live ? "ok" : "ok (invalidated)", false);
      }
    }

    @Override
    public String toString() {
      return "SimLock[" + pathString + ", " + mode + (isValid() ? "" : ", invalid") + "]";
    }
  }

  // =====================================================================================
  // The operation pipeline: frozen check, precheck, fault evaluation, body, log
  // =====================================================================================

  private <T> T run(FsOp op, String p1, String p2, String args, Check precheck, Body<T> body)
      throws IOException {
    synchronized (mutex) {
      long seq = ++opCount;
      String shown = p2 == null ? p1 : p1 + " -> " + p2;
      FaultAction action = null;
      try {
        if (frozen) {
          throw new SimulatedCrashException(
              "the simulator is frozen after a simulated crash ("
                  + frozenReason
                  + "); call crash(profile) or restart()");
        }
        if (precheck != null) {
          precheck.run();
        }
        action = evaluate(op, p1, p2, seq);
        actionWasNoop = false;
        if (action instanceof FaultAction.Fail) {
          throw ((FaultAction.Fail) action).kind().newException(p1, op);
        }
        if (action instanceof FaultAction.CrashBefore) {
          freeze("crash before " + op + " " + shown);
          throw new SimulatedCrashException("simulated crash before " + op + " " + shown);
        }
        T result = body.run(action);
        if (action instanceof FaultAction.CrashAfter) {
          freeze("crash after " + op + " " + shown);
          throw new SimulatedCrashException("simulated crash after " + op + " " + shown);
        }
        record(seq, op.name(), shown, args, describe(result), action != null && !actionWasNoop);
        return result;
      } catch (IOException | RuntimeException e) {
        record(seq, op.name(), shown, args, outcome(e), action != null && !actionWasNoop);
        throw e;
      }
    }
  }

  private void checkNotFrozen(String op, String p) throws SimulatedCrashException {
    if (frozen) {
      SimulatedCrashException e =
          new SimulatedCrashException(
              "the simulator is frozen after a simulated crash ("
                  + frozenReason
                  + "); call crash(profile) or restart()");
      record(++opCount, op, p, "", outcome(e), false);
      throw e;
    }
  }

  private void freeze(String reason) {
    frozen = true;
    frozenReason = reason;
  }

  private FaultAction evaluate(FsOp op, String p1, String p2, long seq) {
    FaultAction chosen = null;
    int n = rules.size();
    for (int i = 0; i <= n; i++) {
      ActiveRule r = i < n ? rules.get(i) : armed;
      if (r == null || !r.rule.matchesOp(op)) {
        continue;
      }
      if (!r.matchesPath(p1) && (p2 == null || !r.matchesPath(p2))) {
        continue;
      }
      boolean fires;
      FaultTrigger t = r.rule.trigger();
      if (t instanceof FaultTrigger.Nth) {
        r.count++;
        fires = r.count == ((FaultTrigger.Nth) t).n();
      } else if (t instanceof FaultTrigger.Probability) {
        fires = rng.nextDouble() < ((FaultTrigger.Probability) t).p();
      } else {
        fires = seq > ((FaultTrigger.AfterOp) t).k();
      }
      if (fires && chosen == null) {
        chosen = r.rule.action();
      }
    }
    return chosen;
  }

  private void record(
      long seq, String op, String path, String args, String outcome, boolean injected) {
    boolean changed = inodes != lastRecordedInodes;
    lastRecordedInodes = inodes;
    if (changed) {
      stateChangingCount++;
    }
    OpRecord r = new OpRecord(seq, op, path, args, outcome, injected, changed);
    log = new LogNode(r, log);
    long h = digest;
    for (byte b : (r + "\n").getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xFF);
      h *= FNV_PRIME;
    }
    digest = h;
    if (changed && config.recordSnapshots()) {
      recorded.add(snapshot());
    }
  }

  private static String crc32c(ByteBuffer src) {
    CRC32C crc = new CRC32C();
    crc.update(src.duplicate());
    return Long.toHexString(crc.getValue());
  }

  private static String describe(Object result) {
    if (result == null || result instanceof FileHandle || result instanceof StoreLock) {
      return "ok";
    }
    return "ok " + result;
  }

  private static String outcome(Throwable e) {
    return e.getClass().getSimpleName() + ": " + e.getMessage();
  }

  // =====================================================================================
  // Namespace
  // =====================================================================================

  private Inode inode(int id) {
    Inode n = inodes.get(id);
    if (n == null) {
      throw new IllegalStateException("simulator bug: no inode " + id);
    }
    return n;
  }

  private void put(Inode n) {
    inodes = inodes.set(n.id, n);
  }

  /** Where a path leads: its parent directory, its last name, and its inode or -1. */
  private static final class Loc {
    final int parent;
    final String name;
    final int inode;
    final String real;

    Loc(int parent, String name, int inode, String real) {
      this.parent = parent;
      this.name = name;
      this.inode = inode;
      this.real = real;
    }
  }

  /** The normalised components of {@code p}, resolved against the virtual root. */
  static List<String> components(Path p) {
    Objects.requireNonNull(p, "path");
    List<String> out = new ArrayList<>();
    for (Path name : p) {
      addComponent(out, name.toString());
    }
    return out;
  }

  private static void addComponent(List<String> out, String name) {
    if (name.isEmpty() || ".".equals(name)) {
      return;
    }
    if ("..".equals(name)) {
      if (!out.isEmpty()) {
        out.remove(out.size() - 1);
      }
      return;
    }
    out.add(name);
  }

  static String pathString(Path p) {
    return pathString(components(p));
  }

  static String pathString(List<String> comps) {
    return comps.isEmpty() ? "/" : "/" + String.join("/", comps);
  }

  /**
   * Resolves {@code comps}, following symbolic links to directories along the way and, if {@code
   * followLeaf}, at the end.
   */
  private Loc resolve(List<String> comps, boolean followLeaf, int hops, String shown)
      throws IOException {
    if (hops > MAX_SYMLINK_HOPS) {
      throw new FileSystemException(shown, null, "too many levels of symbolic links");
    }
    if (comps.isEmpty()) {
      return new Loc(-1, "", ROOT, "/");
    }
    int cur = ROOT;
    List<String> walked = new ArrayList<>();
    for (int i = 0; i < comps.size(); i++) {
      String name = comps.get(i);
      Inode dir = inode(cur);
      long child = dir.volEntries.get(name);
      if (i == comps.size() - 1) {
        if (child >= 0 && followLeaf && inode((int) child).isSymlink()) {
          return resolveLink(inode((int) child), walked, hops + 1, shown);
        }
        walked.add(name);
        return new Loc(cur, name, (int) child, pathString(walked));
      }
      if (child < 0) {
        throw new NoSuchFileException(
            shown, null, "no such directory: " + pathString(comps.subList(0, i + 1)));
      }
      Inode c = inode((int) child);
      if (c.isSymlink()) {
        Loc t = resolveLink(c, walked, hops + 1, shown);
        if (t.inode < 0) {
          throw new NoSuchFileException(
              shown, null, "dangling link: " + pathString(comps.subList(0, i + 1)));
        }
        cur = t.inode;
        walked = new ArrayList<>();
        for (String part : t.real.split("/")) {
          addComponent(walked, part);
        }
      } else {
        cur = c.id;
        walked.add(name);
      }
      if (!inode(cur).isDir()) {
        // A path below a non-directory does not exist (StoreFs, "Missing paths").
        throw new NoSuchFileException(
            shown, null, "not a directory: " + pathString(comps.subList(0, i + 1)));
      }
    }
    throw new AssertionError("unreachable");
  }

  private Loc resolveLink(Inode link, List<String> linkDir, int hops, String shown)
      throws IOException {
    List<String> target = new ArrayList<>();
    String t = link.linkTarget;
    if (!t.startsWith("/")) {
      target.addAll(linkDir);
    }
    for (String part : t.split("/")) {
      addComponent(target, part);
    }
    return resolve(target, true, hops, shown);
  }

  /** Bytes of file content reachable through volatile entries, each file counted once. */
  private long usedBytes() {
    long total = 0;
    BitSet seen = new BitSet();
    Deque<Integer> todo = new ArrayDeque<>();
    todo.push(ROOT);
    seen.set(ROOT);
    while (!todo.isEmpty()) {
      Inode n = inode(todo.pop());
      if (n.isFile()) {
        total += n.vol.size();
      } else if (n.isDir()) {
        for (int i = 0; i < n.volEntries.size(); i++) {
          int child = (int) n.volEntries.inodeAt(i);
          if (!seen.get(child)) {
            seen.set(child);
            todo.push(child);
          }
        }
      }
    }
    return total;
  }

  // =====================================================================================
  // Tears
  // =====================================================================================

  private Content tear(Content dur, Content vol, CrashProfile profile) {
    if (vol == dur || profile == CrashProfile.STRICT) {
      return dur;
    }
    long d = dur.size();
    long v = vol.size();
    if (profile == CrashProfile.PREFIX) {
      if (v <= d) {
        return dur;
      }
      long keep = rng.nextLong(v - d + 1);
      return copyRange(dur, vol, d, keep);
    }
    final int s = CrashProfile.SECTOR_SIZE;
    long len;
    if (v > d) {
      long firstBoundary = (d / s + 1) * s;
      long boundaries = firstBoundary < v ? (v - 1 - firstBoundary) / s + 1 : 0;
      long pick = rng.nextLong(boundaries + 2);
      len = pick == 0 ? d : pick == boundaries + 1 ? v : firstBoundary + (pick - 1) * s;
    } else if (v < d) {
      len = rng.nextInt(2) == 0 ? d : v;
    } else {
      len = d;
    }
    Content result = dur.truncate(len);
    int pages = Content.pagesFor(Math.max(d, v));
    byte[] buf = new byte[s];
    for (int i = 0; i < pages; i++) {
      long start = (long) i * s;
      if (start >= len) {
        break;
      }
      if (Content.samePage(dur, vol, i)) {
        continue;
      }
      int n = (int) Math.min(s, len - start);
      int fate = rng.nextInt(3);
      if (fate == 0) { // kept: the new bytes landed
        vol.read(start, buf, 0, n);
        result = result.write(start, buf, 0, n);
      } else if (fate == 2) { // garbage, only where un-synced writes changed bytes
        byte[] now = new byte[n];
        byte[] was = new byte[n];
        vol.read(start, now, 0, n);
        dur.read(start, was, 0, n);
        result.read(start, buf, 0, n);
        byte[] noise = new byte[n];
        rng.nextBytes(noise, 0, n);
        for (int k = 0; k < n; k++) {
          if (start + k >= d || now[k] != was[k]) {
            buf[k] = noise[k];
          }
        }
        result = result.write(start, buf, 0, n);
      } // fate 1: old, the write never landed
    }
    return result;
  }

  private static Content copyRange(Content into, Content from, long pos, long len) {
    Content out = into;
    byte[] buf = new byte[Content.PAGE];
    long done = 0;
    while (done < len) {
      int n = (int) Math.min(buf.length, len - done);
      from.read(pos + done, buf, 0, n);
      out = out.write(pos + done, buf, 0, n);
      done += n;
    }
    return out;
  }
}
