package io.batpak.engine.internal.format;

/**
 * What an event says, apart from where the chain puts it: the fields the caller's append fixes
 * before the sequencer assigns stream and global sequences and hashes. Both an event waiting to be
 * committed and a stored {@link EventRecord} have them, so the frame size and the canonical header
 * (the input of the event hash) are computed from the same fields either way.
 *
 * <p>Arrays are never modified once the value exists.
 */
public interface EventContent {
  /** Event id, high 64 bits. */
  long idHi();

  /** Event id, low 64 bits. */
  long idLo();

  /** Correlation id, high 64 bits. */
  long correlationHi();

  /** Correlation id, low 64 bits. */
  long correlationLo();

  /** Whether a causation id is present. */
  boolean hasCausation();

  /** Causation id, high 64 bits (0 when absent). */
  long causationHi();

  /** Causation id, low 64 bits (0 when absent). */
  long causationLo();

  /** The stream (entity). */
  String entity();

  /** The scope. */
  String scope();

  /** The raw 16-bit kind. */
  int kind();

  /** The append time, in Unix microseconds. */
  long timestampMicros();

  /** The typed payload's version, 0 for untyped. */
  int payloadVersion();

  /** Application bits. */
  int flags();

  /** Extension keys, sorted. */
  String[] extensionKeys();

  /** Extension values, parallel to the keys. */
  byte[][] extensionValues();

  /** BLAKE3 of the payload. */
  byte[] contentHash();

  /** The payload bytes, uncompressed: what the content hash covers. */
  byte[] payload();

  /**
   * The payload's stored form when it is stored compressed ({@link CompressedPayload}: method,
   * uncompressed length, block), or null when it is stored as it is.
   */
  byte[] compressedPayload();
}
