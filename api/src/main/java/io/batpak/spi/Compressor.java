package io.batpak.spi;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * A payload compressor: turns a payload's codec bytes into a shorter block and back. The engine
 * stores the block only when it is shorter than the payload, records the payload's length beside
 * it, and hashes the uncompressed bytes, so a compressor never changes a content hash, an event
 * hash, a receipt or a signature (docs/format.md, "Compressed payloads"; ADR 0026).
 *
 * <p>The bytes a compressor produces are part of the journal format: a compressor's name is tied to
 * one block format for good (for example {@code lz4}: an LZ4 block; {@code zstd}: a Zstandard
 * frame). Implementations must be thread-safe: the engine calls one instance from every appending
 * and reading thread at once.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public interface Compressor {

  /**
   * The compressor's name, equal to its provider's {@link CompressorProvider#name()}.
   *
   * @return for example {@code "zstd"}
   */
  String name();

  /**
   * Compresses {@code input}.
   *
   * @param input the bytes to compress; not modified
   * @return the compressed block (may be longer than the input; the engine then stores the input)
   * @throws NullPointerException if {@code input} is null
   */
  byte[] compress(byte[] input);

  /**
   * Decompresses the block {@code input[offset, offset + length)} into all of {@code output}, whose
   * length is the uncompressed length the journal recorded. The input comes from disk and is
   * untrusted: an implementation never reads or writes outside the two ranges, whatever the bytes
   * say.
   *
   * @param input holds the block; not modified
   * @param offset where the block starts
   * @param length the block's length
   * @param output receives exactly {@code output.length} bytes
   * @throws IllegalArgumentException if the block is malformed or does not decompress to exactly
   *     {@code output.length} bytes (the engine reports it as a corrupt store, with file and
   *     offset)
   * @throws NullPointerException if {@code input} or {@code output} is null
   */
  void decompress(byte[] input, int offset, int length, byte[] output);
}
