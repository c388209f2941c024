package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * What opening a store found and did.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param backend the filesystem backend's name
 * @param backendReason why that backend was chosen
 * @param readOnly whether the store was opened read-only
 * @param codec the payload codec the store uses, as its segment headers name it (for a new store,
 *     as it was chosen): for example {@code json}, or {@code bytes} for a store without a payload
 *     codec, which takes only {@link Bytes} payloads. A store keeps its codec for life. The name is
 *     reported even when no codec of that name is on the class path (object payloads then fail with
 *     a {@link CodecException} naming the artifact to add)
 * @param segments the segment files of the store, oldest first
 * @param eventsRecovered visible events after the open
 * @param framesScanned frames read and checked (frames loaded from a checkpoint or a seal are not
 *     read)
 * @param tornTail a torn tail found in the newest segment, if any; on a mutable open it was cut
 *     off, on a read-only open it was only skipped
 * @param elapsedMicros how long the open took
 * @param indexLoad how the index was loaded: from which source, how many events each gave, what was
 *     distrusted and why, and the time of each phase
 * @param mappedReads whether reads of sealed segments go through memory mappings: {@link
 *     StoreConfig#mappedReads()} is on and the backend offers them ({@link
 *     io.batpak.port.FsCapabilities#mappedReads()}); otherwise every read is a {@code pread} (since
 *     0.2)
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record OpenReport(
    String backend,
    String backendReason,
    boolean readOnly,
    String codec,
    List<String> segments,
    long eventsRecovered,
    long framesScanned,
    Optional<TornTail> tornTail,
    long elapsedMicros,
    IndexLoad indexLoad,
    boolean mappedReads) {

  /** Copies the list. */
  public OpenReport {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(codec, "codec");
    segments = List.copyOf(segments);
    Objects.requireNonNull(tornTail, "tornTail");
    Objects.requireNonNull(indexLoad, "indexLoad");
  }

  /** Where the open started loading the index from. */
  @API(status = EXPERIMENTAL, since = "0.1")
  public enum IndexSource {
    /** The index checkpoint, then seals or frames only after its watermark. */
    CHECKPOINT,
    /** No usable checkpoint; sealed segments loaded from their seals, the others scanned. */
    SEALS,
    /** Every segment's frames were read. */
    SCAN
  }

  /**
   * How the index was loaded. The three sources give the same index; they differ in speed.
   *
   * @param source where loading started
   * @param fromCheckpoint events restored from the index checkpoint
   * @param fromSeals events restored from seals of sealed segments
   * @param fromScan events read from frames
   * @param bytesCut bytes cut off (or, read-only, skipped) as a torn tail
   * @param distrusted each checkpoint or seal that was found but not used, and why (a missing or
   *     damaged one means a slower open, never a different one)
   * @param phases the time of each phase, in order
   */
  @API(status = EXPERIMENTAL, since = "0.1")
  public record IndexLoad(
      IndexSource source,
      long fromCheckpoint,
      long fromSeals,
      long fromScan,
      long bytesCut,
      List<String> distrusted,
      List<Phase> phases) {

    /** Copies the lists. */
    public IndexLoad {
      Objects.requireNonNull(source, "source");
      distrusted = List.copyOf(distrusted);
      phases = List.copyOf(phases);
    }
  }

  /**
   * One phase of an open and how long it took.
   *
   * @param name the phase: {@code checkpoint} (reading and checking the index checkpoint), {@code
   *     segments} (seals and frames after it), {@code journal} (making the journal appendable)
   * @param micros its duration in microseconds
   */
  @API(status = EXPERIMENTAL, since = "0.1")
  public record Phase(String name, long micros) {
    /** Checks the name. */
    public Phase {
      Objects.requireNonNull(name, "name");
    }
  }

  /**
   * Bytes at the end of the newest segment that are not a whole, valid frame, followed by no valid
   * frame: the remains of a write a crash interrupted.
   *
   * @param file the segment
   * @param offset where the torn bytes start (the new end of the segment)
   * @param bytes how many bytes were torn
   * @param reason what was wrong with them
   * @param truncated whether they were cut off (mutable open) or only ignored (read-only)
   */
  public record TornTail(String file, long offset, long bytes, String reason, boolean truncated) {}
}
