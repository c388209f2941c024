package io.batpak.bench.harness;

/**
 * What a system holds (or was sent): the number of events and an order-independent checksum over
 * stream, version and payload of each.
 *
 * @param count number of events
 * @param checksum sum of {@link Payloads#contribution(String, long, byte[])} over the events
 */
public record EventChecksum(long count, long checksum) {
  /** Adds one event read back. */
  public static final class Accumulator {
    private long count;
    private long sum;

    /** Adds an event. */
    public void add(String stream, long version, byte[] payload) {
      count++;
      sum += Payloads.contribution(stream, version, payload);
    }

    /** The result. */
    public EventChecksum result() {
      return new EventChecksum(count, sum);
    }
  }
}
