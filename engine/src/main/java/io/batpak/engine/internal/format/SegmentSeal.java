package io.batpak.engine.internal.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The seal at the end of a sealed segment (format version 2, docs/format.md "Sealed segments"): a
 * footer frame that lists every event of the segment, so the segment loads into the index without
 * reading its frames, and a fixed trailer that says where the footer starts.
 *
 * <pre>
 * [segment header][frame]...[frame][footer frame][trailer]
 *
 * footer frame: the frame prefix ([u32 body length][u32 CRC32C of length and body]), then
 *  0   1  frame type 2
 *  1   1  footer version: 0 (no links), 1 (the links follow the events)
 *  2   2  reserved, 0
 *  4   8  base global sequence (the segment's)
 * 12   4  event count N
 * 16   8  frames end: this footer frame's own offset
 * 24   4  name count S
 * 28   4  stream count T
 * 32   …  S names: u16 length, UTF-8
 *  …   T × 44  u32 name index, u64 stream sequence of the stream's last event here, its event hash
 *  …   N × 50  u64 id high, u64 id low, u32 entity name index, u32 scope name index, u16 kind,
 *              u64 stream sequence, u64 frame offset, u32 frame length, u32 record offset
 *  …   version 1, N × (1, 17 or 33): the links, u8 flags (1: a correlation other than the event's
 *              own id follows, 16 bytes; 2: a causation id follows, 16 bytes), then those ids
 *  …   zeros, up to the minimum frame body
 * trailer (16 bytes): u64 offset of the footer frame, magic 89 42 50 4B 45 4E 44 0A
 * </pre>
 *
 * Event {@code i} has global sequence {@code base + i}. All integers are big-endian. A version 0
 * footer (written before version 1 existed, or by a writer that did not hold every event's links)
 * leaves the links to be read from the frames (ADR 0017).
 */
public final class SegmentSeal {

  /** Frame type of a footer frame. */
  public static final int TYPE_FOOTER = 2;

  /** Bytes of the trailer. */
  public static final int TRAILER = 16;

  /** Bytes of the footer body before the names. */
  static final int FOOTER_HEADER = 32;

  /** Bytes per stream in the footer. */
  static final int STREAM_BYTES = 4 + 8 + 32;

  /** Bytes per event in the footer. */
  static final int EVENT_BYTES = 8 + 8 + 4 + 4 + 2 + 8 + 8 + 4 + 4;

  /** Footer version: the links of every event follow the event entries. */
  static final int WITH_LINKS = 1;

  /** A link flag: the event's correlation is not its own id. */
  static final int OTHER_CORRELATION = 1;

  /** A link flag: the event names a cause. */
  static final int CAUSATION = 2;

  /** The trailer's magic. */
  static final byte[] TRAILER_MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'E', 'N', 'D', 0x0A};

  /** The segment's base global sequence. */
  public final long baseGlobal;

  /** The offset of the footer frame: where the segment's frames end. */
  public final long framesEnd;

  /** Per event: id high bits. */
  public final long[] idHi;

  /** Per event: id low bits. */
  public final long[] idLo;

  /** The footer's name table. */
  public final String[] names;

  /** Per event: the index of its entity in {@link #names}. */
  public final int[] entityName;

  /** Per event: the index of its scope in {@link #names}. */
  public final int[] scopeName;

  /** Per name: the head of the stream of that name, or null if no event has it as its entity. */
  public final Head[] headByName;

  /** Per event: the raw kind. */
  public final char[] kind;

  /** Per event: the stream sequence. */
  public final long[] streamSequence;

  /** Per event: its frame's offset. */
  public final long[] frameOffset;

  /** Per event: its frame's length. */
  public final int[] frameLength;

  /** Per event: the record's offset in its frame body. */
  public final int[] recordOffset;

  /** Per event: the correlation id's high bits; null when the footer lists no links. */
  public final long[] correlationHi;

  /** Per event: the correlation id's low bits; null when the footer lists no links. */
  public final long[] correlationLo;

  /** Per event: whether it names a cause; null when the footer lists no links. */
  public final boolean[] hasCausation;

  /** Per event: the causation id's high bits (0 without one); null without links. */
  public final long[] causationHi;

  /** Per event: the causation id's low bits (0 without one); null without links. */
  public final long[] causationLo;

  /**
   * The newest event of one stream in the segment.
   *
   * @param streamSequence its stream sequence
   * @param eventHash its event hash
   */
  public record Head(long streamSequence, byte[] eventHash) {}

  private SegmentSeal(
      long baseGlobal,
      long framesEnd,
      int count,
      String[] names,
      Head[] headByName,
      boolean links) {
    this.baseGlobal = baseGlobal;
    this.framesEnd = framesEnd;
    this.names = names;
    this.headByName = headByName;
    this.entityName = new int[count];
    this.scopeName = new int[count];
    this.idHi = new long[count];
    this.idLo = new long[count];
    this.kind = new char[count];
    this.streamSequence = new long[count];
    this.frameOffset = new long[count];
    this.frameLength = new int[count];
    this.recordOffset = new int[count];
    this.correlationHi = links ? new long[count] : null;
    this.correlationLo = links ? new long[count] : null;
    this.hasCausation = links ? new boolean[count] : null;
    this.causationHi = links ? new long[count] : null;
    this.causationLo = links ? new long[count] : null;
  }

  /** Whether the footer lists every event's causation and correlation (version 1). */
  public boolean listsLinks() {
    return correlationHi != null;
  }

  /** The entity of event {@code i}. */
  public String entity(int i) {
    return names[entityName[i]];
  }

  /** The scope of event {@code i}. */
  public String scope(int i) {
    return names[scopeName[i]];
  }

  /** Each stream with events here, by name, with the newest of them, in the footer's order. */
  public Map<String, Head> heads() {
    Map<String, Head> heads = new LinkedHashMap<>();
    for (int n = 0; n < names.length; n++) {
      if (headByName[n] != null) {
        heads.put(names[n], headByName[n]);
      }
    }
    return heads;
  }

  /** The number of events the seal lists. */
  public int size() {
    return idHi.length;
  }

  /** Collects a segment's events, in global order, and encodes its seal. Not thread-safe. */
  public static final class Builder {
    private final long baseGlobal;
    private final Map<String, Integer> names = new LinkedHashMap<>();
    private final Map<String, Head> heads = new LinkedHashMap<>();
    private final Set<String> withEvents = new HashSet<>();
    private ByteBuffer events;
    private ByteBuffer links = ByteBuffer.allocate(64);
    private int count;
    private int linked;

    /** A seal for a segment whose first event has global sequence {@code baseGlobal}. */
    public Builder(long baseGlobal) {
      this(baseGlobal, 64);
    }

    /**
     * A seal for a segment whose first event has global sequence {@code baseGlobal}, with room for
     * {@code events} events before its buffer grows (a rotation knows how many the segment holds).
     */
    public Builder(long baseGlobal, int events) {
      this.baseGlobal = baseGlobal;
      this.events = ByteBuffer.allocate(EVENT_BYTES * Math.max(events, 1));
    }

    /** The global sequence the next event added must have. */
    public long nextGlobal() {
      return baseGlobal + count;
    }

    /** Adds the next event of the segment. */
    public void add(
        long idHi,
        long idLo,
        String entity,
        String scope,
        int kind,
        long streamSequence,
        long frameOffset,
        int frameLength,
        int recordOffset) {
      if (events.remaining() < EVENT_BYTES) {
        events = ByteBuffer.allocate(events.capacity() * 2).put(events.flip());
      }
      events.putLong(idHi).putLong(idLo);
      events.putInt(name(entity)).putInt(name(scope)).putShort((short) kind);
      events.putLong(streamSequence).putLong(frameOffset).putInt(frameLength).putInt(recordOffset);
      withEvents.add(entity);
      count++;
    }

    /**
     * Gives the next event without links, in order, its correlation and causation ({@code
     * correlationHi}/{@code Lo} are ignored when {@code ownCorrelation}: the event's own id). The
     * footer lists links (version 1) only when every event got them; otherwise an open reads them
     * from the frames.
     */
    public void links(
        boolean ownCorrelation,
        long correlationHi,
        long correlationLo,
        boolean hasCausation,
        long causationHi,
        long causationLo) {
      if (linked >= count) {
        throw new IllegalStateException("links for event " + linked + " of " + count);
      }
      if (links.remaining() < 33) {
        links = ByteBuffer.allocate(links.capacity() * 2).put(links.flip());
      }
      links.put((byte) ((ownCorrelation ? 0 : OTHER_CORRELATION) | (hasCausation ? CAUSATION : 0)));
      if (!ownCorrelation) {
        links.putLong(correlationHi).putLong(correlationLo);
      }
      if (hasCausation) {
        links.putLong(causationHi).putLong(causationLo);
      }
      linked++;
    }

    /** Records that {@code entity}'s newest event in the segment so far is this one. */
    public void head(String entity, long streamSequence, byte[] eventHash) {
      name(entity);
      heads.put(entity, new Head(streamSequence, eventHash));
    }

    private int name(String s) {
      Integer id = names.get(s); // not computeIfAbsent: no capturing lambda per event
      if (id == null) {
        id = names.size();
        names.put(s, id);
      }
      return id;
    }

    /**
     * The footer frame and the trailer, for a footer written at {@code framesEnd}.
     *
     * @throws IllegalStateException if an entity has events but no head
     */
    public byte[] encode(long framesEnd) {
      for (String entity : withEvents) {
        if (!heads.containsKey(entity)) {
          throw new IllegalStateException(
              "stream '" + entity + "' has events in the seal but no head; call head() for it");
        }
      }
      byte[][] utf8 = new byte[names.size()][];
      int namesBytes = 0;
      int i = 0;
      for (String n : names.keySet()) {
        utf8[i] = n.getBytes(StandardCharsets.UTF_8);
        namesBytes += 2 + utf8[i].length;
        i++;
      }
      boolean withLinks = linked == count;
      long body =
          FOOTER_HEADER
              + namesBytes
              + (long) STREAM_BYTES * heads.size()
              + (long) EVENT_BYTES * count
              + (withLinks ? links.position() : 0);
      body = Math.max(body, FrameCodec.MIN_BODY);
      if (body > FrameCodec.MAX_BODY) {
        throw new IllegalStateException(
            "a seal of " + count + " events needs " + body + " bytes, over the frame limit");
      }
      ByteBuffer out = ByteBuffer.allocate(FrameCodec.PREFIX + (int) body + TRAILER);
      out.putInt((int) body).putInt(0);
      out.put((byte) TYPE_FOOTER).put((byte) (withLinks ? WITH_LINKS : 0)).putShort((short) 0);
      out.putLong(baseGlobal).putInt(count).putLong(framesEnd);
      out.putInt(names.size()).putInt(heads.size());
      for (byte[] n : utf8) {
        out.putShort((short) n.length).put(n);
      }
      for (Map.Entry<String, Head> h : heads.entrySet()) {
        out.putInt(names.get(h.getKey()))
            .putLong(h.getValue().streamSequence())
            .put(h.getValue().eventHash());
      }
      out.put(events.duplicate().flip());
      if (withLinks) {
        out.put(links.duplicate().flip());
      }
      out.position(FrameCodec.PREFIX + (int) body);
      out.putInt(4, FrameCodec.crc(out, 0, (int) body));
      out.putLong(framesEnd).put(TRAILER_MAGIC);
      return out.array();
    }
  }

  /**
   * The footer offset a trailer names, or -1 when {@code trailer} (the last {@link #TRAILER} bytes
   * of a segment) does not end in the trailer's magic.
   */
  public static long footerOffset(byte[] trailer) {
    if (!Arrays.equals(trailer, 8, 16, TRAILER_MAGIC, 0, 8)) {
      return -1;
    }
    return ByteBuffer.wrap(trailer).getLong(0);
  }

  /** Whether the CRC-valid frame body at {@code bodyAt} of {@code buf} is a footer frame. */
  public static boolean isFooter(byte[] buf, int bodyAt) {
    return buf[bodyAt] == TYPE_FOOTER;
  }

  /**
   * Reads the per-event entries into {@code s}. A method of its own, so the JIT compiles this loop
   * early: an open decodes each seal once.
   */
  private static void readEvents(ByteBuffer b, SegmentSeal s) throws Untrusted {
    String[] names = s.names;
    for (int i = 0; i < s.idHi.length; i++) {
      s.idHi[i] = b.getLong();
      s.idLo[i] = b.getLong();
      int entity = b.getInt();
      int scope = b.getInt();
      s.entityName[i] = entity;
      s.scopeName[i] = scope;
      s.kind[i] = b.getChar();
      s.streamSequence[i] = b.getLong();
      s.frameOffset[i] = b.getLong();
      s.frameLength[i] = b.getInt();
      s.recordOffset[i] = b.getInt();
      if (s.frameOffset[i] < 0
          || s.frameLength[i] < FrameCodec.PREFIX + FrameCodec.MIN_BODY
          || s.frameOffset[i] + s.frameLength[i] > s.framesEnd
          || (i > 0 && s.frameOffset[i] < s.frameOffset[i - 1])) {
        throw new Untrusted(
            "a footer entry for global sequence "
                + (s.baseGlobal + i)
                + " at frame offset "
                + s.frameOffset[i]
                + " that lies outside the segment's frames");
      }
      if (s.headByName[entity] == null) {
        throw new Untrusted("a footer without the head of stream '" + names[entity] + "'");
      }
    }
  }

  /** Reads the links of version 1 into {@code s}. */
  private static void readLinks(ByteBuffer b, SegmentSeal s) throws Untrusted {
    for (int i = 0; i < s.idHi.length; i++) {
      int flags = b.get();
      if ((flags & ~(OTHER_CORRELATION | CAUSATION)) != 0) {
        throw new Untrusted(
            "link flags " + flags + " for global sequence " + (s.baseGlobal + i) + " in a footer");
      }
      if ((flags & OTHER_CORRELATION) != 0) {
        s.correlationHi[i] = b.getLong();
        s.correlationLo[i] = b.getLong();
      } else {
        s.correlationHi[i] = s.idHi[i];
        s.correlationLo[i] = s.idLo[i];
      }
      if ((flags & CAUSATION) != 0) {
        s.hasCausation[i] = true;
        s.causationHi[i] = b.getLong();
        s.causationLo[i] = b.getLong();
      }
    }
  }

  /** A seal that cannot be trusted; the message says why. */
  public static final class Untrusted extends Exception {
    private static final long serialVersionUID = 1L;

    Untrusted(String why) {
      super(why, null, false, false);
    }
  }

  /**
   * Decodes a footer frame (prefix included) found at offset {@code framesEnd} of a segment whose
   * header says {@code baseGlobal}.
   *
   * @throws Untrusted if the frame fails its CRC or disagrees with itself or the header
   */
  public static SegmentSeal decode(byte[] frame, long framesEnd, long baseGlobal) throws Untrusted {
    if (frame.length < FrameCodec.PREFIX + FrameCodec.MIN_BODY) {
      throw new Untrusted("a footer of " + frame.length + " bytes, shorter than any frame");
    }
    ByteBuffer b = ByteBuffer.wrap(frame);
    int body = b.getInt(0);
    if (body != frame.length - FrameCodec.PREFIX) {
      throw new Untrusted(
          "a footer length of " + body + " where " + (frame.length - FrameCodec.PREFIX) + " fit");
    }
    if (!FrameCodec.crcMatches(frame, 0, body)) {
      throw new Untrusted("a footer whose CRC32C does not match");
    }
    b.position(FrameCodec.PREFIX);
    int type = b.get();
    int version = b.get();
    if (type != TYPE_FOOTER || b.getShort() != 0) {
      throw new Untrusted("a frame of type " + type + " where the footer should be");
    }
    if (version != 0 && version != WITH_LINKS) {
      throw new Untrusted("a footer of version " + version + ", which this build does not read");
    }
    long base = b.getLong();
    int count = b.getInt();
    long end = b.getLong();
    int nameCount = b.getInt();
    int streamCount = b.getInt();
    if (base != baseGlobal || end != framesEnd) {
      throw new Untrusted(
          "a footer for base "
              + base
              + " ending frames at "
              + end
              + ", where the header says base "
              + baseGlobal
              + " and the footer sits at "
              + framesEnd);
    }
    long needed =
        FOOTER_HEADER
            + (long) STREAM_BYTES * streamCount
            + (long) EVENT_BYTES * count
            + (version == WITH_LINKS ? (long) count : 0L)
            + 2L * nameCount;
    if (count < 0 || nameCount < 0 || streamCount < 0 || needed > body) {
      throw new Untrusted(
          "a footer whose counts (" + count + " events, " + streamCount + " streams) overflow it");
    }
    try {
      String[] names = new String[nameCount];
      for (int i = 0; i < nameCount; i++) {
        byte[] n = new byte[b.getShort() & 0xFFFF];
        b.get(n);
        names[i] = new String(n, StandardCharsets.UTF_8);
      }
      Head[] headByName = new Head[nameCount];
      for (int i = 0; i < streamCount; i++) {
        int nameIndex = b.getInt();
        long seq = b.getLong();
        byte[] hash = new byte[32];
        b.get(hash);
        Head head = new Head(seq, hash);
        headByName[nameIndex] = head;
      }
      SegmentSeal s = new SegmentSeal(base, end, count, names, headByName, version == WITH_LINKS);
      readEvents(b, s);
      if (s.listsLinks()) {
        readLinks(b, s);
      }
      while (b.hasRemaining()) {
        if (b.get() != 0) {
          throw new Untrusted("a footer with non-zero padding at " + (b.position() - 1));
        }
      }
      return s;
    } catch (IndexOutOfBoundsException | java.nio.BufferUnderflowException e) {
      throw new Untrusted("a footer whose contents do not fit its length");
    }
  }
}
