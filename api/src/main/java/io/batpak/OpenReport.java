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
 * @param segments the segment files scanned, oldest first
 * @param eventsRecovered visible events after the scan
 * @param framesScanned frames read and checked
 * @param tornTail a torn tail found in the newest segment, if any; on a mutable open it was cut
 *     off, on a read-only open it was only skipped
 * @param elapsedMicros how long the open took
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
    long elapsedMicros) {

  /** Copies the list. */
  public OpenReport {
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(codec, "codec");
    segments = List.copyOf(segments);
    Objects.requireNonNull(tornTail, "tornTail");
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
