package io.batpak.bench.harness;

/**
 * The event every system stores, as JSON: an order or payment fact. Properties are written in
 * alphabetical order, which is the order the {@code json} codec writes, so decoding and re-encoding
 * gives the same bytes.
 *
 * @param amount an amount in cents
 * @param at an ISO-8601 timestamp
 * @param currency an ISO currency code
 * @param entity the order or payment the fact is about
 * @param note free text that pads the event to its target size
 * @param type the fact's name
 */
public record BenchEvent(
    long amount, String at, String currency, String entity, String note, String type) {}
