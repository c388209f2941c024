package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.port.FileHandle;
import io.batpak.port.FsCapabilities;
import io.batpak.port.LockMode;
import io.batpak.port.RenameMode;
import io.batpak.port.StoreFs;
import io.batpak.port.StoreLock;
import io.batpak.port.SymlinkRefusedException;
import io.batpak.port.SyncMode;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

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
@API(status = EXPERIMENTAL, since = "0.1")
public final class SimStoreFs implements StoreFs {

  /**
   * The capabilities of a simulator: everything but a lock that other processes see and a reflink.
   * One built with {@link Builder#mappedReads(boolean) mappedReads(false)} or in {@link
   * Builder#windowsMode(boolean) Windows mode} reports these with {@link
   * FsCapabilities#mappedReads()} false, and refuses {@link io.batpak.port.FileHandle#map}.
   */
  public static final FsCapabilities CAPABILITIES =
      new FsCapabilities(true, true, true, false, true, "sim", true, false, true);

  private static final FsCapabilities WITHOUT_MAPS =
      new FsCapabilities(true, true, true, false, true, "sim", true, false, false);

  /** The settings an instance is built with; carried by snapshots. */
  record Config(long seed, boolean windowsMode, boolean recordSnapshots, boolean mappedReads) {

    /** Whether handles offer {@link io.batpak.port.FileHandle#map}. */
    boolean maps() {
      return mappedReads && !windowsMode;
    }
  }

  // The work lives in rooms (see SimState): this class is the published contract, the builder,
  // and a thin front door over the state and the StoreFs operations.
  private final SimState sim;
  private final StoreFsOperations ops;

  /**
   * Creates an empty simulator (only the root directory {@code /}, durable) with the given seed, no
   * faults and default strictness.
   *
   * @param seed the seed of every random choice the simulator makes
   */
  public SimStoreFs(long seed) {
    this(new Config(seed, false, false, true), FaultPlan.none());
  }

  private SimStoreFs(Config config, FaultPlan plan) {
    this.sim = new SimState(config, plan);
    this.ops = new StoreFsOperations(sim);
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
    fs.sim.restore(snapshot);
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
    private boolean mappedReads = true;
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

    /**
     * Whether handles offer {@link io.batpak.port.FileHandle#map} (default on; never in {@link
     * #windowsMode(boolean) Windows mode}, as Windows refuses to delete a mapped file). Off, the
     * simulator is a backend without the capability: {@link FsCapabilities#mappedReads()} is false
     * and {@code map} throws {@link io.batpak.port.UnsupportedFsOperationException}.
     *
     * @since 0.2
     */
    public Builder mappedReads(boolean on) {
      this.mappedReads = on;
      return this;
    }

    /** Creates the simulator. */
    public SimStoreFs build() {
      return new SimStoreFs(new Config(seed, windowsMode, recordSnapshots, mappedReads), plan);
    }
  }

  // =====================================================================================
  // Control API
  // =====================================================================================

  /** The seed this simulator was built with. */
  public long seed() {
    return sim.config.seed();
  }

  /** Whether {@link Builder#windowsMode(boolean)} is on. */
  public boolean windowsMode() {
    return sim.config.windowsMode();
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
    synchronized (sim.mutex) {
      sim.crash(profile);
    }
  }

