package io.batpak.it.crash;

import io.batpak.AppendReceipt;
import io.batpak.Coordinate;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.IdempotencyKey;
import io.batpak.OpenReport;
import io.batpak.engine.FrameLocation;
import io.batpak.fs.sim.OpRecord;
import io.batpak.fs.sim.SimSnapshot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What one run of a workload did: every logical event it meant to append ({@link Intent}), every
 * call it made with the simulator's state-changing operation count before and after, the snapshots
 * taken after each state-changing operation, the op log and its digest. Immutable once the run
 * ends, so crash points are checked from several threads.
 */
final class History {

  /**
   * One logical event: a unique tag (at the start of the payload), its coordinate, kind, payload
   * and idempotency key. A retry appends the same intent again.
   */
  static final class Intent {
    final int tag;
    final Coordinate coordinate;
    final EventKind kind;
    final byte[] payload;
    final IdempotencyKey key;

    /** The id the event gets: from its key, or from the first receipt. */
    volatile EventId id;

    Intent(int tag, Coordinate coordinate, EventKind kind, byte[] payload, IdempotencyKey key) {
      this.tag = tag;
      this.coordinate = coordinate;
      this.kind = kind;
      this.payload = payload;
      this.key = key;
      this.id = key == null ? null : EventId.of(key);
    }

    /** The tag at the start of a payload written by a workload, or -1. */
    static int tagOf(byte[] payload) {
      if (payload.length < 3 || payload[0] != 't') {
        return -1;
      }
      int tag = 0;
      for (int i = 1; i < payload.length && i < 12; i++) {
        byte b = payload[i];
        if (b == '|') {
          return i > 1 ? tag : -1;
        }
        if (b < '0' || b > '9') {
          return -1;
        }
        tag = tag * 10 + (b - '0');
      }
      return -1;
    }

    static byte[] payload(int tag, String filler) {
      return ("t" + tag + "|" + filler).getBytes(StandardCharsets.UTF_8);
    }
  }

  /** The kinds of call a workload makes. */
  enum Type {
    APPEND,
    BATCH,
    RETRY,
    KEY_CONFLICT,
    SYNC,
    CLOSE,
    OPEN,
    /** A power loss between calls (the workload then reopens). */
    CRASH
  }

  /** One call to the store, with the state-changing operation counts around it. */
  static final class Call {
    final int index;
    final Type type;
    final List<Intent> intents;
    long start;
    long end;

    /** The receipts, when the call returned them. */
    List<AppendReceipt> receipts;

    /**
     * Where the frame of each receipt's event lay when the call returned (an element is null when
     * the store could not say), for telling a reported cut from a loss.
     */
    List<FrameLocation> frames;

    /** The simple class name of the exception the call threw, or null. */
    String error;

    /** The call threw an exception that guarantees nothing was written (conflict, validation). */
    boolean neverWrites;

    /** The call threw {@code StoreFullException}: what it wrote was cut back before it returned. */
    boolean undoneOnReturn;

    /** The call was cut short by a simulated power loss (the simulator froze). */
    boolean crashed;

    /** The store's durable watermark after the call, or -1. */
    long durableAfter = -1;

    /** How many power losses the run had gone through when the call ended. */
    int epoch;

    /** For an open: the damage it reported (a torn tail it cut), or null. */
    OpenReport.TornTail damage;

    /** For an open that succeeded: how many events it recovered; else -1. */
    long recovered = -1;

    Call(int index, Type type, List<Intent> intents) {
      this.index = index;
      this.type = type;
      this.intents = intents;
    }

    boolean ok() {
      return receipts != null;
    }

    /** Whether the call may have left its intents on disk as of crash point {@code s}. */
    boolean mayHaveWritten(long s) {
      if (intents.isEmpty() || neverWrites || start >= s) {
        return false;
      }
      return !(undoneOnReturn && end <= s);
    }

    /** Whether the call was under way at crash point {@code s}. */
    boolean inFlightAt(long s) {
      return start < s && (end > s || (crashed && end == s));
    }

    @Override
    public String toString() {
      return "#"
          + index
          + " "
          + type
          + " tags="
          + tags()
          + " ops("
          + start
          + ".."
          + end
          + "] -> "
          + (ok() ? "receipts" : error)
          + (crashed ? " (crashed)" : "");
    }

    List<Integer> tags() {
      List<Integer> t = new ArrayList<>();
      for (Intent i : intents) {
        t.add(i.tag);
      }
      return t;
    }
  }

  final Workload workload;
  final List<Intent> intents;
  final List<Call> calls;
  final List<SimSnapshot> snapshots;
  final List<OpRecord> opLog;
  final long digest;
  final long finalCount;
  final boolean frozen;
  final List<String> inRunViolations;
  final Map<Integer, Intent> byTag = new HashMap<>();
  final Map<Integer, List<Call>> callsByTag = new HashMap<>();
  final Map<Long, String> opBySeq = new HashMap<>();

  History(
      Workload workload,
      List<Intent> intents,
      List<Call> calls,
      List<SimSnapshot> snapshots,
      List<OpRecord> opLog,
      long digest,
      long finalCount,
      boolean frozen,
      List<String> inRunViolations) {
    this.workload = workload;
    this.intents = List.copyOf(intents);
    this.calls = List.copyOf(calls);
    this.snapshots = snapshots;
    this.opLog = opLog;
    this.digest = digest;
    this.finalCount = finalCount;
    this.frozen = frozen;
    this.inRunViolations = List.copyOf(inRunViolations);
    for (Intent i : intents) {
      byTag.put(i.tag, i);
    }
    for (Call c : calls) {
      for (Intent i : c.intents) {
        callsByTag.computeIfAbsent(i.tag, t -> new ArrayList<>()).add(c);
      }
    }
    for (OpRecord r : opLog) {
      opBySeq.put(r.seq(), r.op());
    }
  }

  /** The kind of the operation with sequence number {@code seq}. */
  String opAt(long seq) {
    return opBySeq.getOrDefault(seq, "?");
  }

  /**
   * Whether receipt {@code r} of call {@code c} must survive a crash at {@code s}: in DURABLE mode
   * every receipt returned by then; in VISIBLE mode one that the store's durable watermark covered
   * by then, with no power loss in between, and before a reopen that no longer held it (a reopen of
   * a poisoned store that recovered {@code r.globalSequence()} events or fewer: the event was never
   * durable, and later watermarks cover whatever takes its place).
   */
  boolean mustSurvive(Call c, AppendReceipt r, long s) {
    if (c.end > s || c.crashed) {
      return false;
    }
    if (!workload.kind.visible) {
      return true;
    }
    for (Call d : calls) {
      if (d.index < c.index || d.end > s || d.crashed || d.epoch != c.epoch) {
        continue;
      }
      if (d.type == Type.OPEN && d.recovered >= 0 && d.recovered <= r.globalSequence()) {
        return false;
      }
      if (d.durableAfter > r.globalSequence()) {
        return true;
      }
    }
    return false;
  }

  /** Whether some call had poisoned the store (a non-crash outcome-unknown) by crash point s. */
  boolean poisonedBy(long s) {
    for (Call c : calls) {
      if (c.end <= s && !c.crashed && "OutcomeUnknownException".equals(c.error)) {
        return true;
      }
    }
    return false;
  }
}
