package io.batpak.verify;

import io.batpak.Bytes;
import io.batpak.EventHeader;
import io.batpak.ExtensionKey;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bouncycastle.crypto.digests.Blake3Digest;

/**
 * The hashes and byte strings of {@code docs/format.md} ("Hash chain", "Receipt signatures"),
 * written from that document alone, never from the engine: the canonical header, the content and
 * event hashes, the receipt cover, the receipt tree and the signed root message. Stateless.
 */
final class Hashes {
  static final byte[] COVER_MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'R', 'C', 'V', '\n'};
  static final byte[] ROOT_MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'R', 'R', 'T', '\n'};
  static final int COVER_VERSION = 1;
  static final int HASH_VERSION = 1;

  private Hashes() {}

  static byte[] blake3(byte[]... parts) {
    Blake3Digest d = new Blake3Digest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /** The extensions sorted by key (ASCII order), as both encodings list them. */
  private static Map<String, Bytes> sorted(Map<ExtensionKey, Bytes> extensions) {
    Map<String, Bytes> out = new TreeMap<>();
    for (Map.Entry<ExtensionKey, Bytes> e : extensions.entrySet()) {
      out.put(e.getKey().value(), e.getValue());
    }
    return out;
  }

  private static void u32(ByteArrayOutputStream out, int v) {
    out.writeBytes(ByteBuffer.allocate(4).putInt(v).array());
  }

  private static void u64(ByteArrayOutputStream out, long v) {
    out.writeBytes(ByteBuffer.allocate(8).putLong(v).array());
  }

  private static void u16(ByteArrayOutputStream out, int v) {
    out.write((v >>> 8) & 0xFF);
    out.write(v & 0xFF);
  }

  private static void str32(ByteArrayOutputStream out, byte[] b) {
    u32(out, b.length);
    out.writeBytes(b);
  }

  private static void extensions(ByteArrayOutputStream out, Map<ExtensionKey, Bytes> extensions) {
    Map<String, Bytes> ext = sorted(extensions);
    u32(out, ext.size());
    for (Map.Entry<String, Bytes> e : ext.entrySet()) {
      str32(out, e.getKey().getBytes(StandardCharsets.US_ASCII));
      str32(out, e.getValue().toByteArray());
    }
  }

  /** The canonical header (format v1) of {@code h}. */
  static byte[] canonicalHeader(EventHeader h) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    u64(out, h.eventId().high());
    u64(out, h.eventId().low());
    u64(out, h.correlationId().high());
    u64(out, h.correlationId().low());
    out.write(h.causation().isPresent() ? 1 : 0);
    u64(out, h.causation().map(c -> c.high()).orElse(0L));
    u64(out, h.causation().map(c -> c.low()).orElse(0L));
    str32(out, h.coordinate().entity().getBytes(StandardCharsets.UTF_8));
    str32(out, h.coordinate().scope().getBytes(StandardCharsets.UTF_8));
    u16(out, h.kind().raw());
    u64(out, h.streamSequence());
    u64(out, h.globalSequence());
    u64(out, h.timestampMicros());
    u16(out, h.payloadVersion());
    out.write(h.flags() & 0xFF);
    extensions(out, h.extensions());
    return out.toByteArray();
  }

  /** {@code BLAKE3(0x01 ‖ prevHash ‖ canonical header ‖ contentHash)}. */
  static byte[] eventHash(EventHeader h, byte[] prevHash, byte[] contentHash) {
    return blake3(new byte[] {HASH_VERSION}, prevHash, canonicalHeader(h), contentHash);
  }

  /** The receipt cover, version 1, of {@code h} with the given hashes. */
  static byte[] cover(EventHeader h, byte[] prevHash, byte[] contentHash, byte[] eventHash) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(COVER_MAGIC);
    out.write(COVER_VERSION);
    u64(out, h.eventId().high());
    u64(out, h.eventId().low());
    u64(out, h.globalSequence());
    u64(out, h.streamSequence());
    str32(out, h.coordinate().entity().getBytes(StandardCharsets.UTF_8));
    str32(out, h.coordinate().scope().getBytes(StandardCharsets.UTF_8));
    u16(out, h.kind().raw());
    out.writeBytes(prevHash);
    out.writeBytes(contentHash);
    out.writeBytes(eventHash);
    extensions(out, h.extensions());
    return out.toByteArray();
  }

  static byte[] leaf(byte[] cover) {
    return blake3(new byte[] {0}, cover);
  }

  static byte[] node(byte[] left, byte[] right) {
    return blake3(new byte[] {1}, left, right);
  }

  static byte[] message(int version, int leafCount, byte[] root) {
    return ByteBuffer.allocate(45)
        .put(ROOT_MAGIC)
        .put((byte) version)
        .putInt(leafCount)
        .put(root)
        .array();
  }

  /** RFC 9162 §2.1.3.2: the root a proof leads to, or null when its length does not fit. */
  static byte[] rootFrom(byte[] leaf, long index, long count, List<Bytes> proof) {
    if (index < 0 || index >= count) {
      return null;
    }
    long fn = index;
    long sn = count - 1;
    byte[] r = leaf;
    for (Bytes b : proof) {
      byte[] p = b.toByteArray();
      if (sn == 0) {
        return null;
      }
      if ((fn & 1) == 1 || fn == sn) {
        r = node(p, r);
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      } else {
        r = node(r, p);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0 ? r : null;
  }
}
