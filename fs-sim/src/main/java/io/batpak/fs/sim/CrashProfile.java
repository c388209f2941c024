package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * What a simulated power loss ({@link SimStoreFs#crash(CrashProfile)}) does to the un-synced part
 * of each file. Directory entries are treated the same way by every profile: each directory returns
 * to its durable entries.
 *
 * <p>"Un-synced" means the difference between a file's volatile content (what handles read and
 * write) and its durable content (what the last successful {@link io.batpak.port.FileHandle#sync}
 * committed). All randomness comes from the simulator's seeded generator.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public enum CrashProfile {
  /** Every un-synced byte is lost: each file returns exactly to its durable content. */
  STRICT,
  /**
   * Each file keeps its durable content plus a random prefix (possibly empty, possibly all) of the
   * bytes appended past its durable length. Un-synced overwrites inside the durable length are
   * lost. This is the classic "torn tail" of an append-only log.
   */
  PREFIX,
  /**
   * Sector-level damage, after SQLite's crash VFS. The file is divided into 4 KiB sectors ({@link
   * #SECTOR_SIZE}); every sector whose volatile bytes differ from its durable bytes independently
   * gets one of three fates, with equal probability: <em>kept</em> (the new bytes landed),
   * <em>old</em> (the write never landed: the durable bytes, or zeros past the durable length) or
   * <em>garbage</em> (seeded random bytes in place of every byte the un-synced writes changed or
   * appended). Durable bytes that no un-synced write changed are never damaged, even in a sector
   * that is torn: the device is assumed to have power-safe overwrite, as SQLite assumes by default,
   * so an append can never destroy the synced bytes before it. When the file grew, its length after
   * the crash is chosen uniformly among the durable length, every sector boundary between the
   * durable and the volatile length, and the volatile length; when it shrank, either the durable or
   * the volatile length. So a crash may leave a zero-filled tail (length updated, data not
   * written), which a log format must never parse as a record.
   */
  SECTOR;

  /** The sector size of the {@link #SECTOR} profile, in bytes. */
  public static final int SECTOR_SIZE = 4096;
}
