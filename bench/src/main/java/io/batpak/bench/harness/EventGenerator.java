package io.batpak.bench.harness;

import java.util.SplittableRandom;

/**
 * Draws events for one producer: Zipf-distributed entities restricted to the producer's partition
 * (entity index modulo {@code parts} equals {@code part}), so concurrent producers never race on
 * one stream and every append can name its expected version. Not thread-safe: one per producer.
 */
public final class EventGenerator {
  private final Payloads payloads;
  private final SplittableRandom random;
  private final int part;
  private final int parts;
  private final long[] versions = new long[Payloads.ENTITIES + 1];
  private long sent;
  private long hotSent;

  /** A generator for partition {@code part} of {@code parts}. */
  public EventGenerator(Payloads payloads, long seed, int part, int parts) {
    this.payloads = payloads;
    this.random = new SplittableRandom(seed * 1_000_003L + part);
    this.part = part;
    this.parts = parts;
  }

  /** The next event. */
  public EventToAppend next() {
    int rank = payloads.zipf(random);
    int entity = rank - rank % parts + part;
    if (entity >= Payloads.ENTITIES) {
      entity = part % Payloads.ENTITIES;
    }
    return make(entity);
  }

  /** The next event of the hot entity. */
  public EventToAppend nextHot() {
    hotSent++;
    return make(Payloads.HOT);
  }

  private EventToAppend make(int entity) {
    sent++;
    return new EventToAppend(
        payloads,
        entity,
        versions[entity]++,
        random.nextInt(Payloads.POOL),
        random.nextLong(),
        random.nextLong());
  }

  /** Events drawn so far. */
  public long sent() {
    return sent;
  }

  /** Hot-entity events drawn so far. */
  public long hotSent() {
    return hotSent;
  }
}
