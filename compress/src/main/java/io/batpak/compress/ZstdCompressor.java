package io.batpak.compress;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdCompressCtx;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdDictCompress;
import com.github.luben.zstd.ZstdDictDecompress;
import com.github.luben.zstd.ZstdException;
import io.batpak.spi.Compressor;
import java.util.List;
import java.util.Objects;

/**
 * Zstandard frames at level {@value #LEVEL}, zstd-jni. The decompressor writes into the array it is
 * given, of the length the journal recorded, and fails on anything else, so a damaged frame can
 * neither overrun it nor make it allocate. Each thread keeps one compression and one decompression
 * context (a one-shot call would allocate and free a context per payload, which costs more than
 * compressing a small payload). An instance made by {@link #withDictionary} loads its dictionary
 * (digested once) into each of its contexts; zstd records the dictionary's id in every frame, so a
 * frame read with another dictionary fails instead of decoding wrongly. Thread-safe.
 */
final class ZstdCompressor implements Compressor {
  static final String NAME = "zstd";

  /** zstd's default level: a good ratio at a few hundred MB/s. */
  static final int LEVEL = 3;

  private final ThreadLocal<ZstdCompressCtx> compressors;
  private final ThreadLocal<ZstdDecompressCtx> decompressors;

  ZstdCompressor() {
    // Loads the native library now, so a missing one fails the store's open, not its first append.
    Zstd.defaultCompressionLevel();
    compressors = ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(LEVEL));
    decompressors = ThreadLocal.withInitial(ZstdDecompressCtx::new);
  }

  private ZstdCompressor(ZstdDictCompress forCompress, ZstdDictDecompress forDecompress) {
    compressors =
        ThreadLocal.withInitial(() -> new ZstdCompressCtx().setLevel(LEVEL).loadDict(forCompress));
    decompressors = ThreadLocal.withInitial(() -> new ZstdDecompressCtx().loadDict(forDecompress));
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
  public byte[] trainDictionary(List<byte[]> samples, int maxBytes) {
    Objects.requireNonNull(samples, "samples");
    byte[][] all = new byte[samples.size()][];
    for (int i = 0; i < all.length; i++) {
      all[i] = Objects.requireNonNull(samples.get(i), "samples[" + i + "]");
    }
    byte[] dictionary = new byte[maxBytes];
    String error;
    try {
      long n = Zstd.trainFromBuffer(all, dictionary, false, LEVEL);
      if (!Zstd.isError(n)) {
        return java.util.Arrays.copyOf(dictionary, (int) n);
      }
      error = Zstd.getErrorName(n);
    } catch (ZstdException e) {
      error = e.getMessage();
    }
    throw new IllegalArgumentException(
        "zstd could not train a dictionary of "
            + maxBytes
            + " bytes from "
            + all.length
            + " samples (it needs more, larger or more varied ones): "
            + error);
  }

  @Override
  public Compressor withDictionary(byte[] dictionary) {
    Objects.requireNonNull(dictionary, "dictionary");
    if (Zstd.getDictIdFromDict(dictionary) == 0) {
      throw new IllegalArgumentException(
          "a zstd dictionary of "
              + dictionary.length
              + " bytes without the zstd dictionary header (a trained dictionary has one)");
    }
    return new ZstdCompressor(
        new ZstdDictCompress(dictionary, LEVEL), new ZstdDictDecompress(dictionary));
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
