package io.batpak.replication;

import io.batpak.Bytes;
import io.batpak.ValidationException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The framing every replication message shares ({@link Entries}, {@link GroupEntries}, {@link
 * CompactionEntries}): big-endian fields through {@link DataOutputStream} and {@link
 * DataInputStream}, length-prefixed byte strings, and a message read whole, with bytes left over or
 * missing refused as a {@link ValidationException}.
 *
 * <p>Stateless; safe on any thread.
 */
final class EntryBytes {
  private EntryBytes() {}

  /** A length-prefixed byte string. */
  static void writeBytes(DataOutputStream out, Bytes b) throws IOException {
    out.writeInt(b.size());
    out.write(b.toByteArray());
  }

  /**
   * A length-prefixed byte string.
   *
   * @throws ValidationException if the length is negative or more than the bytes that remain
   */
  static Bytes readBytes(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > in.available()) {
      throw new ValidationException(
          "a replication entry declares " + n + " bytes where " + in.available() + " remain");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return Bytes.ofOwned(b);
  }

  /** {@code writeUTF} takes at most 65535 encoded bytes; a message is cut well below that. */
  static String clip(String s) {
    return s.length() <= 8000 ? s : s.substring(0, 8000) + "…";
  }

  /** Writes a message's fields. */
  interface Writer {
    void write(DataOutputStream out) throws IOException;
  }

  /** Reads a message's fields. */
  interface Reader<T> {
    T read(DataInputStream in) throws IOException;
  }

  /** The bytes {@code w} writes. */
  static byte[] write(Writer w) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      w.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("unreachable: writing to memory", e);
    }
    return bytes.toByteArray();
  }

  /**
   * What {@code r} reads from {@code bytes}, which it must read whole.
   *
   * @throws ValidationException if bytes are left over, or the message is cut short
   */
  static <T> T read(byte[] bytes, Reader<T> r) {
    try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
      T value = r.read(in);
      if (in.available() != 0) {
        throw new ValidationException(
            "a replication message has " + in.available() + " bytes left over after decoding");
      }
      return value;
    } catch (IOException e) {
      throw new ValidationException(
          "a replication message of " + bytes.length + " bytes is cut short: " + e, e);
    }
  }
}
