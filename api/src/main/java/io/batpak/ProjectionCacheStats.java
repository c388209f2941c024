package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Counters of the projection cache since the store was opened ({@link
 * Store#projectionCacheStats()}). Every miss is counted once, under its reason. A miss is never an
 * error for the caller: the state is folded from the start instead.
 *
 * @param hits calls that started from a cache entry
 * @param missing calls that found no entry
 * @param damaged entries that could not be believed: truncated, a CRC that does not match, a bad
 *     magic, a body that does not decode (the codec failed), or a newer entry format
 * @param keyMismatches entries whose stored key (projection id and stream) is not the one asked for
 *     (a hash collision of the file name, or a file copied in)
 * @param schemaMismatches entries of another schema version of the projection
 * @param stale entries that no longer match the journal: the stream is shorter than the entry or
 *     holds another event where it ended (a crash lost events the entry had folded), or a
 *     compaction dropped or tombstoned events of the stream since the entry was made
 * @param writes entries written
 * @param writeFailures writes that failed (logged; the call still returned its result)
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
public record ProjectionCacheStats(
    long hits,
    long missing,
    long damaged,
    long keyMismatches,
    long schemaMismatches,
    long stale,
    long writes,
    long writeFailures) {

  /** Every miss: {@code missing + damaged + keyMismatches + schemaMismatches + stale}. */
  public long misses() {
    return missing + damaged + keyMismatches + schemaMismatches + stale;
  }
}
