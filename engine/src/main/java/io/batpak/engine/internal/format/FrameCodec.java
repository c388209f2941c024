package io.batpak.engine.internal.format;

import io.batpak.CorruptStoreException;
import io.batpak.StoreConfig;
import io.batpak.ValidationException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.zip.CRC32C;

/**
 * Frames and event records of format v1 (docs/format.md has the byte-by-byte layout and test
 * vectors). A frame is {@code [u32 body length][u32 CRC32C of the length bytes and the
 * body][body]}; the body holds a frame type, the base global sequence, an event count and that many
 * event records. An atomic batch is one frame. All integers are big-endian.
 */
public final class FrameCodec {

  /** Bytes before a frame's body: length and CRC. */
  public static final int PREFIX = 8;

  /** Bytes of the body before the first record. */
  public static final int BODY_HEADER = 24;

  /** The smallest legal body: a body header and one minimal record. */
  public static final int MIN_BODY = BODY_HEADER + 182;

  /** Frame type of a frame holding events. */
  public static final int TYPE_EVENTS = 1;

  /**
   * Frame type of a frame written by compaction for events whose payload it removed: the records
   * keep every field and hash, with an empty payload; the body's flags byte says why ({@link
   * #DROPPED} or {@link #TOMBSTONED}). Only in segments of format version 3.
   */
  public static final int TYPE_COMPACTED = 6;

  /** Flags of a {@link #TYPE_COMPACTED} frame: its events were dropped (no read returns them). */
  public static final int DROPPED = 1;

  /** Flags of a {@link #TYPE_COMPACTED} frame: its events are tombstones (read without payload). */
  public static final int TOMBSTONED = 2;

  /** The hash-version byte that starts every event hash input. */
  public static final byte HASH_VERSION = 1;

  /** Thirty-two zero bytes: the previous hash of a stream's first event. */
  public static final byte[] ZERO_HASH = new byte[32];

  private FrameCodec() {}

  /** The number of bytes {@code r} takes in a frame body, including its length field. */
  public static int recordSize(EventContent r) {
    int n = 4 + 16 + 16 + 1 + 16;
    n += 2 + utf8Length(r.entity()) + 2 + utf8Length(r.scope());
    n += 2 + 8 + 8 + 2 + 1;
    n += 2;
    for (int i = 0; i < r.extensionKeys().length; i++) {
      n += 2 + r.extensionKeys()[i].length() + 4 + r.extensionValues()[i].length;
    }
    byte[] compressed = r.compressedPayload();
    n += 32 * 3 + 4 + (compressed != null ? compressed.length : r.payload().length);
    return n;
  }

  /**
   * The largest frame body the journal holds, for the writer and the reader alike: the writer
   * refuses an append whose frame would be larger before writing anything ({@link #checkFits}), and
   * recovery calls a longer length impossible. A format rule (128 MiB, {@code docs/format.md}), not
   * a setting: changing it changes what a valid segment is.
   */
  public static final int MAX_BODY = 128 << 20;

  /**
   * Checks that a batch of {@code maxBatchBytes} (the configured {@code maxBatchBytes}) always fits
   * one frame, so the limit a user sets is the one that applies. Called when a store opens.
   *
   * @throws ValidationException naming the option and both sizes if it does not
   */
  public static void checkBatchLimit(long maxBatchBytes) {
    if (maxBatchBytes - PREFIX > MAX_BODY) {
      throw new ValidationException(
          "maxBatchBytes ("
              + maxBatchBytes
              + ") exceeds what one journal frame holds ("
              + (MAX_BODY + PREFIX)
              + " bytes, a format limit); set maxBatchBytes to at most "
              + (MAX_BODY + PREFIX));
    }
  }

  /** The size of a whole frame holding {@code records}, without overflow. */
  public static long encodedSize(List<? extends EventContent> records) {
    long n = PREFIX + BODY_HEADER;
    for (EventContent r : records) {
      n += recordSize(r);
    }
    return n;
  }

