package io.batpak.engine;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.EventId;
import io.batpak.EventNotFoundException;
import io.batpak.Store;
import io.batpak.StoreClosedException;
import io.batpak.ValidationException;
import io.batpak.engine.internal.EngineStore;
import org.apiguardian.api.API;

/**
 * Where an event's frame lies in the journal right now: a diagnostic for tools that show or damage
 * the bytes on disk ({@code batpak dump}, {@code batpak verify}, fault-injection tests). It is not
 * an address to keep: compaction may move frames, which is why receipts and headers do not carry
 * it. Events of one atomic batch share one frame, so they have the same location.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param segmentId the segment file's number (from 1)
 * @param offset the byte offset of the frame in the segment
 * @param length the frame's length in bytes, including its 8-byte prefix
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record FrameLocation(long segmentId, long offset, int length) {

  /**
   * Validates the fields.
   *
   * @throws ValidationException if the segment id is below 1, the offset negative or the length not
   *     positive
   */
  public FrameLocation {
    if (segmentId < 1 || offset < 0 || length <= 0) {
      throw new ValidationException(
          "invalid frame location: segment "
              + segmentId
              + " (from 1), offset "
              + offset
              + " (from 0), length "
              + length
              + " (positive)");
    }
  }

  /**
   * Where the frame of the visible event {@code id} of {@code store} lies now. Safe to call from
   * any thread; the answer may be stale as soon as it returns if the store is compacted.
   *
   * @throws EventNotFoundException if no visible event has that id
   * @throws StoreClosedException if the store is closed
   * @throws ValidationException if {@code store} is not a store of this engine (the message names
   *     its class)
   */
  public static FrameLocation of(Store store, EventId id) {
    if (store == null) {
      throw new NullPointerException("store must not be null");
    }
    if (!(store instanceof EngineStore engine)) {
      throw new ValidationException(
          "cannot locate frames in a "
              + store.getClass().getName()
              + ": only stores opened by the batpak engine (Store.open) have a journal to locate"
              + " them in");
    }
    return engine.locateFrame(id, FrameLocation::new);
  }

  /** The segment's file name, such as {@code 0000000001.seg}. */
  public String segmentFileName() {
    return String.format("%010d.seg", segmentId);
  }

  @Override
  public String toString() {
    return String.format("%06d@%d+%d", segmentId, offset, length);
  }
}
