package io.batpak.engine.internal.format;

/**
 * One event as stored in a frame, decoded. Internal; arrays are never modified after construction.
 *
 * @param idHi event id, high 64 bits
 * @param idLo event id, low 64 bits
 * @param correlationHi correlation id, high bits
 * @param correlationLo correlation id, low bits
 * @param hasCausation whether a causation id is present
 * @param causationHi causation id, high bits (0 when absent)
 * @param causationLo causation id, low bits (0 when absent)
 * @param entity the stream
 * @param scope the scope
 * @param kind the raw 16-bit kind
 * @param streamSequence position in the stream
 * @param globalSequence position in the store (from the frame's base, not stored per record)
 * @param timestampMicros the append time
 * @param payloadVersion typed payload version, 0 for untyped
 * @param flags application bits
 * @param extensionKeys extension keys, sorted
 * @param extensionValues extension values, parallel to the keys
 * @param prevHash the stream's previous event hash
 * @param contentHash BLAKE3 of the payload
 * @param eventHash the chain hash
 * @param payload the payload bytes
 */
public record EventRecord(
    long idHi,
    long idLo,
    long correlationHi,
    long correlationLo,
    boolean hasCausation,
    long causationHi,
    long causationLo,
    String entity,
    String scope,
    int kind,
    long streamSequence,
    long globalSequence,
    long timestampMicros,
    int payloadVersion,
    int flags,
    String[] extensionKeys,
    byte[][] extensionValues,
    byte[] prevHash,
    byte[] contentHash,
    byte[] eventHash,
    byte[] payload) {

  /** A copy with the given chain fields. */
  public EventRecord withChain(
      long streamSequence, long globalSequence, byte[] prevHash, byte[] eventHash) {
    return new EventRecord(
        idHi,
        idLo,
        correlationHi,
        correlationLo,
        hasCausation,
        causationHi,
        causationLo,
        entity,
        scope,
        kind,
        streamSequence,
        globalSequence,
        timestampMicros,
        payloadVersion,
        flags,
        extensionKeys,
        extensionValues,
        prevHash,
        contentHash,
        eventHash,
        payload);
  }
}
