package io.batpak.bench.harness;

/**
 * One event to append: entity {@code entity} at stream version {@code version} with payload number
 * {@code payload} of {@code source}, and a 128-bit id for the systems that take the id from the
 * caller (the SQL peers).
 *
 * @param source the payload pool
 * @param entity entity index
 * @param version expected stream version (0 for the first event of a stream)
 * @param payload index into the pool
 * @param idHi high bits of the caller-side id
 * @param idLo low bits of the caller-side id
 */
public record EventToAppend(
    Payloads source, int entity, long version, int payload, long idHi, long idLo) {
  /** The entity name (the stream). */
  public String stream() {
    return source.entity(entity);
  }

  /** The payload bytes. Must not be modified. */
  public byte[] bytes() {
    return source.bytes(payload);
  }

  /** What this event adds to the checksum. */
  public long contribution() {
    return source.contribution(entity, version, payload);
  }

  /** The caller-side id as 16 big-endian bytes. */
  public byte[] idBytes() {
    byte[] b = new byte[16];
    for (int i = 0; i < 8; i++) {
      b[i] = (byte) (idHi >>> (56 - 8 * i));
      b[8 + i] = (byte) (idLo >>> (56 - 8 * i));
    }
    return b;
  }
}
