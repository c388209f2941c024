package io.batpak.metrics;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.OpenReport;
import io.batpak.StoreListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apiguardian.api.API;

/**
 * A store's {@link StoreListener} that records what it reports as Micrometer meters. Bind it to a
 * registry and hand it to the store:
 *
 * <pre>{@code
 * StoreListener metrics = BatpakMetrics.bind(registry, Tags.of("store", "orders"));
 * Store store = Store.open(StoreConfig.builder(dir).listener(metrics).build());
 * }</pre>
 *
 * <p>The meters, their units and tags are listed in {@code docs/metrics.md}: {@value #EVENTS},
 * {@value #BYTES}, {@value #GROUP_SIZE}, {@value #FSYNC}, {@value #QUEUE_DEPTH}, {@value
 * #WATERMARK}, {@value #WATERMARK_LAG}, {@value #OPEN}, {@value #OPEN_PHASE}, {@value #CURSOR_LAG},
 * {@value #COMPACTION_READ}, {@value #COMPACTION_PROGRESS}. Every meter carries the tags given to
 * {@link #bind(MeterRegistry, Iterable)}; give each store of a registry its own (for example {@code
 * store=<name>}), or two stores add up in one meter.
 *
 * <p>Thread-safe: the store reports from its committer, opening, cursor and compacting threads.
 * Each report updates meters registered at bind time (a cursor's lag gauge is registered at its
 * first checkpoint, an open's phase timers are looked up once per open), so a report on the commit
 * path allocates nothing. The gauges hold their state strongly: the registry keeps this instance
 * alive as long as it keeps the meters.
 *
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public final class BatpakMetrics implements StoreListener {

  /** Counter of events committed (unit: events). */
  public static final String EVENTS = "batpak.append.events";

  /** Counter of journal bytes written by group commits (unit: bytes). */
  public static final String BYTES = "batpak.append.bytes";

  /** Distribution of events per group commit: its count is the number of groups. */
  public static final String GROUP_SIZE = "batpak.commit.group.size";

  /** Timer of journal fsyncs, with a percentile histogram. */
  public static final String FSYNC = "batpak.fsync";

  /** Distribution of appends queued when the committer took a group. */
  public static final String QUEUE_DEPTH = "batpak.commit.queue.depth";

  /** Gauges of the watermarks, tag {@code watermark} = written, durable or visible (events). */
  public static final String WATERMARK = "batpak.watermark";

  /** Gauge of events visible but not yet durable (VISIBLE mode; 0 in DURABLE mode). */
  public static final String WATERMARK_LAG = "batpak.watermark.lag";

  /** Timer of whole opens. */
  public static final String OPEN = "batpak.open";

  /** Timer of each open phase, tag {@code phase}. */
  public static final String OPEN_PHASE = "batpak.open.phase";

  /** Gauge of events a cursor's checkpoint is behind, tag {@code cursor} = its checkpoint id. */
  public static final String CURSOR_LAG = "batpak.cursor.lag";

  /** Gauge of bytes the running (or last) compaction read (unit: bytes). */
  public static final String COMPACTION_READ = "batpak.compaction.read";

  /** Gauge of the running (or last) compaction's progress, from 0 to 1. */
  public static final String COMPACTION_PROGRESS = "batpak.compaction.progress";

  private final MeterRegistry registry;
  private final Tags tags;
  private final Counter events;
  private final Counter bytes;
  private final DistributionSummary groupSize;
  private final Timer fsync;
  private final DistributionSummary queueDepth;
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong durable = new AtomicLong();
  private final AtomicLong visible = new AtomicLong();
  private final Timer open;
  private final ConcurrentHashMap<String, AtomicLong> cursorLags = new ConcurrentHashMap<>();
  private final AtomicLong compactionDone = new AtomicLong();
  private final AtomicLong compactionTotal = new AtomicLong();

  private BatpakMetrics(MeterRegistry registry, Tags tags) {
    this.registry = registry;
    this.tags = tags;
    this.events =
        Counter.builder(EVENTS)
            .description("events committed")
            .baseUnit("events")
            .tags(tags)
            .register(registry);
    this.bytes =
        Counter.builder(BYTES)
            .description("journal bytes written by group commits")
            .baseUnit("bytes")
            .tags(tags)
            .register(registry);
    this.groupSize =
        DistributionSummary.builder(GROUP_SIZE)
            .description("events per group commit")
            .baseUnit("events")
            .tags(tags)
            .register(registry);
    this.fsync =
        Timer.builder(FSYNC)
            .description("fsync of the journal's active segment")
            .publishPercentileHistogram()
            .tags(tags)
            .register(registry);
    this.queueDepth =
        DistributionSummary.builder(QUEUE_DEPTH)
            .description("appends queued when the committer took a group")
            .baseUnit("appends")
            .tags(tags)
            .register(registry);
    watermark("written", written);
    watermark("durable", durable);
    watermark("visible", visible);
    Gauge.builder(WATERMARK_LAG, this, BatpakMetrics::visibleNotDurable)
        .description("events visible but not yet durable")
        .baseUnit("events")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    this.open = Timer.builder(OPEN).description("opening the store").tags(tags).register(registry);
    Gauge.builder(COMPACTION_READ, compactionDone, AtomicLong::get)
        .description("bytes the running or last compaction read")
        .baseUnit("bytes")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder(COMPACTION_PROGRESS, this, BatpakMetrics::compactionRatio)
        .description("progress of the running or last compaction, 0 to 1")
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  /**
   * Registers the meters in {@code registry} with no extra tags; for a registry that serves one
   * store.
   *
   * @return the listener to pass to {@link io.batpak.StoreConfig.Builder#listener}
   * @throws NullPointerException if {@code registry} is null
   */
  public static BatpakMetrics bind(MeterRegistry registry) {
    return bind(registry, Tags.empty());
  }

  /**
   * Registers the meters in {@code registry}, each with {@code tags}.
   *
   * @param tags tags every meter carries, for example {@code Tags.of("store", "orders")}
   * @return the listener to pass to {@link io.batpak.StoreConfig.Builder#listener}
   * @throws NullPointerException if an argument is null
   */
  public static BatpakMetrics bind(MeterRegistry registry, Iterable<Tag> tags) {
    Objects.requireNonNull(registry, "registry");
    Objects.requireNonNull(tags, "tags");
    return new BatpakMetrics(registry, Tags.of(tags));
  }

  private void watermark(String which, AtomicLong value) {
    Gauge.builder(WATERMARK, value, AtomicLong::get)
        .description("global sequences below the watermark")
        .baseUnit("events")
        .tags(tags)
        .tag("watermark", which)
        .strongReference(true)
        .register(registry);
  }

  private double visibleNotDurable() {
    return Math.max(0, visible.get() - durable.get());
  }

  private double compactionRatio() {
    long total = compactionTotal.get();
    return total <= 0 ? 0 : Math.min(1.0, (double) compactionDone.get() / total);
  }

  @Override
  public void opened(OpenReport report) {
    open.record(Duration.ofNanos(report.elapsedMicros() * 1_000));
    for (OpenReport.Phase p : report.indexLoad().phases()) {
      Timer.builder(OPEN_PHASE)
          .description("one phase of opening the store")
          .tags(tags)
          .tag("phase", p.name())
          .register(registry)
          .record(p.micros(), TimeUnit.MICROSECONDS);
    }
    written.set(report.eventsRecovered());
    durable.set(report.eventsRecovered());
    visible.set(report.eventsRecovered());
  }

  @Override
  public void groupCommitted(int events, long bytes) {
    this.events.increment(events);
    this.bytes.increment(bytes);
    groupSize.record(events);
  }

  @Override
  public void synced(long nanos) {
    fsync.record(nanos, TimeUnit.NANOSECONDS);
  }

  @Override
  public void queueDepth(int appends) {
    queueDepth.record(appends);
  }

  @Override
  public void watermarks(long written, long durable, long visible) {
    this.written.set(written);
    this.durable.set(durable);
    this.visible.set(visible);
  }

  @Override
  public void cursorCheckpointed(String checkpointId, long through, long visible) {
    cursorLags
        .computeIfAbsent(
            checkpointId,
            id -> {
              AtomicLong lag = new AtomicLong();
              Gauge.builder(CURSOR_LAG, lag, AtomicLong::get)
                  .description("events visible past the cursor's saved checkpoint")
                  .baseUnit("events")
                  .tags(tags)
                  .tag("cursor", id)
                  .strongReference(true)
                  .register(registry);
              return lag;
            })
        .set(Math.max(0, visible - through - 1));
  }

  @Override
  public void compactionProgress(long done, long total) {
    compactionTotal.set(total);
    compactionDone.set(done);
  }

  @Override
  public String toString() {
    return "BatpakMetrics" + tags;
  }
}
