package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * A consistent snapshot of the pipeline's {@link Watermark}s.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param accepted events with sequences assigned
 * @param written events handed to the operating system
 * @param durable events covered by a completed fsync
 * @param visible events readers can see
 * @param applied events every registered consumer has consumed ({@link Watermark#APPLIED}; since
 *     0.13)
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record Watermarks(long accepted, long written, long durable, long visible, long applied) {

  /**
   * The four pipeline watermarks, with {@code applied} equal to {@code visible} (no consumer
   * registered): the constructor of 0.1 to 0.12.
   */
  public Watermarks(long accepted, long written, long durable, long visible) {
    this(accepted, written, durable, visible, visible);
  }

  /** The value of one watermark. */
  public long get(Watermark watermark) {
    switch (watermark) {
      case ACCEPTED:
        return accepted;
      case WRITTEN:
        return written;
      case DURABLE:
        return durable;
      case VISIBLE:
        return visible;
      default:
        return applied;
    }
  }
}