  /**
   * Checks that a frame of {@code encodedSize} bytes (from {@link #encodedSize}) fits the format's
   * limit. Only a batch can exceed it: {@link #MAX_SINGLE_EVENT_FRAME} proves one event cannot.
   *
   * @throws ValidationException if it does not, naming both sizes
   */
  public static void checkFits(long encodedSize) {
    if (encodedSize - PREFIX > MAX_BODY) {
      throw new ValidationException(
          "the append encodes to a frame of "
              + encodedSize
              + " bytes, over the journal's limit of "
              + (MAX_BODY + PREFIX)
              + " bytes per frame; nothing was written. Split the batch.");
    }
  }

  /**
   * The largest frame one event can make within the per-event limits (payload, two coordinate
   * components, extensions): checked against {@link #MAX_BODY} when this class loads, so a single
   * append never needs {@link #checkFits}.
   */
  public static final long MAX_SINGLE_EVENT_FRAME =
      PREFIX
          + BODY_HEADER
          + (4 + 16 + 16 + 1 + 16)
          + 2L * (2 + io.batpak.Coordinate.MAX_COMPONENT_BYTES)
          + (2 + 8 + 8 + 2 + 1 + 2)
          + StoreConfig.MAX_EXTENSIONS * (2 + 4L)
          + StoreConfig.MAX_EXTENSION_BYTES
          + 32 * 3
          + 4
          + StoreConfig.MAX_PAYLOAD_BYTES_LIMIT;

  static {
    if (MAX_SINGLE_EVENT_FRAME - PREFIX > MAX_BODY) {
      throw new ExceptionInInitializerError(
          "one event can encode to " + MAX_SINGLE_EVENT_FRAME + " bytes, past MAX_BODY");
    }
  }

  /** The size of a whole frame holding {@code records}. */
  public static int frameSize(List<? extends EventContent> records) {
    return Math.toIntExact(encodedSize(records));
  }

  /**
   * Writes one frame holding {@code records} at {@code out}'s position.
   *
   * @param durableEnd how many bytes of the segment were durable (synced) when the frame was
   *     written; recovery uses it as evidence of whether bytes before the frame were ever synced
   * @return the frame's offset within {@code out}
   */
  public static int writeFrame(
      ByteBuffer out, long baseGlobalSequence, long durableEnd, List<EventRecord> records) {
    return writeFrame(out, baseGlobalSequence, durableEnd, records, new int[records.size()]);
  }

  /**
   * Writes one frame of type {@code type} with body flags {@code flags} (events: 0; compacted:
   * {@link #DROPPED} or {@link #TOMBSTONED}, whose records are written with an empty payload).
   */
  public static int writeFrame(
      ByteBuffer out,
      int type,
      int flags,
      long baseGlobalSequence,
      long durableEnd,
      List<EventRecord> records,
      int[] recordOffsets) {
    return write(out, type, flags, baseGlobalSequence, durableEnd, records, recordOffsets);
  }

  /**
   * Writes one frame as {@link #writeFrame(ByteBuffer, long, long, List)} does, and reports where
   * each record starts.
   *
   * @param recordOffsets receives, for each record, its offset from the start of the body (the
   *     index keeps it to read one event of a batch without parsing the others)
   */
  public static int writeFrame(
      ByteBuffer out,
      long baseGlobalSequence,
      long durableEnd,
      List<EventRecord> records,
      int[] recordOffsets) {
    return write(out, TYPE_EVENTS, 0, baseGlobalSequence, durableEnd, records, recordOffsets);
  }

