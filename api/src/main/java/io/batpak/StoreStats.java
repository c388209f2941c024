package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Counts describing a store.
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param eventCount visible events
 * @param streamCount streams with at least one visible event
 * @param segmentCount segment files
 * @param journalBytes bytes in segment files
 * @param watermarks the pipeline's progress
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record StoreStats(
    long eventCount,
    long streamCount,
    int segmentCount,
    long journalBytes,
    Watermarks watermarks) {}
