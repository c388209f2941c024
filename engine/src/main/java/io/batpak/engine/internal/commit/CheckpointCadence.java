package io.batpak.engine.internal.commit;

import io.batpak.StoreConfig;
import io.batpak.engine.internal.index.Index;
import io.batpak.engine.internal.segment.Journal;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The index checkpoint as the commit path writes it: when a periodic one is due, the two halves of
 * writing one ({@link Committer.Checkpoints#stage} with the commit lock held, {@link
 * Committer.Publication#publish} after it may be let go), and the checkpoint lock (ADR 0028).
 *
 * <p>The {@link #lock() checkpoint lock} is held from a checkpoint's staging to its publication,
 * and by a compaction from its removal of the checkpoint to the end of its switch: one checkpoint
 * file is in flight at a time, and none describing the segments a switch replaced is published
 * after the switch. It is taken before the commit lock, never after it except by {@code tryLock}
 * (the committer's periodic checkpoint skips a turn instead of waiting). Its other state is read
 * and written with the commit lock held.
 */
final class CheckpointCadence {
  /** The committer's logger: the name users configure for the commit path's messages. */
  private static final System.Logger LOG = System.getLogger(Committer.class.getName());

  private final StoreConfig config;
  private final Journal journal;
  private final Index index;
  private final Committer.Checkpoints checkpoints;
  private final ReentrantLock lock = new ReentrantLock();

  /** The journal's appended bytes when the last checkpoint was written. */
  private long checkpointedAt;

  /** The journal's size when the last checkpoint was written (or the store opened). */
  private long journalAtCheckpoint;

  CheckpointCadence(
      StoreConfig config, Journal journal, Index index, Committer.Checkpoints checkpoints) {
    this.config = config;
    this.journal = journal;
    this.index = index;
    this.checkpoints = checkpoints;
    this.journalAtCheckpoint = journal.totalBytes();
  }

  /** The checkpoint lock (above). */
  ReentrantLock lock() {
    return lock;
  }

  /**
   * Whether a periodic checkpoint is due: {@code checkpointEveryBytes} of journal, and at least a
   * quarter of the journal's size at the last checkpoint, appended since it (a checkpoint holds the
   * whole index, so a fixed interval alone would write bytes growing with the square of the store),
   * and the index ends at an event a checkpoint can end at. Commit lock held.
   */
  boolean due() {
    long every = config.checkpointEveryBytes();
    return every > 0
        && journal.appendedBytes() - checkpointedAt >= Math.max(every, journalAtCheckpoint / 4)
        && endsAtAnchor();
  }

  /**
   * Whether the index ends at an event that is not cancelled: a checkpoint ends at such an event,
   * whose hash anchors it.
   */
  boolean endsAtAnchor() {
    return index.size() > 0 && !index.view().cancelled(index.size() - 1);
  }

  /**
   * Records where this checkpoint ends, then writes its temporary file. Commit lock and checkpoint
   * lock held, everything synced.
   *
   * @return its publication, or null when staging failed (logged: a checkpoint costs only a slower
   *     open when it fails)
   */
  Committer.Publication stage() {
    checkpointedAt = journal.appendedBytes();
    journalAtCheckpoint = journal.totalBytes();
    try {
      return checkpoints.stage();
    } catch (IOException | RuntimeException e) {
      failed(e);
      return null;
    }
  }

  /** Publishes a staged checkpoint, logging a failure. Checkpoint lock held. */
  static void publish(Committer.Publication staged) {
    try {
      staged.publish();
    } catch (IOException | RuntimeException e) {
      failed(e);
    }
  }

  /** Writes a checkpoint whole, reporting a failure to the caller (a clean close). */
  void writeNow() throws IOException {
    checkpoints.stage().publish();
  }

  private static void failed(Exception e) {
    LOG.log(
        System.Logger.Level.WARNING,
        "writing the index checkpoint failed; the store is unaffected, the next open reads more"
            + " of the journal",
        e);
  }
}
