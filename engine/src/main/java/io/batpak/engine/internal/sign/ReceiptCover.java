package io.batpak.engine.internal.sign;

import io.batpak.engine.internal.format.EventRecord;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The receipt cover, version 1 ({@code docs/format.md}, "Receipt signatures"): the bytes a receipt
 * signature vouches for, through the receipt tree's leaf {@code BLAKE3(0x00 ‖ cover)}. Big-endian;
 * domain-separated by its magic, so a cover is never a canonical header, a frame or a root message.
 * Stateless.
 */
public final class ReceiptCover {
  /** {@code \x89BPKRCV\n}: opens every cover. */
  public static final byte[] MAGIC = {(byte) 0x89, 'B', 'P', 'K', 'R', 'C', 'V', '\n'};

  /** The cover version this build writes and checks. */
  public static final int VERSION = 1;

  private ReceiptCover() {}

  /** The version 1 cover of the stored event {@code r}. */
  public static byte[] of(EventRecord r) {
    byte[] entity = r.entity().getBytes(StandardCharsets.UTF_8);
    byte[] scope = r.scope().getBytes(StandardCharsets.UTF_8);
    String[] keys = r.extensionKeys();
    byte[][] values = r.extensionValues();
    int n = 8 + 1 + 16 + 8 + 8 + 4 + entity.length + 4 + scope.length + 2 + 32 * 3 + 4;
    for (int i = 0; i < keys.length; i++) {
      n += 4 + keys[i].length() + 4 + values[i].length;
    }
    ByteBuffer b = ByteBuffer.allocate(n);
    b.put(MAGIC).put((byte) VERSION);
    b.putLong(r.idHi()).putLong(r.idLo());
    b.putLong(r.globalSequence()).putLong(r.streamSequence());
    b.putInt(entity.length).put(entity).putInt(scope.length).put(scope);
    b.putShort((short) r.kind());
    b.put(r.prevHash()).put(r.contentHash()).put(r.eventHash());
    b.putInt(keys.length);
    for (int i = 0; i < keys.length; i++) {
      byte[] k = keys[i].getBytes(StandardCharsets.US_ASCII);
      b.putInt(k.length).put(k).putInt(values[i].length).put(values[i]);
    }
    return b.array();
  }
}
