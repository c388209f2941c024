package io.batpak.replication;

import io.batpak.ValidationException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of a group entry ({@link Entries#GROUP}, ADR 0042) and of its reply ({@link
 * Entries.Grouped}): both frame their parts the same way, as a count (1 to {@link
 * Entries#MAX_GROUP_PARTS}) followed by each part's length and bytes. A group entry's part is an
 * encoded append entry, a grouped reply's part an encoded reply. Callers go through {@link
 * Entries}.
 *
 * <p>Stateless; safe on any thread.
 */
final class GroupEntries {
  private GroupEntries() {}

  /** A group entry of {@code parts}, each an encoded append entry. */
  static byte[] encode(List<byte[]> parts) {
    return EntryBytes.write(
        out -> {
          out.writeByte(Entries.VERSION);
          out.writeByte(Entries.GROUP);
          writeParts(out, parts);
        });
  }

  /** The parts of a group entry, each an encoded append entry. */
  static List<byte[]> decode(byte[] entry) {
    return EntryBytes.read(
        entry,
        in -> {
          in.readUnsignedByte();
          in.readUnsignedByte();
          return readParts(in, entry.length);
        });
  }

  /** The parts of a grouped reply, after its status, term and index. */
  static void writeReplies(DataOutputStream out, List<Entries.Reply> replies) throws IOException {
    List<byte[]> parts = new ArrayList<>(replies.size());
    for (Entries.Reply part : replies) {
      parts.add(Entries.encodeReply(part));
    }
    writeParts(out, parts);
  }

  /** The parts of a grouped reply of {@code available} bytes, after its status, term and index. */
  static List<Entries.Reply> readReplies(DataInputStream in, int available) throws IOException {
    List<Entries.Reply> replies = new ArrayList<>();
    for (byte[] part : readParts(in, available)) {
      replies.add(Entries.decodeReply(part));
    }
    return replies;
  }

  private static void writeParts(DataOutputStream out, List<byte[]> parts) throws IOException {
    out.writeInt(parts.size());
    for (byte[] part : parts) {
      out.writeInt(part.length);
      out.write(part);
    }
  }

  private static List<byte[]> readParts(DataInputStream in, int available) throws IOException {
    int n = in.readInt();
    if (n < 1 || n > Entries.MAX_GROUP_PARTS) {
      throw new ValidationException(
          "a group holds 1 to " + Entries.MAX_GROUP_PARTS + " parts, this one says " + n);
    }
    List<byte[]> parts = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int length = in.readInt();
      if (length < 0 || length > available) {
        throw new ValidationException(
            "part " + (i + 1) + " of a group says it has " + length + " bytes");
      }
      byte[] part = new byte[length];
      in.readFully(part);
      parts.add(part);
    }
    return parts;
  }
}
