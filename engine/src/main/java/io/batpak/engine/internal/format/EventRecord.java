package io.batpak.engine.internal.format;

import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.EventId;

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
 * @param payload the payload bytes, uncompressed
 * @param compressedPayload the payload's stored compressed form, or null when it is stored as it is
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
    byte[] payload,
    byte[] compressedPayload)
    implements EventContent {

  /** A record whose payload is stored as it is. */
  public EventRecord(
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
    this(
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
        payload,
        null);
  }

  /**
   * The stored form of {@code content} at the given place in the chain. The sequencer builds each
   * record exactly once, through here; decoding builds the others.
   */
  public static EventRecord sequenced(
      EventContent content,
      long streamSequence,
      long globalSequence,
      byte[] prevHash,
      byte[] eventHash) {
    return new EventRecord(
        content.idHi(),
        content.idLo(),
        content.correlationHi(),
        content.correlationLo(),
        content.hasCausation(),
        content.causationHi(),
        content.causationLo(),
        content.entity(),
        content.scope(),
        content.kind(),
        streamSequence,
        globalSequence,
        content.timestampMicros(),
        content.payloadVersion(),
        content.flags(),
        content.extensionKeys(),
        content.extensionValues(),
        prevHash,
        content.contentHash(),
        eventHash,
        content.payload(),
        content.compressedPayload());
  }

  /**
   * The payload's uncompressed length: {@code payload().length}, or for a compressed payload the
   * length its stored form records (also when the record was decoded without its payload).
   */
  public int payloadSize() {
    return compressedPayload == null ? payload.length : FrameCodec.readInt(compressedPayload, 1);
  }

  /** The receipt of this stored event. */
  public AppendReceipt toReceipt() {
    return new AppendReceipt(
        new EventId(idHi, idLo),
        globalSequence,
        streamSequence,
        Bytes.ofOwned(contentHash),
        Bytes.ofOwned(eventHash),
        Bytes.ofOwned(prevHash));
  }
}
