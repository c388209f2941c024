package io.batpak.cli;

import io.batpak.CompactionConfig;
import io.batpak.CompactionResult;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.StoredEvent;
import io.batpak.ValidationException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * {@code batpak compact <dir> --strategy merge|retain|tombstone [selectors] [--min-segments N]
 * [--dry-run]}: runs {@link Store#compact} on a store that no other process has open, with a
 * progress bar fed by {@link CompactionConfig#progress} and a summary of the {@link
 * CompactionResult}. For {@code retain} and {@code tombstone} the events to remove are chosen by
 * selectors on the command line; an event is removed when it matches every selector given.
 */
final class CompactCommand implements Command {

  /**
   * Stores with more journal bytes than this get a progress bar even when stderr is not a terminal.
   */
  static final long PROGRESS_THRESHOLD_BYTES = 64L << 20;

  static final String PREFIX = "--drop-entity-prefix";
  static final String KIND = "--drop-kind";
  static final String BEFORE = "--drop-before";
  static final String STRATEGY = "--strategy";
  static final String MIN_SEGMENTS = "--min-segments";
  static final String DRY_RUN = "--dry-run";
  static final String MAX_RATE = "--max-mib-per-second";

  private static final List<String> SELECTORS = List.of(PREFIX, KIND, BEFORE);

  @Override
  public String name() {
    return "compact";
  }

  @Override
  public String summary() {
    return "merge sealed segments, or drop or tombstone chosen events (--dry-run to plan only)";
  }

  @Override
  public String help() {
    return "usage: batpak compact <dir> --strategy merge [--min-segments N] [--dry-run]\n"
        + "       batpak compact <dir> --strategy retain|tombstone <selectors> [--dry-run]\n\n"
        + "Opens the store in dir for writing (no other process may have it open) and compacts\n"
        + "its sealed segments; the active segment, where appends go, is never touched. Each\n"
        + "group of segments is replaced by one new segment in one atomic rename: a crash at\n"
        + "any point reopens to the old segments or the new one, never a mix.\n\n"
        + "strategies:\n"
        + "  merge      join runs of small sealed segments into one each (up to the segment\n"
        + "             size); every event stays, byte for byte\n"
        + "  retain     drop the events the selectors match: no read returns them again; their\n"
        + "             headers and hashes (never their payloads) stay, so receipts verify as\n"
        + "             compacted away and chains verify across the gap\n"
        + "  tombstone  replace the events the selectors match by tombstones: they stay in\n"
        + "             their streams with kind 0x0FFE and an empty payload\n\n"
        + "selectors (retain and tombstone need at least one; an event is removed when it\n"
        + "matches every selector given):\n"
        + "  "
        + PREFIX
        + " P  its entity starts with P (e.g. temp- or session:)\n"
        + "  "
        + KIND
        + " K           its kind is K: 0x1001 as 'batpak dump' prints it, or\n"
        + "                          category:type in hex, e.g. 1:001 or 0x1:0x1\n"
        + "  "
        + BEFORE
        + " T         it was appended before T: an ISO-8601 instant in UTC, e.g.\n"
        + "                          2026-01-31T00:00:00Z, or a date (midnight UTC), e.g. 2026-01-31\n\n"
        + "options:\n"
        + "  "
        + MIN_SEGMENTS
        + " N   merge only runs of at least N sealed segments (N >= 2, default 2)\n"
        + "  "
        + MAX_RATE
        + " R\n"
        + "                   write the new segments at no more than R MiB/s on average\n"
        + "                   (R >= 1; default: as fast as the disk takes them), leaving the\n"
        + "                   disk to the appends of a live application\n"
        + "  "
        + DRY_RUN
        + "          plan only: print what would be done, write no segment\n\n"
        + "A progress bar (bytes of the sealed segments read) is drawn on stderr when it is a\n"
        + "terminal or the journal holds more than "
        + (PROGRESS_THRESHOLD_BYTES >> 20)
        + " MiB. Then a summary: segments before\n"
        + "and after, events kept, dropped and tombstoned, bytes before and after.\n\n"
        + "exit codes: 0 compacted, or nothing to compact, 1 the compaction failed or the store\n"
        + "cannot be opened, 2 usage error (nothing was done)\n";
  }

  @Override
  public Set<String> valueOptions() {
    return Set.of(STRATEGY, PREFIX, KIND, BEFORE, MIN_SEGMENTS, MAX_RATE);
  }

  @Override
  public Set<String> switchOptions() {
    return Set.of(DRY_RUN);
  }

  /** Which events a retain or tombstone removes: those matching every selector given. */
  record Selectors(Optional<String> entityPrefix, Optional<EventKind> kind, OptionalLong before) {

    /** Whether {@code e} matches every selector given. */
    boolean matches(StoredEvent e) {
      if (entityPrefix.isPresent() && !e.header().entity().startsWith(entityPrefix.get())) {
        return false;
      }
      if (kind.isPresent() && !e.header().kind().equals(kind.get())) {
        return false;
      }
      return before.isEmpty() || e.header().timestampMicros() < before.getAsLong();
    }

    /** The selectors in words, for the summary. */
    String describe() {
      List<String> parts = new ArrayList<>();
      entityPrefix.ifPresent(p -> parts.add("whose entity starts with '" + p + "'"));
      kind.ifPresent(k -> parts.add("of kind " + k));
      if (before.isPresent()) {
        long micros = before.getAsLong();
        parts.add(
            "appended before "
                + Instant.ofEpochSecond(
                    Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1000));
      }
      return "events " + String.join(" and ", parts);
    }
  }

  @Override
  public int run(Args args, Terminal t) throws UsageException {
    args.expectPositionals(1, 1, "one store directory");
    Path dir = CommandSupport.existingDirectory(args.positionals().get(0));
    CompactionConfig.Strategy strategy = strategy(args);
    Optional<Selectors> selectors = selectors(args, strategy);
    int minSegments = minSegments(args, strategy);
    long maxBytesPerSecond = maxBytesPerSecond(args);
    boolean dryRun = args.has(DRY_RUN);
    CompactionConfig config =
        switch (strategy) {
          case MERGE -> CompactionConfig.merge().minSegments(minSegments);
          case RETAIN -> CompactionConfig.retain(e -> !selectors.orElseThrow().matches(e));
          case TOMBSTONE -> CompactionConfig.tombstone(e -> !selectors.orElseThrow().matches(e));
        };
    config = config.maxBytesPerSecond(maxBytesPerSecond);
    String what =
        strategy.name().toLowerCase(Locale.ROOT)
            + selectors
                .map(
                    s ->
                        (strategy == CompactionConfig.Strategy.RETAIN
                                ? ", dropping "
                                : ", tombstoning ")
                            + s.describe())
                .orElse("")
            + (strategy == CompactionConfig.Strategy.MERGE && minSegments != 2
                ? " (runs of at least " + minSegments + " segments)"
                : "");
    PrintStream out = t.out();
    CompactionResult result;
    // A dry run writes nothing: not even the segment a writer's open starts, nor a checkpoint.
    try (Store store = Store.open(StoreConfig.builder(dir).readOnly(dryRun).build())) {
      long journal = store.stats().journalBytes();
      ProgressBar bar =
          ProgressBar.start(
              t.err(),
              dryRun ? "planning" : "compacting",
              "bytes",
              0,
              t.errIsTerminal() || journal > PROGRESS_THRESHOLD_BYTES,
              t.errIsTerminal(),
              System::nanoTime);
      long[] total = {0};
      result =
          store.compact(
              config
                  .dryRun(dryRun)
                  .progress(
                      (done, of) -> {
                        total[0] = of;
                        bar.at(done, of);
                      }));
      if (result.outcome() != CompactionResult.Outcome.FAILED) {
        // The progress counts the frames read; a seal at the end of a segment is skipped, not
        // read, so the last report can fall short of the total although the work is done.
        bar.at(total[0], total[0]);
      }
      bar.finish();
    }
    summary(out, dir, what, dryRun, result);
    if (result.outcome() == CompactionResult.Outcome.FAILED) {
      t.err()
          .println(
              "batpak compact: the compaction of "
                  + dir
                  + " failed: "
                  + result.reason()
                  + ". Run 'batpak verify "
                  + dir
                  + "' to check the store; the next open finishes or undoes any interrupted step.");
      return Main.FAILURE;
    }
    return Main.OK;
  }

  private static void summary(
      PrintStream out, Path dir, String what, boolean dryRun, CompactionResult r) {
    switch (r.outcome()) {
      case PERFORMED ->
          out.println(
              (dryRun ? "dry run, nothing was written: would compact " : "compacted ")
                  + dir
                  + ": "
                  + what);
      case SKIPPED ->
          out.println("nothing to compact in " + dir + " (" + what + "): " + r.reason());
      case FAILED -> out.println("FAILED to compact " + dir + " (" + what + ")");
    }
    out.println("  outcome     " + r.outcome() + (dryRun ? " (dry run)" : ""));
    if (!r.reason().isEmpty()) {
      out.println("  reason      " + r.reason());
    }
    out.println("  segments    " + r.segmentsBefore() + " -> " + r.segmentsAfter());
    out.println(
        "  events      "
            + r.eventsKept()
            + " kept, "
            + r.eventsDropped()
            + " dropped, "
            + r.eventsTombstoned()
            + " tombstoned");
    out.println(
        "  bytes       "
            + CommandSupport.bytes(r.bytesBefore())
            + " -> "
            + CommandSupport.bytes(r.bytesAfter())
            + (r.bytesBefore() > 0
                ? String.format(
                    Locale.ROOT, ", %.2f of before", r.bytesAfter() / (double) r.bytesBefore())
                : ""));
  }

  /** The strategy {@code --strategy} names. */
  private static CompactionConfig.Strategy strategy(Args args) throws UsageException {
    Optional<String> text = args.value(STRATEGY);
    if (text.isEmpty()) {
      throw new UsageException(
          "'batpak compact' needs "
              + STRATEGY
              + " merge, retain or tombstone: merge joins small sealed segments and keeps every"
              + " event; retain drops the events the selectors match; tombstone replaces them by"
              + " tombstones; see 'batpak compact --help'");
    }
    return switch (text.get().toLowerCase(Locale.ROOT)) {
      case "merge" -> CompactionConfig.Strategy.MERGE;
      case "retain" -> CompactionConfig.Strategy.RETAIN;
      case "tombstone" -> CompactionConfig.Strategy.TOMBSTONE;
      default ->
          throw new UsageException(
              STRATEGY
                  + " must be merge, retain or tombstone, got '"
                  + text.get()
                  + "'; see 'batpak compact --help'");
    };
  }

  /** The selectors, required for retain and tombstone, refused for merge. */
  private static Optional<Selectors> selectors(Args args, CompactionConfig.Strategy strategy)
      throws UsageException {
    List<String> given = SELECTORS.stream().filter(s -> args.value(s).isPresent()).toList();
    String name = strategy.name().toLowerCase(Locale.ROOT);
    if (strategy == CompactionConfig.Strategy.MERGE) {
      if (!given.isEmpty()) {
        throw new UsageException(
            given.get(0)
                + " chooses events to remove, but --strategy merge keeps every event; use"
                + " --strategy retain (drop them) or --strategy tombstone (replace them by"
                + " tombstones), or leave "
                + given.get(0)
                + " out");
      }
      return Optional.empty();
    }
    if (given.isEmpty()) {
      throw new UsageException(
          "--strategy "
              + name
              + " needs at least one selector to say which events to "
              + (strategy == CompactionConfig.Strategy.RETAIN ? "drop" : "tombstone")
              + ": "
              + String.join(", ", SELECTORS)
              + " (an event is removed when it matches every one given); to join segments"
              + " without removing anything use --strategy merge");
    }
    Optional<String> prefix = args.value(PREFIX);
    if (prefix.isPresent() && prefix.get().isEmpty()) {
      throw new UsageException(
          PREFIX
              + " needs a non-empty prefix: an empty one matches every entity; give the start of"
              + " the entities to remove, e.g. temp-");
    }
    Optional<EventKind> kind =
        args.value(KIND).isPresent() ? Optional.of(kind(args.value(KIND).get())) : Optional.empty();
    OptionalLong before =
        args.value(BEFORE).isPresent()
            ? OptionalLong.of(beforeMicros(args.value(BEFORE).get()))
            : OptionalLong.empty();
    return Optional.of(new Selectors(prefix, kind, before));
  }

  /** {@code --min-segments}, only for merge; 2 when not given. */
  private static int minSegments(Args args, CompactionConfig.Strategy strategy)
      throws UsageException {
    Optional<Long> n = args.longValue(MIN_SEGMENTS, Long.MIN_VALUE);
    if (n.isEmpty()) {
      return 2;
    }
    if (strategy != CompactionConfig.Strategy.MERGE) {
      throw new UsageException(
          MIN_SEGMENTS
              + " applies to --strategy merge only: "
              + strategy.name().toLowerCase(Locale.ROOT)
              + " rewrites every sealed segment that holds an event it removes; leave "
              + MIN_SEGMENTS
              + " out");
    }
    if (n.get() < 2 || n.get() > Integer.MAX_VALUE) {
      throw new UsageException(
          MIN_SEGMENTS
              + " must be from 2 to "
              + Integer.MAX_VALUE
              + " (merging one segment changes nothing), got "
              + n.get());
    }
    return (int) (long) n.get();
  }

  /** The write rate limit {@link #MAX_RATE} asks for, in bytes per second; 0 for none. */
  private static long maxBytesPerSecond(Args args) throws UsageException {
    Optional<Long> mib = args.longValue(MAX_RATE, Long.MIN_VALUE);
    if (mib.isEmpty()) {
      return 0;
    }
    long max = Long.MAX_VALUE >> 20;
    if (mib.get() < 1 || mib.get() > max) {
      throw new UsageException(
          MAX_RATE
              + " must be a whole number of MiB per second from 1 to "
              + max
              + ", got "
              + mib.get()
              + "; leave it out to compact as fast as the disk allows");
    }
    return mib.get() << 20;
  }

  /** The kind {@code text} names: {@code 0x1001} or {@code category:type} in hex. */
  static EventKind kind(String text) throws UsageException {
    String how =
        "; give the kind as 'batpak dump' prints it (e.g. 0x1001) or as category:type in hex"
            + " (e.g. 1:001)";
    int colon = text.indexOf(':');
    try {
      if (colon >= 0) {
        int category = hex(text.substring(0, colon));
        int type = hex(text.substring(colon + 1));
        if (category > 0xF || type > EventKind.MAX_TYPE_ID) {
          throw new UsageException(
              KIND + " '" + text + "': the category must be 0..F and the type 0..FFF (hex)" + how);
        }
        return EventKind.fromRaw((category << 12) | type);
      }
      if (!text.startsWith("0x") && !text.startsWith("0X")) {
        throw new UsageException(
            KIND + " '" + text + "' is neither 0x followed by hex digits nor category:type" + how);
      }
      return EventKind.fromRaw(hex(text));
    } catch (NumberFormatException | ValidationException e) {
      throw new UsageException(KIND + " '" + text + "' is not a kind" + how);
    }
  }

  private static int hex(String text) {
    String digits = text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text;
    if (!digits.matches("[0-9a-fA-F]{1,4}")) {
      throw new NumberFormatException(text);
    }
    return Integer.parseInt(digits, 16);
  }

  /** {@code --drop-before} as microseconds since the epoch. */
  static long beforeMicros(String text) throws UsageException {
    Instant at;
    try {
      at = Instant.parse(text);
    } catch (DateTimeParseException e) {
      try {
        at = LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
      } catch (DateTimeParseException e2) {
        throw new UsageException(
            BEFORE
                + " '"
                + text
                + "' is not an ISO-8601 instant or date; give e.g. 2026-01-31T00:00:00Z (UTC,"
                + " with the Z) or 2026-01-31 (midnight UTC)");
      }
    }
    try {
      return Math.addExact(
          Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1000);
    } catch (ArithmeticException e) {
      throw new UsageException(
          BEFORE
              + " '"
              + text
              + "' is out of range: timestamps are microseconds since 1970 and reach about"
              + " 292,000 years either side; give an instant in that range");
    }
  }
}
