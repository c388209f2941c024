package io.batpak.engine.internal.format;

import io.batpak.CorruptStoreException;
import io.batpak.StoreConfig;
import io.batpak.spi.Compressor;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * The stored form of a compressed payload (docs/format.md, "Compressed payloads"; ADR 0026): the
 * record's payload length field has its top bit ({@link #FLAG}) set, its other bits give the stored
 * length {@code p}, and the {@code p} bytes are {@code [u8 method][u32 uncompressed
 * length][block]}. The method byte names the compressor: {@code 1} = {@code lz4} (an LZ4 block),
 * {@code 2} = {@code zstd} (a Zstandard frame), {@code 3} = {@code zstd} with a dictionary, whose
 * stored form is {@code [u8 3][u32 uncompressed length][u32 dictionary id][block]} (the block a
 * Zstandard frame written with the store's dictionary of that id, ADR 0026). A payload stored as it
 * is keeps the top bit clear, so a record without a compressed payload is byte for byte the record
 * of a store without compression.
 *
 * <p>This class is the one place payloads are compressed ({@link #compress}, on the appending
 * thread) and decompressed ({@link #expand}, from every reader through {@link FrameCodec}). The
 * uncompressed length is checked before anything is allocated (no decompression bomb), and the
 * decompressed bytes must hash to the record's content hash. Stateless and thread-safe.
 */
public final class CompressedPayload {

  /** The payload length field's bit that marks a compressed payload. */
  public static final int FLAG = 0x80000000;

  /** Bytes before the block: method and uncompressed length. */
  public static final int HEADER = 5;

  /** The method byte of {@code zstd} with a dictionary, whose id follows the length. */
  public static final int ZSTD_DICTIONARY = 3;

  /** Bytes before the block of a {@link #ZSTD_DICTIONARY} payload: method, length, dictionary. */
  public static final int DICTIONARY_HEADER = HEADER + 4;

  /**
   * Compressor names by method byte: index 1 is {@code lz4}, index 2 {@code zstd}, index 3 {@code
   * zstd} with a dictionary.
   */
  private static final String[] METHODS = {null, "lz4", "zstd", "zstd"};

  /** Methods a compressor name alone selects (3 needs a dictionary besides). */
  private static final int NAMED_METHODS = 3;

  private static final ThreadLocal<Blake3> HASHERS = ThreadLocal.withInitial(Blake3::new);

  private CompressedPayload() {}

  /** The method byte the format assigns to compressor {@code name}, or -1 if it assigns none. */
  public static int method(String name) {
    for (int i = 1; i < NAMED_METHODS; i++) {
      if (METHODS[i].equals(name)) {
        return i;
      }
    }
    return -1;
  }

  /** The names the format assigns a method byte, for messages. */
  public static String assignedNames() {
    return String.join(", ", Arrays.asList(METHODS).subList(1, NAMED_METHODS));
  }

  /**
   * The stored form of {@code payload} compressed with {@code compressor} (method {@code method}),
   * or null when it would not be shorter than the payload itself.
   */
  public static byte[] compress(Compressor compressor, int method, byte[] payload) {
    return compress(compressor, method, 0, payload);
  }

  /**
   * As {@link #compress(Compressor, int, byte[])}; for method {@link #ZSTD_DICTIONARY} the stored
   * form names {@code dictionary}, the id of the dictionary {@code compressor} is bound to.
   */
  public static byte[] compress(Compressor compressor, int method, int dictionary, byte[] payload) {
    byte[] block = compressor.compress(payload);
    int header = method == ZSTD_DICTIONARY ? DICTIONARY_HEADER : HEADER;
    if (header + (long) block.length >= payload.length) {
      return null;
    }
    byte[] stored = new byte[header + block.length];
    stored[0] = (byte) method;
    ByteBuffer b = ByteBuffer.wrap(stored).putInt(1, payload.length);
    if (method == ZSTD_DICTIONARY) {
      b.putInt(HEADER, dictionary);
    }
    System.arraycopy(block, 0, stored, header, block.length);
    return stored;
  }

  /**
   * The uncompressed payload of the stored form {@code buf[at, at + length)}.
   *
   * @param contentHash the record's content hash, which the result must hash to
   * @param file the segment, for errors (asked for only when there is one)
   * @param frameOffset the frame's offset in it, for errors
   * @throws CorruptStoreException if the method is unknown, the declared length exceeds what a
   *     payload can be (checked before allocating), the dictionary it names is missing or damaged
   *     (naming the dictionary file), the block does not decompress to exactly that length, or the
   *     result does not hash to {@code contentHash}
   * @throws io.batpak.ProviderException if the compressor it names is not on the class path
   */
  public static byte[] expand(
      byte[] buf,
      int at,
      int length,
      byte[] contentHash,
      Decompressors decompressors,
      Supplier<String> file,
      long frameOffset) {
    byte[] out = decompress(buf, at, length, decompressors, file, frameOffset);
    byte[] hash = HASHERS.get().hash(out, 0, out.length);
    if (!Arrays.equals(hash, contentHash)) {
      throw new CorruptStoreException(
          file.get(),
          frameOffset,
          "content hash of the decompressed " + METHODS[buf[at] & 0xFF] + " payload",
          java.util.HexFormat.of().formatHex(contentHash),
          java.util.HexFormat.of().formatHex(hash));
    }
    return out;
  }

  /**
   * The uncompressed payload of the stored form {@code buf[at, at + length)}, as {@link #expand}
   * without the content hash check (for {@code verifyAll}, which checks the hash itself).
   *
   * @throws CorruptStoreException as {@link #expand}
   * @throws io.batpak.ProviderException as {@link #expand}
   */
  public static byte[] decompress(
      byte[] buf,
      int at,
      int length,
      Decompressors decompressors,
      Supplier<String> file,
      long frameOffset) {
    if (length < HEADER) {
      throw new CorruptStoreException(
          file.get(),
          frameOffset,
          "compressed payload",
          "at least " + HEADER + " bytes (method and length)",
          length + " bytes");
    }
    int method = buf[at] & 0xFF;
    if (method >= METHODS.length || METHODS[method] == null) {
      throw new CorruptStoreException(
          file.get(),
          frameOffset,
          "compressed payload method",
          "1 (lz4), 2 (zstd) or 3 (zstd with a dictionary)",
          Integer.toString(method));
    }
    int size = FrameCodec.readInt(buf, at + 1);
    if (size < 0 || size > StoreConfig.MAX_PAYLOAD_BYTES_LIMIT) {
      throw new CorruptStoreException(
          file.get(),
          frameOffset,
          "compressed payload's uncompressed length",
          "0.." + StoreConfig.MAX_PAYLOAD_BYTES_LIMIT + " (the largest payload a record holds)",
          Integer.toUnsignedString(size));
    }
    int header = HEADER;
    Compressor compressor;
    try {
      if (method == ZSTD_DICTIONARY) {
        header = DICTIONARY_HEADER;
        if (length < header) {
          throw new CorruptStoreException(
              file.get(),
              frameOffset,
              "compressed payload",
              "at least " + header + " bytes (method, length and dictionary)",
              length + " bytes");
        }
        compressor =
            decompressors.dictionary(FrameCodec.readInt(buf, at + HEADER), file, frameOffset);
      } else {
        compressor = decompressors.get(METHODS[method]);
      }
    } catch (io.batpak.ProviderException e) {
      throw new io.batpak.ProviderException(
          e.getMessage()
              + " (the payload is in "
              + file.get()
              + ", frame at offset "
              + frameOffset
              + ")");
    }
    byte[] out = new byte[size];
    try {
      compressor.decompress(buf, at + header, length - header, out);
    } catch (RuntimeException e) {
      throw new CorruptStoreException(
          file.get(),
          frameOffset,
          METHODS[method] + " payload of " + size + " bytes",
          "a block that decompresses to it",
          String.valueOf(e.getMessage()));
    }
    return out;
  }
}
