package io.batpak.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.batpak.spi.Compressor;
import java.util.Objects;

/**
 * Zstandard frames at level {@value #LEVEL}, zstd-jni. The decompressor writes into the array it is
 * given, of the length the journal recorded, and fails on anything else, so a damaged frame can
 * neither overrun it nor make it allocate. Each thread keeps one compression and one decompression
 * context (a one-shot call would allocate and free a context per payload, which costs more than
 * compressing a small payload). Thread-safe.
 */
final class ZstdCompressor implements Compressor {
  static final String NAME = "zstd";

  /** zstd's default level: a good ratio at a few hundred MB/s. */
  static final int LEVEL = 3;

  private final ThreadLocal<ZstdCompressCtx> compressors =
      ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(LEVEL));
  private final ThreadLocal<ZstdDecompressCtx> decompressors =
      ThreadLocal.withInitial(ZstdDecompressCtx::new);

  ZstdCompressor() {
    // Loads the native library now, so a missing one fails the store's open, not its first append.
    Zstd.defaultCompressionLevel();
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte[] compress(byte[] input) {
    Objects.requireNonNull(input, "input");
    return compressors.get().compress(input);
  }

  @Override
  public void decompress(byte[] input, int offset, int length, byte[] output) {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    Objects.checkFromIndexSize(offset, length, input.length);
    int n;
    try {
      n = decompressors.get().decompressByteArray(output, 0, output.length, input, offset, length);
    } catch (ZstdException e) {
      throw new IllegalArgumentException("malformed zstd frame: " + e.getMessage(), e);
    }
    if (n != output.length) {
      throw new IllegalArgumentException(
          "the zstd frame decompresses to " + n + " bytes, not the " + output.length + " recorded");
    }
  }
}
