package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import io.batpak.spi.StoreEngine;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletableFuture;
import org.apiguardian.api.API;

/**
 * An embedded event store: an append-only journal of typed events in one data directory,
 * hash-chained per stream (a stream is a {@link Coordinate#entity() coordinate's entity}).
 *
 * <h2>Thread-safety</h2>
 *
 * A store is safe for concurrent use by any number of threads. Appends from many threads are
 * committed together (group commit: one write and one fsync per group). One store instance owns its
 * directory; a second open of the same directory, in this process or another, fails with {@link
 * StoreLockedException} (read-only opens share the directory with each other).
 *
 * <p>One thread's appends ({@code append}, {@code appendTyped}, {@code appendBatch} and {@code
 * submit}) commit in the order that thread called them, so a thread may pipeline {@code submit}
 * calls whose expected versions build on each other. Appends from different threads are ordered by
 * the commit.
 *
 * <p>An atomic gate (or its fold) and a {@link StoreListener} report on the committing thread run
 * inside a commit, so they must not call back into it: from a gate, an append, {@code close},
 * {@code sync}, {@code compact}, {@code beginFence} (and a fence's {@code commit} or {@code
 * cancel}), {@code snapshot} and {@code fork} throw {@link IllegalStateException} (the gate is
 * denied {@code GATE_DEFECT}, nothing is done); from such a report, an append does. Reads are
 * allowed from both.
 *
 * <h2>Durability on return</h2>
 *
 * In {@link Durability#DURABLE} mode (the default) an append returns only after the fsync that
 * covers its event, and the event becomes visible to readers only after that fsync; a returned
 * receipt therefore survives a crash. In {@link Durability#VISIBLE} mode an append returns once its
 * frame is written to the operating system; a crash may lose it until a later fsync.
 *
 * <h2>Outcome unknown</h2>
 *
 * An {@link OutcomeUnknownException} means the store cannot tell whether the event was committed
 * (an I/O failure, an interrupt while the append waited, a close while it was queued). After an I/O
 * failure the store is poisoned: later appends fail too, reads keep working, and the store must be
 * closed and reopened; an interrupt poisons nothing. The event may or may not be there; retrying
 * with the same {@link AppendOptions#idempotencyKey() idempotency key} (after the reopen, if the
 * store was poisoned) is safe and returns the original receipt if the first attempt was committed.
 * An append from a thread already interrupted when it calls is refused with {@link
 * StoreInterruptedException} instead: nothing was written.
 *
 * <h2>Reads</h2>
 *
 * Reads see visible events only. Once an append has returned, every read from any thread sees its
 * event (read-your-writes).
 *
 * <h2>Nulls</h2>
 *
 * No method takes null: a null argument, or a null element of a list argument, throws {@link
 * NullPointerException} whose message names the parameter (for example {@code "items[3] must not be
 * null"}), before any other check and before anything is written. Methods never return null; an
 * absent result is an empty list or an empty {@link Optional}.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface Store extends AutoCloseable {

  /**
   * Opens the store described by {@code config}, creating the directory and an empty journal if
   * needed, and recovering from a crash if the last owner died (a torn tail in the newest segment
   * is cut off and reported in {@link #openReport()}).
   *
   * @throws StoreLockedException if another instance owns the directory
   * @throws CorruptStoreException if the journal holds damage that is not a torn tail
   * @throws UnsupportedFormatException if a segment was written by a newer format version
   * @throws ProviderException if no engine, filesystem backend or named codec can be found, or if
   *     one is ambiguous: more than one engine ({@code BATPAK-ENGINE-003}), a duplicate name
   *     ({@code -004}) or a provider that fails to load ({@code -005}); the message lists every
   *     candidate, see {@code docs/errors.md}
   * @throws StoreIoException if the directory cannot be read or written
   */
  static Store open(StoreConfig config) {
    if (config == null) {
      throw new NullPointerException("config must not be null");
    }
    ServiceLoader<StoreEngine> engines =
        ServiceLoader.load(StoreEngine.class, Store.class.getClassLoader());
    return ProviderLoader.load(ProviderKind.STORE_ENGINE, engines)
        .selectOnly()
        .orThrow()
        .open(config);
  }

  /**
   * Appends one event whose payload is stored as is, with default options. See {@link
   * #append(Coordinate, EventKind, Bytes, AppendOptions)}.
   */
  default AppendReceipt append(Coordinate coordinate, EventKind kind, Bytes payload) {
    return append(coordinate, kind, payload, AppendOptions.defaults());
  }

  /**
   * Appends one event to the stream {@code coordinate.entity()}, its payload stored as is (no codec
   * is involved, so this works on every store, with or without a codec).
   *
   * @param payload the payload bytes
   * @return the receipt; in {@code DURABLE} mode the event is durable and visible on return
   * @throws ValidationException for a reserved kind, an oversized payload, too many or too large
   *     extensions; nothing was written
   * @throws ConcurrencyConflictException if the expected version does not match; nothing was
   *     written
   * @throws IdempotencyConflictException if the key was used for different content
   * @throws StoreFullException if the device is full; nothing was written
   * @throws OutcomeUnknownException if the store cannot tell whether the event was committed (for
   *     example, the calling thread was interrupted while it waited; its interrupt status is kept),
   *     or the store was poisoned by an earlier write or fsync failure (nothing was written; close
   *     and reopen it)
   * @throws StoreInterruptedException if the calling thread's interrupt status was set when it
   *     called; nothing was written, and the status is kept
   * @throws StoreTimeoutException if the queue stayed full
   * @throws StoreClosedException if the store is closed
   * @throws ReadOnlyStoreException if the store was opened read-only; nothing was written
   * @throws IllegalStateException if called from an atomic gate or its fold, or from a {@link
   *     StoreListener} report on the committing thread: it would wait for the commit that runs it;
   *     nothing was written
   */
  AppendReceipt append(Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options);

  /**
   * Appends one event whose payload the store's codec encodes, with default options. See {@link
   * #appendEncoded(Coordinate, EventKind, Object, AppendOptions)}.
   */
  default AppendReceipt appendEncoded(Coordinate coordinate, EventKind kind, Object value) {
    return appendEncoded(coordinate, kind, value, AppendOptions.defaults());
  }

  /**
   * Appends one event to the stream {@code coordinate.entity()}, its payload the bytes the store's
   * codec encodes {@code value} to (on the calling thread, before anything is queued). Same
   * contract as {@link #append(Coordinate, EventKind, Bytes, AppendOptions)} otherwise.
   *
   * @param value the object to encode; never a {@link Bytes} (pass bytes to {@code append})
   * @throws CodecException if the store has no codec or its codec cannot encode {@code value};
   *     nothing was written
   * @throws ValidationException if {@code value} is a {@link Bytes}, and as for {@code append}
   * @see #append(Coordinate, EventKind, Bytes, AppendOptions) for the other exceptions
   */
  AppendReceipt appendEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options);

  /**
   * Appends a record whose type carries {@link EventType}; the kind and payload version come from
   * the annotation and the codec encodes the record.
   *
   * @throws ValidationException if the type is not annotated or the annotation is invalid
   * @see #appendEncoded(Coordinate, EventKind, Object, AppendOptions)
   */
  AppendReceipt appendTyped(Coordinate coordinate, Object record, AppendOptions options);

  /** {@link #appendTyped(Coordinate, Object, AppendOptions)} with default options. */
  default AppendReceipt appendTyped(Coordinate coordinate, Object record) {
    return appendTyped(coordinate, record, AppendOptions.defaults());
  }

  /**
   * Appends several events atomically: after a crash either all of them are in the journal or none
   * is, and readers see all of them at once or none. The events may belong to different streams.
   * Each item's expected version is checked before anything is written; one mismatch fails the
   * whole batch. When every item carries an idempotency key already committed by an earlier
   * identical batch, the original receipts are returned.
   *
   * @return one receipt per item, in order
   * @throws ValidationException if the batch is empty, too large, or an item is invalid, its
   *     encoded payload included (the message names the item's index); nothing was written
   * @throws ConcurrencyConflictException if an item's expected version does not match
   * @throws IdempotencyConflictException if some but not all keys are known, or a key was used for
   *     different content
   * @see #append(Coordinate, EventKind, Bytes, AppendOptions) for the other exceptions
   */
  List<AppendReceipt> appendBatch(List<BatchItem> items);

  /**
   * Queues one append of bytes stored as is and returns at once, for pipelining from one thread.
   * The future completes, never on the committer's thread, with the receipt or with the exception
   * {@link #append(Coordinate, EventKind, Bytes, AppendOptions)} would have thrown. Validation
   * errors are thrown directly.
   *
   * @throws StoreTimeoutException if the queue stayed full
   * @throws StoreClosedException if the store is closed
   * @throws ReadOnlyStoreException if the store was opened read-only
   */
  CompletableFuture<AppendReceipt> submit(
      Coordinate coordinate, EventKind kind, Bytes payload, AppendOptions options);

  /**
   * {@link #submit(Coordinate, EventKind, Bytes, AppendOptions)} for a payload the store's codec
   * encodes (on the calling thread, before anything is queued).
   *
   * @throws CodecException if the store has no codec or its codec cannot encode {@code value}
   * @throws ValidationException if {@code value} is a {@link Bytes}
   * @see #submit(Coordinate, EventKind, Bytes, AppendOptions) for the other exceptions
   */
  CompletableFuture<AppendReceipt> submitEncoded(
      Coordinate coordinate, EventKind kind, Object value, AppendOptions options);

  /**
   * Reads a visible event.
   *
   * @throws EventNotFoundException if no visible event has that id
   * @throws CorruptStoreException if its frame fails its checks
   */
  StoredEvent get(EventId id);

  /**
   * Reads a visible event and decodes its payload with the store's codec: {@link
   * #decode(StoredEvent, Class)} of {@link #get(EventId)}. When {@code type} is a registered event
   * type ({@link StoreConfig#eventTypes()}), an older payload is upcast first; see
   * docs/schema-evolution.md.
   *
   * @throws EventNotFoundException if no visible event has that id
   * @throws FutureEventVersionException if {@code type} is registered and the event was stored at a
   *     newer payload version than {@code type} knows
   * @throws CodecException if the payload does not decode to {@code type}, or an upcaster failed
   */
  <T> T get(EventId id, Class<T> type);

  /**
   * A page of matching visible events with global sequence greater than {@code afterGlobalSequence}
   * ({@code -1} for the start), at most {@code limit} of them, in global order. Resume with the
   * last returned event's global sequence.
   *
   * @throws ValidationException if {@code limit} is not positive or {@code afterGlobalSequence} is
   *     below -1
   */
  List<EventHeader> queryAfter(Region region, long afterGlobalSequence, int limit);

  /**
   * The headers of every visible event of exactly the stream {@code entity} (not of streams whose
   * names start with it, which {@link Region#entity} also matches), in stream order; empty for an
   * unknown stream. Holds the whole stream in memory: for long streams use {@link #stream(String,
   * long, int)}.
   */
  List<EventHeader> stream(String entity);

  /**
   * A page of exactly the stream {@code entity}: its visible events with stream sequence {@code
   * fromStreamSequence} and on, at most {@code limit} of them, in stream order. Resume with the
   * last returned event's stream sequence plus one. A page that starts past the end, or of an
   * unknown stream, is empty.
   *
   * @throws ValidationException if {@code fromStreamSequence} is negative or {@code limit} is not
   *     positive (the message names the value); nothing is read
   */
  List<EventHeader> stream(String entity, long fromStreamSequence, int limit);

  /**
   * A page of exactly the stream {@code entity} with payloads, as {@link #stream(String, long,
   * int)} pages it: its visible events with stream sequence {@code fromStreamSequence} and on, at
   * most {@code limit} of them, in stream order. Each event's frame is read and checked once; a
   * page of headers followed by {@link #get(EventId)} for each reads every frame twice. A
   * tombstoned event has kind {@code TOMBSTONE} and an empty payload; an event a compaction dropped
   * is not returned. Safe to call from any thread.
   *
   * @throws ValidationException if {@code fromStreamSequence} is negative or {@code limit} is not
   *     positive (the message names the value); nothing is read
   * @throws CorruptStoreException if a frame fails its checks (with file and offset)
   * @throws StoreIoException if a read fails
   * @since 0.2
   */
  List<StoredEvent> streamEvents(String entity, long fromStreamSequence, int limit);

  /** The newest visible event of a stream. */
  Optional<EventHeader> latest(String entity);

  /**
   * Checks a receipt against the stored event it names (found by its id): its frame's CRC, its
   * global and stream sequences, and its content and chain hashes, recomputed from the stored
   * bytes; then its signature under the store's {@link SigningPolicy}: a signed receipt must name a
   * configured key ({@code UNKNOWN_KEY}), its inclusion proof must lead from the stored event to
   * its root ({@code BAD_PROOF}) and the signature must verify ({@code BAD_SIGNATURE}); under
   * {@code REQUIRED} an unsigned receipt is {@code MISSING_SIGNATURE}. Never throws for a bad
   * receipt. Thread-safe; reads only (docs/receipts.md).
   */
  ReceiptVerification verifyReceipt(AppendReceipt receipt);

  /**
   * Checks every event visible when it starts, in global order: its frame's length and CRC, that it
   * lies where the store's index places it (with the index's global sequence, id, stream, scope and
   * kind), its stream sequence (dense, each stream from 0), its content hash recomputed from the
   * payload, its previous hash against its stream predecessor's event hash (32 zero bytes for the
   * first), and its event hash recomputed. At most one problem per event is reported (the first
   * check it fails), naming the segment file and the frame's offset in its detail; a damaged frame
   * is a problem, not an exception, and makes the next link of each of its streams one too (it
   * cannot be checked). Reads each segment once, sequentially, up to the last event visible when it
   * starts, and holds one chain head per stream, so its memory does not grow with the store; hashes
   * on the calling thread and up to three helper threads. Safe to call while other threads append
   * and read (events appended meanwhile are not checked); a compaction, snapshot or fork started
   * meanwhile waits for it, and it waits for one that is running. Changes nothing.
   *
   * @param progress told after each event; see {@link VerificationProgress}
   * @return what was checked and every problem found
   * @throws StoreClosedException if the store is closed
   * @throws StoreIoException if a segment cannot be read
   */
  StoreVerification verifyAll(VerificationProgress progress);

  /**
   * Counts: visible events, streams, segments and journal bytes. Costs a pass over the streams; for
   * the pipeline's progress call {@link #watermarks()}, which is cheap.
   */
  StoreStats stats();

  /** The pipeline's watermarks, read consistently (one snapshot of all four). Cheap. */
  Watermarks watermarks();

  /**
   * Waits until {@code watermark} covers the event with global sequence {@code globalSequence}.
   * Waiting does not cause an fsync; call {@link #sync()} for that.
   *
   * @throws StoreTimeoutException if it did not within {@code timeout}, or the thread was
   *     interrupted while it waited (its interrupt status is kept)
   * @throws StoreClosedException if the store closes or is poisoned first
   * @throws ValidationException if {@code globalSequence} or {@code timeout} is negative
   */
  void waitFor(Watermark watermark, long globalSequence, Duration timeout);

  /**
   * Makes everything appended so far durable (and, in {@code VISIBLE} mode, moves the durable
   * watermark up to it).
   *
   * @throws OutcomeUnknownException if the fsync fails (the store is then poisoned)
   * @throws StoreClosedException if the store is closed
   * @throws ReadOnlyStoreException if the store was opened read-only
   */
  void sync();

  /** What opening the store found and did. */
  OpenReport openReport();

  /** The configuration the store was opened with. */
  StoreConfig config();

  // --- compaction ---

  /**
   * Compacts the sealed segments as {@code config} says ({@link CompactionConfig}), while appends
   * and reads go on; returns when it is done. Each group of segments is replaced by one new segment
   * in one atomic step: the new segment is written beside the old ones and synced, then renamed
   * over the last of them, and only then are the others removed. A crash at any point reopens to
   * the old segments or to the new one, never to a mix, and never loses an acknowledged event.
   * Survivors keep their bytes, hashes, global sequences and stream sequences; receipts issued
   * before keep verifying ({@link ReceiptVerification.CompactedAway} for an event whose payload was
   * removed); retries with the idempotency key of a dropped event still get its receipt.
   *
   * <p>Thread-safety: one compaction at a time, and never during a {@link #snapshot} or {@link
   * #fork} (a call waits for the one running). A read that runs while a segment is replaced reads
   * the event from the new segment; none fails because of it. Appends pause only while the index
   * switches to the new segments, and while the index checkpoint is rewritten at the end.
   *
   * <p>Durability on return: the new segments are durable, the old ones removed and a new index
   * checkpoint written (for {@link CompactionResult.Outcome#PERFORMED}), unless the journal ends in
   * a cancelled fence: a checkpoint ends at an event it can anchor on, so the next one is written
   * after a later append (until then an open reads the journal from the segments' seals).
   *
   * @return what was done, or why nothing was ({@code SKIPPED}), or the step that failed ({@code
   *     FAILED}: before the switch the store is unchanged; after it, only removals are left, which
   *     the next compaction makes before it starts, or the next open)
   * @throws NullPointerException if {@code config} is null
   * @throws ReadOnlyStoreException if the store was opened read-only and this is not a dry run (a
   *     dry run of a read-only store plans what a writer opening it would do)
   * @throws CorruptStoreException if a frame of a segment being compacted fails its checks (the
   *     store is unchanged), or the new segment of an earlier compaction that failed after its
   *     switch is not whole (the old segments it replaced are kept)
   * @throws OutcomeUnknownException if an fsync of the journal failed meanwhile: the store is
   *     poisoned, as by a failed append; the next open finishes or undoes the compaction
   * @throws StoreClosedException if the store is closed
   * @since 0.2
   */
  CompactionResult compact(CompactionConfig config);

  // --- snapshot and fork ---

  /**
   * Publishes a consistent copy of this store as the new directory {@code dest}, while appends go
   * on: every event durable when the call starts (it syncs first, so that is every event appended
   * before it) and nothing appended after the copy was cut. The copy is a complete store: {@link
   * #open} it like any other. See docs/operations.md, "Backups: snapshot".
   *
   * <p>The copy is built in a temporary sibling of {@code dest} ({@code .<name>.batpak-tmp-<n>}),
   * every file and the directory synced, then renamed to {@code dest} and {@code dest}'s parent
   * synced: on return the copy survives a crash. A failure or a crash before the rename publishes
   * nothing: {@code dest} does not exist, and the temporary directory is removed (a crash leaves
   * it; remove it by hand). Every segment is copied (the active one up to its synced end only), and
   * the index checkpoint when its watermark lies within the cut (one this store publishes after the
   * cut is left out): the copy's first open loads that checkpoint, then the seals of later segments
   * and the frames of the active one, checking the checkpoint against the journal first.
   *
   * <p>Thread-safe; appends wait only while the copy is cut (one fsync), not while it is copied. A
   * running {@link #compact} is waited for, and waits for the copy. Also works on a store opened
   * read-only.
   *
   * @param dest the directory to create; its parent must exist
   * @return where, at which watermark, and how each segment was copied
   * @throws NullPointerException if {@code dest} is null
   * @throws ValidationException if {@code dest} is the store's directory, lies inside it, exists
   *     (as anything, a symbolic link included), or its parent does not exist or is no directory;
   *     nothing is created
   * @throws StoreFullException if the device filled up; nothing was published
   * @throws StoreIoException if another I/O step failed; nothing was published (unless the message
   *     says the rename happened and only the final directory sync failed)
   * @throws OutcomeUnknownException if the fsync that cuts the copy fails (the store is then
   *     poisoned) or the store was poisoned before
   * @throws StoreClosedException if the store is closed
   * @since 0.2
   */
  CopyReport snapshot(Path dest);

  /**
   * Publishes a copy of this store as the new directory {@code dest} that a different writer can go
   * on with: like {@link #snapshot}, but the sealed segments and the index checkpoint (files this
   * store never writes again: it replaces a checkpoint by publishing a new file) are shared instead
   * of copied: by reflink where the backend and file system can share blocks, else by hard link,
   * else copied. The active segment is always copied. Appends to the fork never show in this store,
   * nor this store's in the fork. See docs/operations.md, "Forks".
   *
   * @param dest the directory to create; its parent must exist
   * @return where, at which watermark, and how each segment was shared
   * @throws NullPointerException if {@code dest} is null
   * @throws ValidationException as for {@link #snapshot}
   * @throws StoreFullException if the device filled up; nothing was published
   * @throws StoreIoException if another I/O step failed; nothing was published (unless the message
   *     says otherwise)
   * @throws OutcomeUnknownException as for {@link #snapshot}
   * @throws StoreClosedException if the store is closed
   * @since 0.2
   */
  CopyReport fork(Path dest);

  // --- visibility fences ---

  /**
   * Opens a {@link VisibilityFence}: appends made through it are written but invisible until it
   * commits, and never visible if it is cancelled. A fence-begin frame is written to the journal
   * first (appends queued before this call commit before it). See {@link VisibilityFence} for what
   * the fence hides, its receipts and futures, and what happens to ordinary appends while it is
   * open (they are refused).
   *
   * @return the open fence; close it (or commit or cancel it) to let ordinary appends through
   * @throws FenceActiveException if a fence is open already; nothing was written
   * @throws OutcomeUnknownException if writing the begin frame failed (the store is then poisoned),
   *     or the store was poisoned already; nothing was written
   * @throws StoreClosedException if the store is closed
   * @throws ReadOnlyStoreException if the store was opened read-only
   * @since 0.2
   */
  VisibilityFence beginFence();

  // --- gates ---

  /**
   * Appends a denial event: an event of kind {@link EventKind#SYSTEM_DENIAL} on the stream {@code
   * coordinate.entity()}, chained like any other event, whose payload is {@code denial} in its
   * versioned encoding ({@link DenialPayload#encode()}; read it back with {@link #get(EventId)} and
   * {@link DenialPayload#of(StoredEvent)}). It records that a proposed append was refused, which
   * gates permitted, which one denied and why, and which were skipped. Same contract as {@link
   * #append(Coordinate, EventKind, Bytes, AppendOptions)} otherwise: {@code options} may carry an
   * expected version, an idempotency key, links and extensions (and gates, which then run on the
   * denial event itself).
   *
   * @return the denial event's receipt; in {@code DURABLE} mode it is durable and visible on return
   * @throws NullPointerException if an argument is null
   * @see #append(Coordinate, EventKind, Bytes, AppendOptions) for the exceptions
   * @since 0.3
   */
  AppendReceipt appendDenial(Coordinate coordinate, DenialPayload denial, AppendOptions options);

  /** {@link #appendDenial(Coordinate, DenialPayload, AppendOptions)} with default options. */
  default AppendReceipt appendDenial(Coordinate coordinate, DenialPayload denial) {
    return appendDenial(coordinate, denial, AppendOptions.defaults());
  }

  // --- causal graph ---

  /**
   * Walks up the hash chain of the visible event {@code id}: its stream predecessor, that one's,
   * and so on, at most {@code limit} of them, newest first. Each hop is one index lookup and one
   * read (O(hops), not O(stream)), and each link is verified as the walk goes ({@link
   * AncestorWalk}); a link that does not verify, an unreadable event and a parent dropped by
   * compaction end the walk with the reason, never with an exception. Tombstones are events and are
   * listed.
   *
   * <p>Thread-safe; sees the events visible when it starts. Changes nothing.
   *
   * @param limit the most ancestors to list, at least 1
   * @throws ValidationException if {@code limit} is not positive (the message names it); nothing is
   *     read
   * @throws EventNotFoundException if no visible event has that id (never appended, not yet
   *     visible, cancelled by a fence) or compaction dropped it
   * @throws CorruptStoreException if the event {@code id} itself cannot be read (its frame fails
   *     its checks: the message names file and offset)
   * @throws StoreClosedException if the store is closed
   * @since 0.3
   */
  AncestorWalk walkAncestors(EventId id, int limit);

  /**
   * Walks up the causes of the visible event {@code id}: the event its causation names, that
   * event's cause, and so on to the root cause ({@link CauseWalk}). Each hop is one lookup by id
   * and one read. A causation no visible event has ({@code DANGLING}), a cause met twice ({@code
   * CYCLE}: the walk never loops), a cause dropped by compaction and an unreadable cause end the
   * walk with the reason. A cause appended after the event that names it counts like any other.
   *
   * <p>Thread-safe; sees the events visible when it starts. Changes nothing.
   *
   * @throws EventNotFoundException if no visible event has that id or compaction dropped it
   * @throws CorruptStoreException if the event {@code id} itself cannot be read
   * @throws StoreClosedException if the store is closed
   * @since 0.3
   */
  CauseWalk walkCauses(EventId id);

  /**
   * The visible events whose causation is {@code id}: what it directly caused, in global order.
   * Found through the store's reverse causation index, so the cost is one read per result. Events
   * cancelled by a fence and events dropped by compaction are not listed (tombstones are). Events
   * may name a cause before it exists; once it is visible they are its consequences.
   *
   * <p>Thread-safe; sees the events visible when it starts. Changes nothing.
   *
   * @return the consequences, in global order; empty if it caused nothing
   * @throws EventNotFoundException if no visible event has that id or compaction dropped it
   * @throws CorruptStoreException if a consequence's frame fails its checks
   * @throws StoreClosedException if the store is closed
   * @since 0.3
   */
  List<EventHeader> consequences(EventId id);

  /**
   * A page of the visible events of correlation {@code id} (a saga, a request and what it caused),
   * with global sequence greater than {@code afterGlobalSequence} ({@code -1} for the start), at
   * most {@code limit} of them, in global order: the paging contract of {@link #queryAfter}. Resume
   * with the last returned event's global sequence. Found through the store's correlation index;
   * events cancelled by a fence or dropped by compaction are not listed. An unknown correlation
   * gives an empty page.
   *
   * <p>Thread-safe; each page sees the events visible when it starts. Changes nothing.
   *
   * @throws ValidationException if {@code limit} is not positive or {@code afterGlobalSequence} is
   *     below -1 (the message names the values); nothing is read
   * @throws CorruptStoreException if a member's frame fails its checks
   * @throws StoreClosedException if the store is closed
   * @since 0.3
   */
  List<EventHeader> correlated(CorrelationId id, long afterGlobalSequence, int limit);

  // --- projections ---

  /**
   * {@link #project(String, Projection, Freshness)} with {@link Freshness#CONSISTENT}.
   *
   * @since 0.13
   */
  default <S> ProjectionResult<S> project(String entity, Projection<S> projection) {
    return project(entity, projection, Freshness.CONSISTENT);
  }

  /**
   * Folds {@code projection} over the visible events of exactly the stream {@code entity}, in
   * stream order (docs/projections.md). The call takes the index's view once: the result reflects
   * the events visible at that moment ({@link ProjectionResult#watermark()}), whatever is appended
   * meanwhile. Events of a cancelled fence never reach {@link Projection#apply}, events compaction
   * dropped are skipped, tombstones are events of kind {@code TOMBSTONE}; only the projection's
   * {@link Projection#kinds() kinds} are folded. An unknown stream gives the initial state.
   *
   * <p>With the projection cache on ({@link StoreConfig#projectionCache()}), the call starts from
   * the cached state of (projection id, stream) when its schema version matches and it still
   * matches the journal, and folds only the newer events; otherwise (a miss, counted in {@link
   * #projectionCacheStats()}) it folds from the start. It then writes the new state to the cache
   * when it folded at least {@link StoreConfig#projectionCacheEvery()} events (never on a read-only
   * store); a failed write is logged and counted, never thrown.
   *
   * <p>Thread-safe. Durability on return: nothing is promised about the cache entry (a crash may
   * lose it, and the next call then folds from the start).
   *
   * @return the state and what it reflects
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the projection's id is invalid or its schema version negative;
   *     nothing is read
   * @throws CorruptStoreException if a frame of the stream fails its checks
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  <S> ProjectionResult<S> project(String entity, Projection<S> projection, Freshness freshness);

  /**
   * Folds {@code projection} over the visible events in {@code region}, in global order, at one
   * watermark: the index's view is taken once, so the state reflects exactly the events visible at
   * that moment (never some of a later one). Skips cancelled, dropped and filtered events as {@link
   * #project(String, Projection, Freshness)} does. Never cached. Thread-safe.
   *
   * @return the state, with {@link ProjectionResult#streamVersion()} {@code -1}
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if the projection's id is invalid or its schema version negative
   * @throws CorruptStoreException if a frame in the region fails its checks
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  <S> ProjectionResult<S> project(Region region, Projection<S> projection);

  /**
   * The projection of stream {@code entity} if the stream changed since the caller's last result:
   * empty when its visible version (its number of events) is still {@code lastSeen}, the {@link
   * ProjectionResult#streamVersion()} of that result (pass 0 for "never seen": an empty stream is
   * then unchanged). Any other version, a smaller one included (a crash lost events), is a change,
   * and the result is {@link #project(String, Projection)}'s. A compaction changes no version.
   * Thread-safe.
   *
   * @throws ValidationException if {@code lastSeen} is negative, or as for {@code project}
   * @see #project(String, Projection, Freshness) for the other exceptions
   * @since 0.13
   */
  <S> Optional<ProjectionResult<S>> projectIfChanged(
      String entity, Projection<S> projection, long lastSeen);

  /**
   * The projection cache's counters since this store was opened (all zero when the cache is off).
   *
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  ProjectionCacheStats projectionCacheStats();

  // --- cursors, workers, reactors and the applied watermark ---

  /**
   * A cursor over {@code region} from the start of the journal, saving nothing: {@link
   * Cursor#checkpoint()} is refused. Not registered in the applied watermark. See {@link Cursor}.
   *
   * @throws NullPointerException if {@code region} is null
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  Cursor cursor(Region region);

  /**
   * A durable cursor over {@code region}: it resumes after what its checkpoint file {@code
   * cursors/<checkpointId>.ckpt} covers, or starts from the beginning when there is no such file.
   * Registered in the {@link Watermark#APPLIED applied watermark} until closed. Works on a
   * read-only store too (it resumes; saving is refused). One open cursor, worker or reactor per
   * checkpoint id.
   *
   * @param checkpointId 1 to 128 characters of {@code A-Z a-z 0-9 . _ -}, not starting with a dot
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code checkpointId} breaks that rule (the message names it and
   *     the rule), or an open cursor, worker or reactor of this store already uses it
   * @throws CursorRegionMismatchException if the checkpoint was made for another region
   * @throws CursorCheckpointCorruptException if the checkpoint file cannot be believed
   * @throws UnsupportedFormatException if the checkpoint file is of a newer format
   * @throws StoreIoException if reading the file failed
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  Cursor cursor(Region region, String checkpointId);

  /**
   * Starts a {@link CursorWorker}: a daemon thread that feeds the durable cursor {@code
   * checkpointId} over {@code region} to {@code handler} in batches and saves the checkpoint after
   * each batch the handler returned from. On return the thread runs.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException as {@link #cursor(Region, String)}
   * @throws ReadOnlyStoreException if the store was opened read-only (a worker saves checkpoints)
   * @throws CursorRegionMismatchException if the checkpoint was made for another region
   * @throws CursorCheckpointCorruptException if the checkpoint file cannot be believed
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  CursorWorker cursorWorker(
      Region region, String checkpointId, CursorWorkerConfig config, CursorHandler handler);

  /**
   * Starts a reactor: a {@link CursorWorker} whose handler, for each event of {@code region}, asks
   * {@code reactor} for follow-ups and commits them as one atomic batch (correlation = the
   * source's, causation = the source's id, idempotency keys derived from {@code checkpointId}, the
   * source's id and the index), then saves the checkpoint after each batch of sources. A source
   * delivered again appends nothing twice. Beware a region that holds the reactor's own follow-ups:
   * it would react to them. See {@link Reactor}.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException as {@link #cursor(Region, String)}
   * @throws ReadOnlyStoreException if the store was opened read-only
   * @throws CursorRegionMismatchException if the checkpoint was made for another region
   * @throws CursorCheckpointCorruptException if the checkpoint file cannot be believed
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  CursorWorker reactor(
      Region region, String checkpointId, CursorWorkerConfig config, Reactor reactor);

  /**
   * Registers a consumer of the application's own making in the {@link Watermark#APPLIED applied
   * watermark} (a projection kept outside the store), at "nothing consumed" until it reports with
   * {@link AppliedHandle#advance}.
   *
   * @param name for messages only; any non-empty text
   * @throws NullPointerException if {@code name} is null
   * @throws ValidationException if {@code name} is empty
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  AppliedHandle consumer(String name);

  // --- subscriptions and the outbox ---

  /**
   * Subscribes to every visible event in {@code region} committed after this call, in global order
   * (a live subscription). Equivalent to {@link #subscribeFrom} after the last event visible now.
   * See {@link Subscription} for delivery, overflow, how it ends and threading. Works on a store
   * opened read-only (nothing is appended there, so only {@code subscribeFrom} delivers anything).
   *
   * @throws NullPointerException if an argument is null
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  Subscription subscribe(Region region, SubscriptionOptions options);

  /**
   * {@link #subscribe(Region, SubscriptionOptions)} with {@link SubscriptionOptions#defaults()}.
   */
  default Subscription subscribe(Region region) {
    return subscribe(region, SubscriptionOptions.defaults());
  }

  /**
   * A catch-up subscription: the visible events in {@code region} with global sequence greater than
   * {@code afterGlobalSequence} ({@code -1} for the whole journal), history first, read page by
   * page as the subscriber polls, then every event committed later, with no gap and no duplicate
   * where history ends and live delivery begins, while appends go on. The history is not queued, so
   * it never overflows; the live part is (see {@link SubscriptionOptions}). A position past the
   * last visible event simply waits for it.
   *
   * @throws NullPointerException if an argument is null
   * @throws ValidationException if {@code afterGlobalSequence} is below -1
   * @throws StoreClosedException if the store is closed
   * @since 0.13
   */
  Subscription subscribeFrom(Region region, long afterGlobalSequence, SubscriptionOptions options);

  /**
   * A new, empty {@link Outbox}: stage appends, then commit them with {@link Outbox#flush()} as one
   * atomic batch. Nothing is written before {@code flush}; closing or dropping the outbox without
   * it publishes nothing.
   *
   * @throws StoreClosedException if the store is closed
   * @throws ReadOnlyStoreException if the store was opened read-only
   * @since 0.13
   */
  Outbox outbox();

  // --- event types ---

  /**
   * Decodes an event's payload as {@code type} with the store's codec, for events in hand (from a
   * subscription, a cursor, a projection's fold). When {@code type} is a registered event type
   * ({@link StoreConfig#eventTypes()}) and the event is of its kind:
   *
   * <ul>
   *   <li>payload version equal to the type's ({@link EventType#version()}), or 0 (an untyped
   *       append): decoded directly;
   *   <li>older: decoded to the codec's tree, upcast step by step in memory by the registered
   *       {@link Upcaster}s to the type's version, then decoded as {@code type} (the journal is
   *       never rewritten);
   *   <li>newer: {@link FutureEventVersionException}.
   * </ul>
   *
   * Any other type, or an event of another kind, is decoded directly, whatever its payload version.
   * Reads nothing from the journal. Thread-safe.
   *
   * @throws FutureEventVersionException if the event was stored at a newer version than the
   *     registered {@code type} knows (the message names the event, the type and both versions)
   * @throws CodecException if the store has no codec, the payload does not decode to {@code type},
   *     or an upcaster threw or returned null (the message names the event, the type and the step)
   * @throws StoreClosedException if the store is closed
   * @since 0.1
   */
  <T> T decode(StoredEvent event, Class<T> type);

  /**
   * Closes the store: stops accepting appends, commits and syncs what is queued within {@link
   * StoreConfig#closeTimeout()}, fails the rest with {@link OutcomeUnknownException}, and releases
   * the lock. When close returns (or throws), every append ever made on this store has its outcome,
   * and their futures are complete too (waited for within the timeout; not waited for when close
   * runs in a future's callback, which would wait on itself). Idempotent, and safe to call from a
   * future's callback. After close every call but {@code close} throws {@link
   * StoreClosedException}.
   *
   * @throws OutcomeUnknownException if the store was poisoned (at any time) or its final fsync
   *     failed: a poisoned store never closes silently. The message names the global sequences
   *     whose durability is unknown, and everything is released all the same (a second close
   *     returns normally). Also if an I/O call of the commit pipeline hangs past the timeout: every
   *     append in flight is failed, and the journal and the lock are released only when that call
   *     returns (releasing them under a write in progress could let another owner in)
   * @throws StoreIoException if closing a file, the lock or the backend failed
   * @throws IllegalStateException if called from an atomic gate (which would wait for the commit
   *     that waits for the gate); the store stays open
   */
  @Override
  void close();
}