  private static int write(
      ByteBuffer out,
      int type,
      int flags,
      long baseGlobalSequence,
      long durableEnd,
      List<EventRecord> records,
      int[] recordOffsets) {
    int start = out.position();
    out.position(start + PREFIX);
    out.put((byte) type).put((byte) flags).putShort((short) 0);
    out.putLong(baseGlobalSequence).putInt(records.size()).putLong(durableEnd);
    boolean payloads = type == TYPE_EVENTS;
    for (int i = 0; i < records.size(); i++) {
      recordOffsets[i] = out.position() - start - PREFIX;
      writeRecord(out, records.get(i), payloads);
    }
    int end = out.position();
    int bodyLength = end - start - PREFIX;
    out.putInt(start, bodyLength);
    out.putInt(start + 4, crc(out, start, bodyLength));
    return start;
  }

  /**
   * Lowers the durable end the frame of {@code frameLength} bytes at {@code at} records to {@code
   * durableEnd} and recomputes its CRC: a frame compaction moves to an earlier offset may not claim
   * bytes beyond where it now starts.
   */
  public static void lowerDurableEnd(byte[] buf, int at, int frameLength, long durableEnd) {
    ByteBuffer b = ByteBuffer.wrap(buf);
    b.putLong(at + PREFIX + 16, durableEnd);
    b.putInt(at + 4, crc(b, at, frameLength - PREFIX));
  }

  /** CRC32C over the 4 length bytes at {@code start} and the body that follows the prefix. */
  static int crc(ByteBuffer buf, int start, int bodyLength) {
    CRC32C crc = new CRC32C();
    if (buf.hasArray()) { // the group writer's heap buffer: no duplicate view needed
      byte[] a = buf.array();
      int base = buf.arrayOffset();
      crc.update(a, base + start, 4);
      crc.update(a, base + start + PREFIX, bodyLength);
      return (int) crc.getValue();
    }
    ByteBuffer dup = buf.duplicate();
    dup.limit(start + 4).position(start);
    crc.update(dup);
    dup.limit(start + PREFIX + bodyLength).position(start + PREFIX);
    crc.update(dup);
    return (int) crc.getValue();
  }

  /** Whether the frame in {@code frame[0, PREFIX + body)} has a correct CRC. */
  public static boolean crcMatches(byte[] frame, int offset, int bodyLength) {
    CRC32C crc = new CRC32C();
    crc.update(frame, offset, 4);
    crc.update(frame, offset + PREFIX, bodyLength);
    return (int) crc.getValue() == readInt(frame, offset + 4);
  }

