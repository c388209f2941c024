package io.batpak.compress;

import io.batpak.spi.Compressor;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * LZ4 block format. Compresses with the fastest compressor lz4-java offers (its input is the
 * application's own payload); decompresses only with the pure-Java safe decompressor, which checks
 * every bound against the input and output arrays, since a block read from disk is untrusted (the
 * "fast" decompressors trust the block and must never see one). Thread-safe.
 */
final class Lz4Compressor implements Compressor {
  static final String NAME = "lz4";

  private final LZ4Compressor compressor = LZ4Factory.fastestInstance().fastCompressor();
  private final LZ4SafeDecompressor decompressor = LZ4Factory.safeInstance().safeDecompressor();

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte[] compress(byte[] input) {
    Objects.requireNonNull(input, "input");
    return compressor.compress(input);
  }

  @Override
  public void decompress(byte[] input, int offset, int length, byte[] output) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    int n;
    try {
      n = decompressor.decompress(input, offset, length, output, 0, output.length);
    } catch (LZ4Exception e) {
      throw new IllegalArgumentException("malformed LZ4 block: " + e.getMessage(), e);
    }
    if (n != output.length) {
      throw new IllegalArgumentException(
          "the LZ4 block decompresses to " + n + " bytes, not the " + output.length + " recorded");
    }
  }
}
