package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * When an append returns and when its event becomes visible, relative to fsync.
 *
 * <p>An enum: immutable and thread-safe.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public enum Durability {
  /**
   * The default. An append returns only after the fsync that covers it, and its event becomes
   * visible to readers only after that fsync: no reader ever sees an event a crash can take away.
   */
  DURABLE,
  /**
   * An append returns, and its event becomes visible, once it is written to the operating system;
   * an fsync follows by count or time cadence. A consumer may see an event that a crash later
   * loses. Use {@link Store#sync()} or {@link Store#waitFor} with {@link Watermark#DURABLE} where
   * durability matters.
   */
  VISIBLE
}
