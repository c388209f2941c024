package io.batpak.spi;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import java.util.Objects;
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

  /**
   * Trains a dictionary of at most {@code maxBytes} bytes from {@code samples}, for {@link
   * #withDictionary}. The engine calls it once per dictionary, on an appending thread, with the
   * payloads the store appended (docs/codecs.md, "Compression"); it then stores the result in the
   * store. Only compressors whose block format has dictionaries support it ({@code zstd}); the
   * default refuses.
   *
   * @param samples the payloads to learn from; not modified
   * @param maxBytes the largest dictionary wanted, at least 1024
   * @return the dictionary, at most {@code maxBytes} bytes
   * @throws UnsupportedOperationException if this compressor has no dictionaries (the default)
   * @throws IllegalArgumentException if no dictionary can be trained from these samples (too few,
   *     too small or too alike)
   * @throws NullPointerException if {@code samples} or one of them is null
   * @since 0.1
   */
  default byte[] trainDictionary(List<byte[]> samples, int maxBytes) {
    Objects.requireNonNull(samples, "samples");
    throw new UnsupportedOperationException(
        "compressor '" + name() + "' has no dictionaries; only zstd trains them");
  }

  /**
   * A compressor of the same name that compresses with {@code dictionary} and decompresses only
   * blocks written with it. Its blocks are part of the journal format as this compressor's are,
   * tied to the dictionary: the engine records which dictionary each payload was written with and
   * reads it with exactly that one. Thread-safe, as every compressor.
   *
   * @param dictionary a dictionary {@link #trainDictionary} returned; not modified
   * @return the compressor bound to it
   * @throws UnsupportedOperationException if this compressor has no dictionaries (the default)
   * @throws IllegalArgumentException if {@code dictionary} is not a dictionary of this compressor
   * @throws NullPointerException if {@code dictionary} is null
   * @since 0.1
   */
  default Compressor withDictionary(byte[] dictionary) {
    Objects.requireNonNull(dictionary, "dictionary");
    throw new UnsupportedOperationException(
        "compressor '" + name() + "' has no dictionaries; only zstd uses them");
  }
}