  /**
   * Whether {@code bytes[offset, offset + length)} is exactly what the writer writes for {@code r},
   * length field included, with its payload as stored. A record read without its frame's CRC needs
   * this besides its hashes: they cover every field's value, but not the record's length field nor
   * how a value is spelled (the causation flag is any non-zero byte to the decoder, 1 to the
   * writer), so a flipped bit there would decode to the same record.
   */
  public static boolean isEncodingOf(EventRecord r, byte[] bytes, int offset, int length) {
    if (recordSize(r) != length) {
      return false;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    writeRecord(out, r, true);
    return Arrays.equals(out.array(), 0, length, bytes, offset, offset + length);
  }

  private static void writeRecord(ByteBuffer out, EventRecord r, boolean payload) {
    int start = out.position();
    out.putInt(0);
    out.putLong(r.idHi()).putLong(r.idLo());
    out.putLong(r.correlationHi()).putLong(r.correlationLo());
    out.put((byte) (r.hasCausation() ? 1 : 0));
    out.putLong(r.causationHi()).putLong(r.causationLo());
    putString16(out, r.entity());
    putString16(out, r.scope());
    out.putShort((short) r.kind());
    out.putLong(r.streamSequence());
    out.putLong(r.timestampMicros());
    out.putShort((short) r.payloadVersion());
    out.put((byte) r.flags());
    out.putShort((short) r.extensionKeys().length);
    for (int i = 0; i < r.extensionKeys().length; i++) {
      putString16(out, r.extensionKeys()[i]);
      out.putInt(r.extensionValues()[i].length).put(r.extensionValues()[i]);
    }
    out.put(r.prevHash()).put(r.contentHash()).put(r.eventHash());
    if (payload && r.compressedPayload() != null) {
      out.putInt(r.compressedPayload().length | CompressedPayload.FLAG).put(r.compressedPayload());
    } else if (payload) {
      out.putInt(r.payload().length).put(r.payload());
    } else {
      out.putInt(0);
    }
    out.putInt(start, out.position() - start - 4);
  }

  /**
   * Decodes a frame body already checked by CRC.
   *
   * @param body the bytes
   * @param offset where the body starts in {@code body}
   * @param length the body's length
   * @param file for error messages
   * @param fileOffset the frame's offset in the file, for error messages
   * @param recordOffsets receives each record's offset relative to the body start; may be null
   * @throws CorruptStoreException if the body does not parse
   */
  public static List<EventRecord> decodeBody(
      byte[] body,
      int offset,
      int length,
      String file,
      long fileOffset,
      List<Integer> recordOffsets) {
    return decodeBody(body, offset, length, file, fileOffset, recordOffsets, Decompressors.NONE);
  }

  /**
   * Decodes a frame body already checked by CRC, as {@link #decodeBody(byte[], int, int, String,
   * long, List)} does, decompressing compressed payloads with {@code decompressors}.
   */
  public static List<EventRecord> decodeBody(
      byte[] body,
      int offset,
      int length,
      String file,
      long fileOffset,
      List<Integer> recordOffsets,
      Decompressors decompressors) {
    List<EventRecord> out = new ArrayList<>();
    scanBody(
        body,
        offset,
        length,
        file,
        fileOffset,
        v -> {
          if (recordOffsets != null) {
            recordOffsets.add(v.recordOffset);
          }
          out.add(
              decodeRecord(
                  body,
                  offset,
                  v.recordOffset,
                  v.globalSequence,
                  decompressors,
                  () -> file,
                  fileOffset));
        });
    return out;
  }

  /**
   * The fields recovery needs from one record, parsed in place without copying the payload or
   * extensions. Reused from record to record; valid only during {@link RecordSink#accept}.
   */
  public static final class HeaderView {
    /** Event id, high bits. */
    public long idHi;

    /** Event id, low bits. */
    public long idLo;

    /** Correlation id, high bits. */
    public long correlationHi;

    /** Correlation id, low bits. */
    public long correlationLo;

    /** Whether the record names a cause. */
    public boolean hasCausation;

    /** Causation id, high bits (0 when absent). */
    public long causationHi;

    /** Causation id, low bits (0 when absent). */
    public long causationLo;

    /** The stream. */
    public String entity;

    /** The scope. */
    public String scope;

    /** The raw kind. */
    public int kind;

    /** Position in the stream. */
    public long streamSequence;

    /** Position in the store. */
    public long globalSequence;

    /** Offset of the record in the body (relative to the body start). */
    public int recordOffset;

    /**
     * 0 for a record of an events frame; for a record of a {@link #TYPE_COMPACTED} frame, the
     * frame's flags ({@link #DROPPED} or {@link #TOMBSTONED}).
     */
    public int disposition;

    /** The bytes holding the record. */
    public byte[] buffer;

    /** Absolute offset of the previous hash in {@link #buffer}. */
    public int prevHashAt;

    /** Absolute offset of the event hash in {@link #buffer}. */
    public int eventHashAt;
  }

  /** Receives each record of a body. */
  @FunctionalInterface
  public interface RecordSink {
    /** Called once per record, in order. */
    void accept(HeaderView view);
  }

  /**
   * Parses a CRC-checked body record by record without copying payloads, for recovery.
   *
   * @return the number of records
   * @throws CorruptStoreException if the body does not parse
   */
  public static int scanBody(
      byte[] buf, int offset, int length, String file, long fileOffset, RecordSink sink) {
    ByteBuffer b = ByteBuffer.wrap(buf, offset, length).slice();
    HeaderView v = new HeaderView();
    v.buffer = buf;
    try {
      int type = b.get() & 0xFF;
      int flags = b.get() & 0xFF;
      if (type == TYPE_EVENTS && flags == 0) {
        v.disposition = 0;
      } else if (type == TYPE_COMPACTED && (flags == DROPPED || flags == TOMBSTONED)) {
        v.disposition = flags;
      } else {
        throw corrupt(
            file,
            fileOffset,
            "frame type and flags",
            "events (" + TYPE_EVENTS + ", 0) or compacted (" + TYPE_COMPACTED + ", 1 or 2)",
            type + ", " + flags);
      }
      b.position(4);
      long base = b.getLong();
      int count = b.getInt();
      b.getLong();
      if (count < 1) {
        throw corrupt(file, fileOffset, "frame event count", ">= 1", "" + count);
      }
      for (int i = 0; i < count; i++) {
        int recStart = b.position();
        int recLen = b.getInt();
        if (recLen < 0 || recLen > b.remaining()) {
          throw corrupt(
              file, fileOffset, "record " + i + " length", "<= " + b.remaining(), "" + recLen);
        }
        int recEnd = recStart + 4 + recLen;
        v.recordOffset = recStart;
        v.globalSequence = base + i;
        v.idHi = b.getLong();
        v.idLo = b.getLong();
        v.correlationHi = b.getLong();
        v.correlationLo = b.getLong();
        v.hasCausation = b.get() != 0;
        v.causationHi = b.getLong();
        v.causationLo = b.getLong();
        v.entity = getString16(b);
        v.scope = getString16(b);
        v.kind = b.getShort() & 0xFFFF;
        v.streamSequence = b.getLong();
        b.position(b.position() + 8 + 2 + 1);
        int extCount = b.getShort() & 0xFFFF;
        for (int e = 0; e < extCount; e++) {
          int k = b.getShort() & 0xFFFF;
          b.position(b.position() + k);
          int n = b.getInt();
          if (n < 0 || n > b.remaining()) {
            throw new IllegalArgumentException("extension value length " + n);
          }
          b.position(b.position() + n);
        }
        v.prevHashAt = offset + b.position();
        v.eventHashAt = v.prevHashAt + 64;
        b.position(b.position() + 96);
        int pl = b.getInt() & ~CompressedPayload.FLAG;
        if (b.position() + pl != recEnd) {
          throw corrupt(
              file, fileOffset, "record " + i + " layout", "end at " + recEnd, "payload " + pl);
        }
        b.position(recEnd);
        sink.accept(v);
      }
      if (b.hasRemaining()) {
        throw corrupt(file, fileOffset, "frame body length", "" + b.position(), "" + length);
      }
      return count;
    } catch (java.nio.BufferUnderflowException
        | IllegalArgumentException
        | IndexOutOfBoundsException e) {
      throw corrupt(file, fileOffset, "frame body", "a decodable body", e.toString());
    }
  }

  /**
   * Decodes the single record at {@code recordOffset} of a CRC-checked body that holds no
   * compressed payload (a compressed one is refused).
   */
  public static EventRecord decodeRecord(
      byte[] body, int bodyOffset, int recordOffset, long globalSequence) {
    return decodeRecord(
        body, bodyOffset, recordOffset, globalSequence, Decompressors.NONE, () -> "(frame)", -1);
  }

  /**
   * Decodes the single record at {@code recordOffset} of a CRC-checked body: the one decoding of a
   * stored record, which every read of an event goes through. A compressed payload is decompressed
   * here, with {@code decompressors} ({@link CompressedPayload#expand}).
   *
   * @param file the segment, for errors (asked for only when there is one: building a path is work
   *     a read should not do)
   * @param fileOffset the frame's offset in it, for errors
   * @throws CorruptStoreException if a compressed payload is damaged
   * @throws io.batpak.ProviderException if a compressed payload names a compressor not on the class
   *     path
   */
  public static EventRecord decodeRecord(
      byte[] body,
      int bodyOffset,
      int recordOffset,
      long globalSequence,
      Decompressors decompressors,
      Supplier<String> file,
      long fileOffset) {
    return decodeRecord(
        body, bodyOffset, recordOffset, globalSequence, decompressors, file, fileOffset, true);
  }

  /**
   * Decodes the record as {@link #decodeRecord(byte[], int, int, long, Decompressors, String,
   * long)} does; with {@code payload} false a compressed payload is not decompressed, and the
   * record's {@link EventRecord#payload()} is empty (its {@link EventRecord#payloadSize()} is
   * right): for reads of headers only.
   */
  public static EventRecord decodeRecord(
      byte[] body,
      int bodyOffset,
      int recordOffset,
      long globalSequence,
      Decompressors decompressors,
      Supplier<String> file,
      long fileOffset,
      boolean payload) {
    ByteBuffer b = ByteBuffer.wrap(body, bodyOffset, body.length - bodyOffset).slice();
    b.position(recordOffset + 4);
    return readRecord(b, globalSequence, payload ? decompressors : null, file, fileOffset);
  }

  private static EventRecord readRecord(
      ByteBuffer b,
      long globalSequence,
      Decompressors decompressors,
      Supplier<String> file,
      long fileOffset) {
    long idHi = b.getLong();
    long idLo = b.getLong();
    long cHi = b.getLong();
    long cLo = b.getLong();
    boolean hasCause = b.get() != 0;
    long kHi = b.getLong();
    long kLo = b.getLong();
    String entity = getString16(b);
    String scope = getString16(b);
    int kind = b.getShort() & 0xFFFF;
    long streamSeq = b.getLong();
    long ts = b.getLong();
    int pv = b.getShort() & 0xFFFF;
    int flags = b.get() & 0xFF;
    int extCount = b.getShort() & 0xFFFF;
    String[] keys = new String[extCount];
    byte[][] values = new byte[extCount][];
    for (int i = 0; i < extCount; i++) {
      keys[i] = getString16(b);
      int n = b.getInt();
      if (n < 0 || n > b.remaining()) {
        throw new IllegalArgumentException("extension value length " + n);
      }
      values[i] = new byte[n];
      b.get(values[i]);
    }
    byte[] prev = new byte[32];
    byte[] content = new byte[32];
    byte[] event = new byte[32];
    b.get(prev).get(content).get(event);
    int field = b.getInt();
    int pl = field & ~CompressedPayload.FLAG;
    if (pl > b.remaining()) {
      throw new IllegalArgumentException("payload length " + pl);
    }
    byte[] payload;
    byte[] compressed = null;
    if ((field & CompressedPayload.FLAG) != 0) {
      compressed = new byte[pl];
      b.get(compressed);
      payload =
          decompressors == null
              ? new byte[0]
              : CompressedPayload.expand(
                  compressed, 0, pl, content, decompressors, file, fileOffset);
    } else {
      payload = new byte[pl];
      b.get(payload);
    }
    return new EventRecord(
        idHi,
        idLo,
        cHi,
        cLo,
        hasCause,
        kHi,
        kLo,
        entity,
        scope,
        kind,
        streamSeq,
        globalSequence,
        ts,
        pv,
        flags,
        keys,
        values,
        prev,
        content,
        event,
        payload,
        compressed);
  }

  /**
   * The frozen canonical header of format v1 for {@code r} placed at the given stream and global
   * sequence: the input of the event hash together with the previous hash and the content hash. It
   * never changes for v1 stores, whatever the stored layout becomes.
   */
  public static byte[] canonicalHeader(EventContent r, long streamSequence, long globalSequence) {
    byte[] entity = r.entity().getBytes(StandardCharsets.UTF_8);
    byte[] scope = r.scope().getBytes(StandardCharsets.UTF_8);
    int n = 16 + 16 + 1 + 16 + 4 + entity.length + 4 + scope.length + 2 + 8 + 8 + 8 + 2 + 1 + 4;
    for (int i = 0; i < r.extensionKeys().length; i++) {
      n += 4 + r.extensionKeys()[i].length() + 4 + r.extensionValues()[i].length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    b.putLong(r.idHi()).putLong(r.idLo()).putLong(r.correlationHi()).putLong(r.correlationLo());
    b.put((byte) (r.hasCausation() ? 1 : 0)).putLong(r.causationHi()).putLong(r.causationLo());
    b.putInt(entity.length).put(entity).putInt(scope.length).put(scope);
    b.putShort((short) r.kind()).putLong(streamSequence).putLong(globalSequence);
    b.putLong(r.timestampMicros()).putShort((short) r.payloadVersion()).put((byte) r.flags());
    b.putInt(r.extensionKeys().length);
    for (int i = 0; i < r.extensionKeys().length; i++) {
      byte[] k = r.extensionKeys()[i].getBytes(StandardCharsets.US_ASCII);
      b.putInt(k.length).put(k).putInt(r.extensionValues()[i].length).put(r.extensionValues()[i]);
    }
    return b.array();
  }

  /** {@code BLAKE3(HASH_VERSION ‖ prevHash ‖ canonicalHeader(r) ‖ r.contentHash())}. */
  public static byte[] eventHash(Blake3 blake3, byte[] prevHash, EventRecord r) {
    return eventHash(blake3, prevHash, r, r.streamSequence(), r.globalSequence());
  }

  /** The event hash of {@code r} placed at the given stream and global sequence. */
  public static byte[] eventHash(
      Blake3 blake3, byte[] prevHash, EventContent r, long streamSequence, long globalSequence) {
    byte[] header = canonicalHeader(r, streamSequence, globalSequence);
    blake3.update(HASH_VERSION).update(prevHash, 0, 32).update(header, 0, header.length);
    return blake3.update(r.contentHash(), 0, 32).finish();
  }

  /** Reads a big-endian int. */
  public static int readInt(byte[] b, int offset) {
    return ((b[offset] & 0xFF) << 24)
        | ((b[offset + 1] & 0xFF) << 16)
        | ((b[offset + 2] & 0xFF) << 8)
        | (b[offset + 3] & 0xFF);
  }

  /** The durable end recorded in the frame body starting at {@code bodyOffset}. */
  public static long durableEnd(byte[] b, int bodyOffset) {
    return readLong(b, bodyOffset + 16);
  }

  /** Reads a big-endian long. */
  public static long readLong(byte[] b, int offset) {
    return ((long) readInt(b, offset) << 32) | (readInt(b, offset + 4) & 0xFFFFFFFFL);
  }

  /**
   * Writes {@code s} in UTF-8 after its length as a u16. ASCII (the usual coordinate) is written
   * char by char without an encoded copy; anything else through {@link String#getBytes}.
   */
  private static void putString16(ByteBuffer out, String s) {
    int start = out.position();
    int len = s.length();
    out.putShort((short) len);
    for (int i = 0; i < len; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.position(start);
        out.putShort((short) bytes.length).put(bytes);
        return;
      }
      out.put((byte) c);
    }
  }

  private static String getString16(ByteBuffer b) {
    int n = b.getShort() & 0xFFFF;
    if (n > b.remaining()) {
      throw new IllegalArgumentException("string length " + n);
    }
    byte[] s = new byte[n];
    b.get(s);
    return new String(s, StandardCharsets.UTF_8);
  }

  private static int utf8Length(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n++;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c)) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static CorruptStoreException corrupt(
      String file, long offset, String what, String expected, String actual) {
    return new CorruptStoreException(file, offset, what, expected, actual);
  }
}