  /**
   * Simulates a crash of the process, not the machine: every handle and lock becomes invalid, and
   * all state, volatile included, stays (the operating system still has it). Unfreezes a simulator
   * frozen by a crash fault. Logged as {@code RESTART}.
   */
  public void restart() {
    synchronized (sim.mutex) {
      sim.restart();
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
    synchronized (sim.mutex) {
      sim.syncAll();
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
    sim.createSymlink(link, target);
  }

  /**
   * Replaces the whole fault plan; every rule's counter starts at zero. The slot of {@link
   * #armFaultOn} is kept.
   */
  public void setFaultPlan(FaultPlan plan) {
    Objects.requireNonNull(plan, "plan");
    synchronized (sim.mutex) {
      sim.faults.setPlan(plan);
    }
  }

  /** Adds {@code rule} after the current rules, with its counter at zero. */
  public void addFault(FaultRule rule) {
    Objects.requireNonNull(rule, "rule");
    synchronized (sim.mutex) {
      sim.faults.add(rule);
    }
  }

  /** The current fault plan (without the {@link #armFaultOn} slot). */
  public FaultPlan faultPlan() {
    synchronized (sim.mutex) {
      return sim.faults.plan();
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
    synchronized (sim.mutex) {
      sim.faults.arm(rule);
    }
  }

  /** Removes every fault rule, the {@link #armFaultOn} slot included. */
  public void clearFaults() {
    synchronized (sim.mutex) {
      sim.faults.clear();
    }
  }

  /** Whether a crash fault has frozen the simulator (until {@link #crash} or {@link #restart}). */
  public boolean isFrozen() {
    synchronized (sim.mutex) {
      return sim.frozen();
    }
  }

  /**
   * Takes a snapshot of the whole state in O(1) (see {@link SimSnapshot}). Open handles and locks
   * are not part of it.
   */
  public SimSnapshot snapshot() {
    return sim.snapshot();
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
    sim.restore(snapshot);
  }

  /**
   * The snapshots taken after each state-changing operation when {@link
   * Builder#recordSnapshots(boolean)} is on (empty otherwise), oldest first.
   */
  public List<SimSnapshot> recordedSnapshots() {
    synchronized (sim.mutex) {
      return sim.recordedSnapshots();
    }
  }

  /** Forgets the {@link #recordedSnapshots()} taken so far. */
  public void clearRecordedSnapshots() {
    synchronized (sim.mutex) {
      sim.clearRecordedSnapshots();
    }
  }

  /** The op log, oldest first. Built on each call: O(length). */
  public List<OpRecord> opLog() {
    synchronized (sim.mutex) {
      return sim.log.records();
    }
  }

  /** The running 64-bit FNV-1a digest of the op log: the determinism witness. */
  public long digest() {
    synchronized (sim.mutex) {
      return sim.log.digest();
    }
  }

  /** The number of operations logged so far (file system, handle, lock and control calls). */
  public long operationCount() {
    synchronized (sim.mutex) {
      return sim.log.operationCount();
    }
  }

  /** The number of logged operations that changed the simulated disk ({@link OpRecord}). */
  public long stateChangingOperationCount() {
    synchronized (sim.mutex) {
      return sim.log.stateChangingCount();
    }
  }

  /** The handles still open, then the locks still held, each in the order they were opened. */
  public List<OpenResource> openHandles() {
    synchronized (sim.mutex) {
      return sim.open.list();
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
    return contentRef(file).toByteArray();
  }

  /**
   * The durable content of a file, read without logging or faults: what a {@link
   * CrashProfile#STRICT} crash would leave if the file's entry is durable.
   *
   * @throws NoSuchFileException if no file is at {@code file}
   */
  public byte[] durableContentOf(Path file) throws IOException {
    return sim.file(file).dur.toByteArray();
  }

  /** The current volatile content object of a file: lets tests check structural sharing. */
  Content contentRef(Path file) throws IOException {
    return sim.file(file).vol;
  }

  // =====================================================================================
  // StoreFs
  // =====================================================================================

  /** {@code "sim"}. */
  @Override
  public String name() {
    return "sim";
  }

  /**
   * {@link #CAPABILITIES}, with {@link FsCapabilities#mappedReads()} false when {@link
   * Builder#mappedReads(boolean)} is off or in Windows mode.
   */
  @Override
  public FsCapabilities capabilities() {
    return sim.config.maps() ? CAPABILITIES : WITHOUT_MAPS;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Symbolic links to directories along the way are followed. Logged and faultable as {@link
   * FsOp#MKDIR}.
   */
  @Override
  public void createDirectories(Path dir) throws IOException {
    ops.createDirectories(dir);
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#LIST}. */
  @Override
  public List<String> list(Path dir) throws IOException {
    return ops.list(dir);
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#EXISTS}. */
  @Override
  public boolean exists(Path path) throws IOException {
    return ops.exists(path);
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#CREATE}. */
  @Override
  public FileHandle create(Path file) throws IOException {
    return ops.create(file);
  }

  /**
   * {@inheritDoc}
   *
   * <p>A symbolic link at the last component is refused. Logged and faultable as {@link FsOp#OPEN}.
   */
  @Override
  public FileHandle openRead(Path file) throws IOException {
    return ops.open(file, false);
  }

  /** {@inheritDoc} Logged and faultable as {@link FsOp#OPEN}. */
  @Override
  public FileHandle openWrite(Path file) throws IOException {
    return ops.open(file, true);
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
    ops.rename(from, to, mode);
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
    return ops.deleteIfExists(file);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Logged and faultable as {@link FsOp#DIR_SYNC}: a lying sync commits nothing; a failed sync
   * commits nothing and throws.
   */
  @Override
  public void syncDirectory(Path dir) throws IOException {
    ops.syncDirectory(dir);
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
    ops.publish(temp, target, mode);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The copy shares pages with its source (copy-on-write) and is entirely un-synced. Logged and
   * faultable as {@link FsOp#COPY}; a rule matches if its glob matches either path.
   */
  @Override
  public void copy(Path from, Path to) throws IOException {
    ops.copy(from, to);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The two names reach one inode: content, and what of it is durable, are shared; the new entry
   * is lost by a crash until its directory is synced, exactly as a create. Logged and faultable as
   * {@link FsOp#LINK}; a rule matches if its glob matches either path.
   */
  @Override
  public void link(Path existing, Path newLink) throws IOException {
    ops.link(existing, newLink);
  }

  /**
   * {@inheritDoc}
   *
   * <p>The removal is undone by a crash until the parent is synced. Logged and faultable as {@link
   * FsOp#RMDIR}.
   */
  @Override
  public void deleteDirectory(Path dir) throws IOException {
    ops.deleteDirectory(dir);
  }

  /**
   * Refused with {@link io.batpak.port.UnsupportedFsOperationException}: the simulator does not
   * model shared blocks ({@link FsCapabilities#reflinks()} is false). Not logged.
   */
  @Override
  public void reflink(Path from, Path to) throws IOException {
    throw new io.batpak.port.UnsupportedFsOperationException(
        "reflink of " + from + " to " + to + ": the sim backend has no reflink; use link or copy");
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
    return ops.lock(lockFile, mode);
  }

  /**
   * Does nothing but log {@code CLOSE_FS}: the simulator keeps serving afterwards, so a test can
   * reopen a store over the same instance. Handles and locks are not closed. Idempotent.
   */
  @Override
  public void close() {
    synchronized (sim.mutex) {
      sim.logControl("CLOSE_FS", "/", "", "ok");
    }
  }

  @Override
  public String toString() {
    return "SimStoreFs[seed=" + sim.config.seed() + ", ops=" + operationCount() + "]";
  }
}
