package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.AppendReceipt;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.fs.sim.CrashProfile;
import io.batpak.fs.sim.FaultRule;
import io.batpak.fs.sim.FsOp;
import io.batpak.fs.sim.SimEntropy;
import io.batpak.fs.sim.SimStoreClock;
import io.batpak.fs.sim.SimStoreFs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.apiguardian.api.API;
import org.jspecify.annotations.Nullable;

/**
 * One test's store on the simulated filesystem, given to a test method by {@link BatpakTest}. The
 * filesystem ({@link SimStoreFs}), clock ({@link SimStoreClock}) and entropy ({@link SimEntropy})
 * are seeded from the test's seed and live as long as the test, across every reopen, so one seed
 * replays one history; the store runs in deterministic mode (its committer runs on the caller's
 * thread).
 *
 * <pre>{@code
 * Store store = sim.open(config -> config.eventTypes(OrderPlaced.class));
 * store.appendTyped(order, new OrderPlaced("A-1"));
 * store = sim.crashAndReopen(CrashProfile.SECTOR); // a power loss, then a fresh open
 * }</pre>
 *
 * <p>The {@link Store} this class returns records every receipt its append methods return ({@code
 * append}, {@code appendEncoded}, {@code appendTyped}, {@code appendBatch}, {@code appendDenial},
 * and {@code submit} and {@code submitEncoded} when their futures complete): these are what the
 * test was acknowledged, and what the invariant check after the test proves were not lost. Events
 * appended otherwise (through a visibility fence, the outbox or a reactor) are not recorded.
 *
 * <p>The kit owns the store and the filesystem: it closes both after the test (a test may close the
 * store itself earlier). Not thread-safe: call it from the test's thread; the {@link Store} it
 * returns is as thread-safe as any store.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SimStore {

  /** The directory of the store in the simulated filesystem: {@code /sim/store}. */
  public static final Path DIRECTORY = Path.of("/sim/store");

  private final long seed;
  private final SimStoreFs fs;
  private final SimStoreClock clock = new SimStoreClock();
  private final SimEntropy entropy;
  private final Receipts receipts = new Receipts();
  private Consumer<StoreConfig.Builder> settings = b -> {};
  private @Nullable RecordingStore current;
  private boolean opened;

  SimStore(long seed) {
    this.seed = seed;
    this.fs = new SimStoreFs(seed);
    this.entropy = new SimEntropy(seed);
    try {
      fs.createDirectories(DIRECTORY);
      fs.syncAll(); // the directory survives every crash the test simulates
    } catch (IOException e) {
      throw new UncheckedIOException("setting up the simulated filesystem (seed " + seed + ")", e);
    }
  }

  /** The test's seed, which seeded the filesystem and the entropy. */
  public long seed() {
    return seed;
  }

  /** The simulated filesystem: fault plans, snapshots, the op log ({@code fs-sim/README.md}). */
  public SimStoreFs fs() {
    return fs;
  }

  /** The simulated clock the store reads; {@link SimStoreClock#advance} moves it. */
  public SimStoreClock clock() {
    return clock;
  }

  /**
   * Opens the store with the default configuration. Same as {@code open(config -> {})}.
   *
   * @return the store
   * @throws IllegalStateException if a store is open
   * @throws io.batpak.StoreException as {@link Store#open} throws it
   */
  public Store open() {
    return open(b -> {});
  }

  /**
   * Opens the store in {@link #DIRECTORY} on the simulator. The kit sets the filesystem, the clock,
   * the entropy and deterministic mode, then {@code settings} adds the test's own settings (event
   * types, durability, segment size ...); the kit keeps {@code settings} and applies them again at
   * every reopen.
   *
   * @param settings the test's settings; must not change the filesystem, clock, entropy or
   *     deterministic mode
   * @return the store, which records the receipts it returns
   * @throws IllegalStateException if a store is open
   * @throws IllegalArgumentException if {@code settings} changed the filesystem, clock, entropy or
   *     deterministic mode (the replay depends on them)
   * @throws io.batpak.StoreException as {@link Store#open} throws it
   */
  public Store open(Consumer<StoreConfig.Builder> settings) {
    Objects.requireNonNull(settings, "settings");
    if (current != null && !current.isClosed()) {
      throw new IllegalStateException(
          "a store is already open (seed " + seed + "): close it, or call reopen()");
    }
    StoreConfig config = config(settings);
    this.settings = settings;
    return start(config);
  }

  /**
   * The store the last {@link #open}, {@link #reopen} or {@link #crashAndReopen} returned.
   *
   * @return the open store
   * @throws IllegalStateException if none is open
   */
  public Store store() {
    if (current == null || current.isClosed()) {
      throw new IllegalStateException("no store is open: call open() first");
    }
    return current.proxy();
  }

  /**
   * Closes the store cleanly and opens it again with the same settings.
   *
   * @return the reopened store
   * @throws IllegalStateException if no store was opened yet
   * @throws io.batpak.StoreException as {@link Store#close} and {@link Store#open} throw it
   */
  public Store reopen() {
    requireOpened();
    if (current != null && !current.isClosed()) {
      current.proxy().close();
    }
    return start(config(settings));
  }

  /**
   * A power loss, then a fresh open: {@link SimStoreFs#crash(CrashProfile)} (every handle and lock
   * of the running store becomes invalid, and what was not synced is lost or torn as {@code
   * profile} says), the running store is abandoned without a close (as a process that lost power
   * never closes), and the store is opened again with the same settings, running recovery.
   *
   * <p>In {@link io.batpak.Durability#VISIBLE} mode an acknowledged event may be lost by the crash
   * when no fsync covered it yet; the kit then stops expecting the events past the durable
   * watermark the crash cut. In the default {@code DURABLE} mode every acknowledged event must
   * survive.
   *
   * @param profile what the power loss keeps of un-synced data
   * @return the reopened store
   * @throws IllegalStateException if no store was opened yet
   * @throws io.batpak.StoreException as {@link Store#open} throws it (recovery refused the state)
   */
  public Store crashAndReopen(CrashProfile profile) {
    Objects.requireNonNull(profile, "profile");
    requireOpened();
    if (current != null) {
      receipts.keepDurable(current.durableAtLoss());
    }
    fs.crash(profile);
    current = null;
    return start(config(settings));
  }

  /**
   * Arms the simulator's one-shot fault: the {@code nth} (1-based) operation of kind {@code op}
   * from now on fails with an {@link IOException}. Same as {@link SimStoreFs#armFaultOn}.
   *
   * @param op the kind of operation, for example {@link FsOp#SYNC}
   * @param nth which one, from 1
   * @throws IllegalArgumentException if {@code nth} is less than 1
   */
  public void failNth(FsOp op, int nth) {
    fs.armFaultOn(op, nth);
  }

  /**
   * Adds fault rules to the simulator's plan, each with its counter at zero now.
   *
   * @param rules the rules, for example {@code FaultRule.on(FsOp.WRITE, FaultTrigger.nth(2),
   *     FaultAction.tornWrite(10))}
   */
  public void inject(FaultRule... rules) {
    Objects.requireNonNull(rules, "rules");
    for (FaultRule rule : rules) {
      fs.addFault(Objects.requireNonNull(rule, "rules[i]"));
    }
  }

  /**
   * The receipts the test was acknowledged through the kit's store so far, in the order they were
   * returned, without duplicates (an idempotent retry returns the original receipt), and without
   * those a {@code VISIBLE}-mode crash was allowed to lose.
   *
   * @return an immutable copy
   */
  public List<AppendReceipt> acknowledged() {
    return receipts.all();
  }

  @Override
  public String toString() {
    return "SimStore[seed " + seed + ", " + (current == null ? "no store" : "store open") + "]";
  }

  // ---------------------------------------------------------------------------------------------
  // For the extension
  // ---------------------------------------------------------------------------------------------

  /** Whether a store was ever opened. */
  boolean opened() {
    return opened;
  }

  /** The running store, or null. */
  @Nullable RecordingStore running() {
    return current;
  }

  /** Forgets the running store (it was closed or abandoned by the caller). */
  void forgetRunning() {
    current = null;
  }

  Receipts receipts() {
    return receipts;
  }

  /** A configuration with the test's settings, for the invariant check's reopen. */
  StoreConfig config() {
    return config(settings);
  }

  /** Closes the filesystem. */
  void closeFs() {
    fs.close();
  }

  private void requireOpened() {
    if (!opened) {
      throw new IllegalStateException("no store was opened yet: call open() first");
    }
  }

  private Store start(StoreConfig config) {
    RecordingStore store = RecordingStore.wrap(Store.open(config), receipts);
    current = store;
    opened = true;
    return store.proxy();
  }

  private StoreConfig config(Consumer<StoreConfig.Builder> settings) {
    StoreConfig.Builder builder =
        StoreConfig.builder(DIRECTORY).fs(fs).clock(clock).entropy(entropy).deterministic(true);
    settings.accept(builder);
    StoreConfig config = builder.build();
    String changed =
        config.fs().orElse(null) != fs
            ? "the filesystem"
            : config.clock() != clock
                ? "the clock"
                : config.entropy() != entropy
                    ? "the entropy"
                    : !config.deterministic()
                        ? "deterministic mode"
                        : !config.directory().equals(DIRECTORY) ? "the directory" : null;
    if (changed != null) {
      throw new IllegalArgumentException(
          "the settings passed to SimStore.open changed "
              + changed
              + ", which the kit sets so that seed "
              + seed
              + " replays the test: remove that setting (use sim.fs(), sim.clock() to reach them)");
    }
    return config;
  }
}
