package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What {@link Store#walkAncestors} found: the ancestors of an event along its stream's hash chain,
 * newest first, and why the walk stopped. The chain parent of an event is its stream predecessor
 * (stream sequence one less); each link is verified as the walk goes: the child's previous hash
 * equals the parent's event hash, and the parent's stored bytes still hash to its event hash (its
 * payload to its content hash, unless compaction made it a tombstone, which keeps the content hash
 * without the payload). The event the walk started at is not in the list, but its own event hash is
 * checked first.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param ancestors the verified ancestors, parent first; tombstones are events and appear (kind
 *     {@link EventKind#TOMBSTONE})
 * @param boundary why the walk stopped
 * @param atGlobalSequence the global sequence the boundary is about (see each {@link Boundary}), or
 *     -1 for {@link Boundary#GENESIS} and {@link Boundary#LIMIT}
 * @param detail what was found, for people: hashes that differ, the file and offset of a read
 *     failure; empty for {@code GENESIS} and {@code LIMIT}
 * @since 0.3
 */
@API(status = EXPERIMENTAL, since = "0.3")
public record AncestorWalk(
    List<EventHeader> ancestors, Boundary boundary, long atGlobalSequence, String detail) {

  /** Why a walk up the chain stopped. */
  public enum Boundary {
    /** The last event listed (or the start, if none is) is the first of its stream. */
    GENESIS,
    /** {@code limit} ancestors were listed and the chain goes on. */
    LIMIT,
    /**
     * The next parent was dropped by a compaction: it is not read, and its receipt verifies as
     * compacted away. {@code atGlobalSequence} is the dropped event's.
     */
    COMPACTED_GAP,
    /**
     * The chain names a parent the stream does not hold where it should: the event at {@code
     * atGlobalSequence} (the child) has a previous hash but no stream predecessor, or the index's
     * predecessor is not that stream's event at that sequence.
     */
    MISSING_PARENT,
    /**
     * A link does not verify at the event at {@code atGlobalSequence}, the first that is not listed
     * (the start itself when the list is empty): its event hash is not the previous hash its child
     * names, or its stored bytes no longer hash to its event hash (or its payload to its content
     * hash). Its frame's CRC held: the bytes were changed with care, or written wrong.
     */
    BROKEN_LINK,
    /**
     * The event at {@code atGlobalSequence} could not be read: its frame fails its checks ({@code
     * detail} names the file and offset, as {@link CorruptStoreException} does) or the read failed.
     */
    READ_FAILURE
  }

  /** Checks for nulls and copies the list. */
  public AncestorWalk {
    ancestors = List.copyOf(Objects.requireNonNull(ancestors, "ancestors"));
    Objects.requireNonNull(boundary, "boundary");
    Objects.requireNonNull(detail, "detail");
  }
}
