package io.batpak.engine.internal;

import io.batpak.CorruptStoreException;
import io.batpak.EventId;
import io.batpak.ReceiptVerification.Reason;
import io.batpak.StoreVerification;
import io.batpak.VerificationProgress;
import io.batpak.engine.internal.StoredEventChecks.Failure;
import io.batpak.engine.internal.format.Blake3;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.format.FrameCodec;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.read.EventReader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * Checks every visible event of a store ({@link io.batpak.Store#verifyAll}): each event is read
 * once through the one read path, which checks its frame's CRC (a batch frame of 8 KiB or more is
 * read once for all its events: the journal keeps the last such frame per thread), and each
 * stream's last event hash is held to check the next link, so the work is one pass and the memory
 * one hash per stream. The checks are a receipt's ({@link ReceiptChecks}), applied to the stored
 * event itself. Not shared between threads: one instance per call.
 */
final class FullVerification {

  /** The end of a stream's chain so far; {@code eventHash} is null when its frame was damaged. */
  private record Link(long streamSequence, byte[] eventHash) {}

  private final Index index;
  private final IntFunction<EventReader.Located> read;
  private final Blake3 blake3 = new Blake3();
  private final Map<String, Link> chains = new HashMap<>();
  private final List<StoreVerification.Problem> problems = new ArrayList<>();
  private long problemCount;
  private long dropped;
  private long tombstoned;

  /** Checks the events of {@code index}, reading the event at a row with {@code read}. */
  FullVerification(Index index, IntFunction<EventReader.Located> read) {
    this.index = index;
    this.read = read;
  }

  /** Checks every event visible now, telling {@code progress} after each one. */
  StoreVerification run(VerificationProgress progress) {
    int total = index.visible();
    Index.View v = index.view();
    long cancelled = index.cancelled().below(total).count();
    long events = total - cancelled;
    long checked = 0;
    for (int row = 0; row < total; row++) {
      if (v.cancelled(row)) {
        continue; // a cancelled fence's event: never visible, never checked
      }
      check(v, row);
      progress.checked(++checked, events);
    }
    return new StoreVerification(
        events, chains.size(), problemCount, problems, dropped, tombstoned);
  }

  private void check(Index.View v, int row) {
    String entity = index.streamName(v.stream(row));
    EventId id = new EventId(v.idHi(row), v.idLo(row));
    Link previous = chains.get(entity);
    EventReader.Located located;
    try {
      located = read.apply(row);
    } catch (CorruptStoreException e) {
      chains.put(entity, new Link(v.streamSequence(row), null));
      add(
          row,
          id,
          entity,
          v.streamSequence(row),
          new Failure(Reason.FRAME_CORRUPT, e.getMessage()));
      return;
    }
    EventRecord r = located.record();
    int disposition = located.disposition(); // the frame's, read with the record
    boolean payloadRemoved = disposition != 0;
    if (disposition == FrameCodec.DROPPED) {
      dropped++;
    } else if (disposition == FrameCodec.TOMBSTONED) {
      tombstoned++;
    }
    Failure failure = firstFailure(r, row, previous, payloadRemoved);
    chains.put(entity, new Link(r.streamSequence(), r.eventHash()));
    if (failure != null) {
      add(row, id, entity, r.streamSequence(), failure);
    }
  }

  /**
   * The first check of {@code r}, at {@code row} after {@code previous} in its stream, it fails.
   */
  private Failure firstFailure(EventRecord r, int row, Link previous, boolean payloadRemoved) {
    long expectedSequence = previous == null ? 0 : previous.streamSequence() + 1;
    if (r.globalSequence() != row) {
      return new Failure(
          Reason.GLOBAL_SEQUENCE_MISMATCH,
          "the frame says " + r.globalSequence() + ", the event is at " + row);
    }
    if (r.streamSequence() != expectedSequence) {
      return new Failure(
          Reason.STREAM_SEQUENCE_MISMATCH,
          "stream sequence "
              + r.streamSequence()
              + " where "
              + expectedSequence
              + " was expected (a stream counts from 0 without gaps)");
    }
    Failure content = StoredEventChecks.contentFailure(blake3, r, null, payloadRemoved);
    if (content != null) {
      return content;
    }
    byte[] expectedPrev = previous == null ? FrameCodec.ZERO_HASH : previous.eventHash();
    if (expectedPrev == null) {
      return new Failure(
          Reason.FRAME_CORRUPT,
          "the frame of the stream predecessor is damaged, so the chain cannot be checked");
    }
    return StoredEventChecks.chainFailure(blake3, r, expectedPrev, null);
  }

  private void add(int row, EventId id, String entity, long streamSequence, Failure failure) {
    problemCount++;
    if (problems.size() < StoreVerification.PROBLEMS_KEPT) {
      problems.add(
          new StoreVerification.Problem(
              row, id, entity, streamSequence, failure.reason(), failure.detail()));
    }
  }
}
