package io.batpak.replication;

import io.batpak.CompactionResult;
import io.batpak.ValidationException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The bytes of a compaction entry ({@link Entries#COMPACT}, ADR 0041: the proposer's rejected
 * global sequences as ranges below a cut) and of the result its reply carries ({@link
 * Entries.Compacted}). Callers go through {@link Entries}.
 *
 * <p>Stateless; safe on any thread.
 */
final class CompactionEntries {
  private CompactionEntries() {}

  /** A compaction entry of {@code c}. */
  static byte[] encode(Entries.Compact c) {
    return EntryBytes.write(
        out -> {
          out.writeByte(Entries.VERSION);
          out.writeByte(Entries.COMPACT);
          out.writeBoolean(c.tombstone());
          out.writeLong(c.maxBytesPerSecond());
          out.writeLong(c.cut());
          out.writeInt(c.rejected().length / 2);
          for (long v : c.rejected()) {
            out.writeLong(v);
          }
        });
  }

  /** The compaction a compaction entry carries. */
  static Entries.Compact decode(byte[] entry) {
    return EntryBytes.read(
        entry,
        in -> {
          in.readUnsignedByte();
          in.readUnsignedByte();
          boolean tombstone = in.readBoolean();
          long rate = in.readLong();
          long cut = in.readLong();
          int n = in.readInt();
          if (n < 0 || n > (entry.length - 20) / 16) {
            throw new ValidationException(
                "a compaction entry names " + n + " ranges, more than its bytes can hold");
          }
          long[] ranges = new long[2 * n];
          for (int i = 0; i < ranges.length; i++) {
            ranges[i] = in.readLong();
          }
          return new Entries.Compact(tombstone, rate, cut, ranges);
        });
  }

  /** A compaction's result, after its reply's status, term and index. */
  static void writeResult(DataOutputStream out, CompactionResult r) throws IOException {
    out.writeByte(r.outcome().ordinal());
    out.writeUTF(EntryBytes.clip(r.reason()));
    out.writeInt(r.segmentsBefore());
    out.writeInt(r.segmentsAfter());
    out.writeLong(r.eventsKept());
    out.writeLong(r.eventsDropped());
    out.writeLong(r.eventsTombstoned());
    out.writeLong(r.bytesBefore());
    out.writeLong(r.bytesAfter());
  }

  /** A compaction's result, after its reply's status, term and index. */
  static CompactionResult readResult(DataInputStream in) throws IOException {
    return new CompactionResult(
        outcome(in.readUnsignedByte()),
        in.readUTF(),
        in.readInt(),
        in.readInt(),
        in.readLong(),
        in.readLong(),
        in.readLong(),
        in.readLong(),
        in.readLong());
  }

  private static CompactionResult.Outcome outcome(int ordinal) {
    CompactionResult.Outcome[] all = CompactionResult.Outcome.values();
    if (ordinal >= all.length) {
      throw new ValidationException("a compaction reply has unknown outcome " + ordinal);
    }
    return all[ordinal];
  }
}
