package io.batpak.engine.internal.segment;

import io.batpak.CorruptStoreException;
import io.batpak.port.FileHandle;
import io.batpak.port.ShortReadException;
import io.batpak.port.UnsupportedFsOperationException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The read handle of a segment that may still grow (the active one): its durable bytes are read
 * through mappings of fixed-size, aligned chunks, the rest with {@code pread} (ADR 0031).
 *
 * <p>A chunk is mapped only once the segment's durable length ({@link #durableTo}, which the
 * journal advances after each completed sync) covers it whole: its bytes are then final, since the
 * journal never writes or cuts below its synced length, and {@link FileHandle#map}'s rule (only
 * immutable bytes) holds. A chunk, once mapped, is never mapped again, so a reader of old events
 * keeps its page tables while the segment grows. A read that crosses a chunk's end, or reaches past
 * the last whole durable chunk, is a {@code pread} through the wrapped handle.
 *
 * <p>A backend that refuses a mapping it announced ({@link UnsupportedFsOperationException}) turns
 * mappings off for this handle and the refusal is reported to the journal, which logs it once and
 * maps nothing more; the read goes on with {@code pread}.
 *
 * <p>Thread-safe: reads take the published chunk array without a lock; a missing chunk is mapped
 * under this handle's lock, once.
 */
final class ChunkMappedSegment extends MappedReadHandle {
  /** Told once when the backend refuses to map a chunk it announced it could. */
  interface Refusal {
    void refused(Path path, UnsupportedFsOperationException e);
  }

  private final int chunkBytes;
  private final Refusal refusal;

  /** Chunk {@code i} maps {@code [i * chunkBytes, (i + 1) * chunkBytes)}, or is null. */
  private volatile ByteBuffer[] chunks = new ByteBuffer[0];

  /** How many leading bytes are durable, so final. Only grows. */
  private volatile long durable;

  private volatile boolean mapping = true;

  /**
   * Wraps {@code file}, of which the first {@code durable} bytes are final.
   *
   * @param file the segment's read handle, closed with this one
   * @param chunkBytes the size of a mapped chunk, a power of two
   * @param durable how many leading bytes are final now
   * @param refusal told when the backend refuses a mapping
   */
  ChunkMappedSegment(FileHandle file, int chunkBytes, long durable, Refusal refusal) {
    super(file);
    if (Integer.bitCount(chunkBytes) != 1) {
      throw new IllegalArgumentException("chunk size " + chunkBytes + " is not a power of two");
    }
    this.chunkBytes = chunkBytes;
    this.durable = durable;
    this.refusal = refusal;
  }

  /**
   * The chunk size for segments of at most {@code segmentMaxBytes}: a sixteenth of it, rounded down
   * to a power of two, between 64 KiB and 8 MiB.
   */
  static int chunkBytesFor(long segmentMaxBytes) {
    long sixteenth = Math.max(64L << 10, Math.min(8L << 20, segmentMaxBytes / 16));
    return (int) Long.highestOneBit(sixteenth);
  }

  /**
   * Records that the segment's first {@code length} bytes are durable; a smaller value than before
   * is ignored (a journal never cuts below its synced length).
   */
  void durableTo(long length) {
    synchronized (this) {
      if (length > durable) {
        durable = length;
      }
    }
  }

  /** How many leading bytes may be mapped: the whole durable chunks. */
  long mappableEnd() {
    return durable & -(long) chunkBytes;
  }

  @Override
  public long size() throws IOException {
    return file.size();
  }

  /**
   * Copies from the chunk that holds {@code [position, position + dst.remaining())} whole when it
   * is durable, else reads with {@code pread}.
   */
  @Override
  public void read(ByteBuffer dst, long position) throws IOException {
    checkOpen();
    int n = dst.remaining();
    long index = position / chunkBytes;
    ByteBuffer chunk =
        n > 0 && position >= 0 && (position + n - 1) / chunkBytes == index
            ? chunk((int) index)
            : null;
    if (chunk == null) {
      file.read(dst, position);
      return;
    }
    dst.put(dst.position(), chunk, (int) (position - index * chunkBytes), n);
    dst.position(dst.position() + n);
  }

  /** Chunk {@code index}, mapped now if it is durable and was not yet; null to read with pread. */
  private ByteBuffer chunk(int index) throws IOException {
    ByteBuffer[] cs = chunks;
    if (index < cs.length && cs[index] != null) {
      return cs[index];
    }
    if (!mapping || (index + 1L) * chunkBytes > mappableEnd()) {
      return null;
    }
    synchronized (this) {
      cs = chunks;
      if (index < cs.length && cs[index] != null) {
        return cs[index];
      }
      ByteBuffer mapped;
      try {
        mapped = file.map((long) index * chunkBytes, chunkBytes);
      } catch (UnsupportedFsOperationException e) {
        mapping = false;
        refusal.refused(path(), e);
        return null;
      } catch (ShortReadException e) {
        // The journal counts these bytes durable, but the file ends before them: damage.
        throw new CorruptStoreException(
            path().toString(),
            (long) index * chunkBytes + e.bytesRead(),
            "segment",
            "at least " + (index + 1L) * chunkBytes + " durable bytes",
            "the end of the file after " + ((long) index * chunkBytes + e.bytesRead()) + " bytes");
      } catch (IOException e) {
        throw new IOException(
            "mapping bytes "
                + (long) index * chunkBytes
                + " to "
                + (index + 1L) * chunkBytes
                + " of "
                + path()
                + " for reads failed: "
                + e.getMessage(),
            e);
      }
      ByteBuffer[] grown = Arrays.copyOf(cs, Math.max(cs.length, index + 1));
      grown[index] = mapped;
      chunks = grown;
      return mapped;
    }
  }
}
