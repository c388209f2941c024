package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * What {@link Store#snapshot} or {@link Store#fork} published: where, at which watermark, and how
 * each segment file got there. Segment ids and byte offsets are not part of it; the segments are
 * listed oldest first.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param destination the directory the copy was published as (absolute, normalised)
 * @param watermark the copy holds exactly the events whose global sequence is below this: every
 *     event durable when the copy was cut, and nothing later
 * @param segments each segment file of the copy, oldest first
 * @since 0.2
 */
@API(status = EXPERIMENTAL, since = "0.2")
public record CopyReport(Path destination, long watermark, List<Segment> segments) {

  /** Validates and freezes the fields. */
  public CopyReport {
    Objects.requireNonNull(destination, "destination");
    if (watermark < 0) {
      throw new IllegalArgumentException("watermark must be >= 0, got " + watermark);
    }
    segments = List.copyOf(segments);
  }

  /**
   * How a segment file reached the copy.
   *
   * @since 0.2
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  public enum Sharing {
    /** Its bytes were read and written again (always for the active segment of a snapshot). */
    COPY,
    /** A second name for the source's file: no bytes written; the file is sealed, never written. */
    HARD_LINK,
    /** A new file sharing the source's blocks copy-on-write: no bytes written. */
    REFLINK
  }

  /**
   * One segment file of the copy.
   *
   * @param bytes its length in the copy
   * @param sharing how it got there
   * @since 0.2
   */
  @API(status = EXPERIMENTAL, since = "0.2")
  public record Segment(long bytes, Sharing sharing) {
    /** Validates the fields. */
    public Segment {
      Objects.requireNonNull(sharing, "sharing");
      if (bytes < 0) {
        throw new IllegalArgumentException("bytes must be >= 0, got " + bytes);
      }
    }
  }

  /** The size of the copy's journal: every segment's length together. */
  public long bytes() {
    long total = 0;
    for (Segment s : segments) {
      total += s.bytes();
    }
    return total;
  }

  /** The bytes actually written for the copy (the segments shared by a link cost none). */
  public long bytesWritten() {
    long total = 0;
    for (Segment s : segments) {
      if (s.sharing() == Sharing.COPY) {
        total += s.bytes();
      }
    }
    return total;
  }

  /** How many segments got into the copy in the way {@code sharing}. */
  public int count(Sharing sharing) {
    Objects.requireNonNull(sharing, "sharing");
    int n = 0;
    for (Segment s : segments) {
      if (s.sharing() == sharing) {
        n++;
      }
    }
    return n;
  }
}
