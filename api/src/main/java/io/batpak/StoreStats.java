package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Counts describing a store. The pipeline's progress is {@link Store#watermarks()}.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param eventCount visible events that reads return (tombstones included; events a compaction
 *     dropped are not)
 * @param streamCount streams with at least one visible event
 * @param segmentCount segment files
 * @param journalBytes bytes in segment files
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StoreStats(long eventCount, long streamCount, int segmentCount, long journalBytes) {}
