package io.batpak.replication;

import io.batpak.AppendOptions;
import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import java.nio.ByteBuffer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Where a replicated event sits in the Raft log. Every event a member's state machine writes
 * carries the Raft index of its entry in {@link #RAFT_INDEX}, and an event of a group entry's part
 * also the part's number in {@link #RAFT_PART}: as an operator on append options this adds both,
 * and {@link #raftIndexOf} and {@link #raftPartOf} read them back. A proposer refuses both
 * extensions in a user's options.
 *
 * <p>Immutable; safe on any thread.
 */
final class RaftPlacement implements UnaryOperator<AppendOptions> {
  /** The extension every replicated event carries: its Raft log index, 8 bytes big-endian. */
  static final ExtensionKey RAFT_INDEX = ExtensionKey.of("raft.index");

  /**
   * The extension of events written by a part of a group entry ({@link Entries#GROUP}): the part's
   * number, from 1, 4 bytes big-endian. With {@link #RAFT_INDEX} it places the event in the log.
   */
  static final ExtensionKey RAFT_PART = ExtensionKey.of("raft.part");

  private final Bytes index;
  private final @Nullable Bytes part;

  /** The placement of entry {@code index}, part {@code part} (from 1; 0 for a whole entry). */
  RaftPlacement(long index, int part) {
    this.index = Bytes.ofOwned(ByteBuffer.allocate(Long.BYTES).putLong(index).array());
    this.part =
        part == 0 ? null : Bytes.ofOwned(ByteBuffer.allocate(Integer.BYTES).putInt(part).array());
  }

  @Override
  public AppendOptions apply(AppendOptions o) {
    AppendOptions placed = o.withExtension(RAFT_INDEX, index);
    return part == null ? placed : placed.withExtension(RAFT_PART, part);
  }

  /** The Raft index recorded in a replicated event. */
  static long raftIndexOf(EventHeader h) {
    Bytes b = h.extensions().get(RAFT_INDEX);
    if (b == null || b.size() != Long.BYTES) {
      throw new ReplicaStoppedException(
          "event "
              + h.eventId()
              + " (global sequence "
              + h.globalSequence()
              + ") has no 8-byte "
              + RAFT_INDEX
              + " extension: this store was not written by batpak-replication, or was written"
              + " outside it; a member's store must only ever be written by its state machine");
    }
    return ByteBuffer.wrap(b.toByteArray()).getLong();
  }

  /** The part of a group entry a replicated event came from, or 0 for a whole entry. */
  static int raftPartOf(EventHeader h) {
    Bytes b = h.extensions().get(RAFT_PART);
    return b == null || b.size() != Integer.BYTES ? 0 : ByteBuffer.wrap(b.toByteArray()).getInt();
  }
}
