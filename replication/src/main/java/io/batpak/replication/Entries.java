package io.batpak.replication;

import static io.batpak.replication.EntryBytes.clip;
import static io.batpak.replication.EntryBytes.read;
import static io.batpak.replication.EntryBytes.readBytes;
import static io.batpak.replication.EntryBytes.write;
import static io.batpak.replication.EntryBytes.writeBytes;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.CausationId;
import io.batpak.CompactionResult;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.CorrelationId;
import io.batpak.EventId;
import io.batpak.EventKind;
import io.batpak.ExpectedVersion;
import io.batpak.ExtensionKey;
import io.batpak.IdempotencyConflictException;
import io.batpak.IdempotencyKey;
import io.batpak.Payload;
import io.batpak.ReceiptSignature;
import io.batpak.StoreException;
import io.batpak.ValidationException;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The bytes of Raft log entries and of the state machine's replies (ADR 0037, "What an entry
 * carries"). Version 1; a member refuses an entry of another version loudly rather than guess.
 *
 * <p>Every caller encodes and decodes through this class. It holds the entry types, the messages as
 * records, and the codec of append entries, replies and heads; the layouts of a group entry and of
 * a compaction are in {@link GroupEntries} and {@link CompactionEntries}. All three write and read
 * through {@link EntryBytes}.
 *
 * <p>Stateless; safe on any thread.
 */
final class Entries {
  static final int VERSION = 1;
  static final int APPEND = 1;
  static final int QUERY_HEAD = 2;

  /** An append of one denial event, written with the members' {@code Store.appendDenial}. */
  static final int APPEND_DENIAL = 3;

  /**
   * An append of one typed event: its payload is the record's encoding, which every member decodes
   * to the registered type of that kind and version and appends with {@code Store.appendTyped}.
   */
  static final int APPEND_TYPED = 4;

  /**
   * A compaction every member runs on its own sealed segments, dropping (or tombstoning) the events
   * its proposer's predicate rejected, named by global sequence (ADR 0041).
   */
  static final int COMPACT = 5;

  /**
   * Several appends proposed together (a proposer's group commit): each part is a whole append
   * entry ({@link #APPEND}, {@link #APPEND_DENIAL} or {@link #APPEND_TYPED}) that every member
   * applies on its own, in order, with its own outcome; parts are numbered from 1.
   */
  static final int GROUP = 6;

  /** The most parts one group entry holds. */
  static final int MAX_GROUP_PARTS = 1024;

  static final int OK = 0;
  static final int REJECTED = 1;
  static final int REPLAYED = 2;
  static final int COMPACTED = 3;
  static final int GROUPED = 4;

  private static final int REJECT_CONCURRENCY = 1;
  private static final int REJECT_IDEMPOTENCY = 2;
  private static final int REJECT_VALIDATION = 3;

  private Entries() {}

  /** One event of an append entry; its idempotency key is always set (it fixes the event id). */
  record Item(
      Coordinate coordinate,
      EventKind kind,
      Bytes payload,
      AppendOptions options,
      int causedByItem) {

    /**
     * This item as item {@code offset + i} of a batch: a cause named by its index within its own
     * append moves by {@code offset}.
     */
    BatchItem toBatchItem(AppendOptions withIndex, int offset) {
      return new BatchItem(
          coordinate,
          kind,
          new Payload.Raw(payload),
          withIndex,
          causedByItem < 0 ? causedByItem : causedByItem + offset);
    }
  }

  /**
   * An append: the proposer's head claim (checked by every member), the timestamp every member
   * stamps the events with, and the events.
   */
  record Append(
      ReplicaHead claim, long timestampMicros, List<Item> items, int type, int payloadVersion) {
    /** An ordinary append ({@link #APPEND}). */
    Append(ReplicaHead claim, long timestampMicros, List<Item> items) {
      this(claim, timestampMicros, items, APPEND, 0);
    }
  }

  /** What the state machine answers for an append. */
  sealed interface Reply permits Ok, Rejected, Replayed, Compacted, Grouped {}

  /** The outcomes of a group entry's parts, in order. */
  record Grouped(long term, long index, List<Reply> parts) implements Reply {}

  /** A group entry of {@code parts}, each an encoded append entry ({@link GroupEntries}). */
  static byte[] encodeGroup(List<byte[]> parts) {
    return GroupEntries.encode(parts);
  }

  /** The parts of a group entry, each an encoded append entry ({@link GroupEntries}). */
  static List<byte[]> decodeGroup(byte[] entry) {
    return GroupEntries.decode(entry);
  }

  /** The leader's result of a compaction entry. */
  record Compacted(long term, long index, CompactionResult result) implements Reply {}

  /**
   * A compaction: {@code tombstone} or drop (retain) the events whose global sequences lie in
   * {@code rejected} (pairs of from-inclusive, to-exclusive, ascending), all below {@code cut};
   * events at or above the cut are kept.
   */
  record Compact(boolean tombstone, long maxBytesPerSecond, long cut, long[] rejected) {
    /** Whether the proposer's predicate kept the event at {@code globalSequence}. */
    boolean keeps(long globalSequence) {
      if (globalSequence >= cut) {
        return true;
      }
      int lo = 0;
      int hi = rejected.length / 2 - 1;
      while (lo <= hi) {
        int mid = (lo + hi) >>> 1;
        if (globalSequence < rejected[2 * mid]) {
          hi = mid - 1;
        } else if (globalSequence >= rejected[2 * mid + 1]) {
          lo = mid + 1;
        } else {
          return false;
        }
      }
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Compact c
          && c.tombstone == tombstone
          && c.maxBytesPerSecond == maxBytesPerSecond
          && c.cut == cut
          && Arrays.equals(c.rejected, rejected);
    }

    @Override
    public int hashCode() {
      return Long.hashCode(cut) * 31 + Arrays.hashCode(rejected);
    }

    @Override
    public String toString() {
      return "Compact[tombstone="
          + tombstone
          + ", cut="
          + cut
          + ", rejected ranges="
          + rejected.length / 2
          + "]";
    }
  }

  /** A compaction entry ({@link CompactionEntries}). */
  static byte[] encodeCompact(Compact c) {
    return CompactionEntries.encode(c);
  }

  /** The compaction a compaction entry carries ({@link CompactionEntries}). */
  static Compact decodeCompact(byte[] entry) {
    return CompactionEntries.decode(entry);
  }

  /** Committed and applied: the receipts, with the entry's term and index. */
  record Ok(long term, long index, List<AppendReceipt> receipts) implements Reply {}

  /** Committed, and every member's store refused it the same way; nothing was written. */
  record Rejected(long term, long index, StoreException error) implements Reply {}

  /**
   * Committed before this member restarted and applied then; its outcome was not kept (a rejected
   * entry leaves nothing to read back).
   */
  record Replayed(long term, long index) implements Reply {}

  static byte[] encodeAppend(Append a) {
    return write(
        out -> {
          out.writeByte(VERSION);
          out.writeByte(a.type());
          writeHead(out, a.claim());
          out.writeLong(a.timestampMicros());
          out.writeInt(a.items().size());
          for (Item it : a.items()) {
            out.writeUTF(it.coordinate().entity());
            out.writeUTF(it.coordinate().scope());
            out.writeInt(it.kind().raw());
            writeBytes(out, it.payload());
            AppendOptions o = it.options();
            out.writeByte(o.expectedVersion().kind().ordinal());
            out.writeLong(o.expectedVersion().version());
            IdempotencyKey key = o.idempotencyKey();
            if (key == null) {
              throw new IllegalArgumentException("an entry's item carries an idempotency key");
            }
            out.writeLong(key.high());
            out.writeLong(key.low());
            CorrelationId corr = o.correlationId();
            out.writeBoolean(corr != null);
            if (corr != null) {
              out.writeLong(corr.high());
              out.writeLong(corr.low());
            }
            CausationId cause = o.causationId();
            out.writeBoolean(cause != null);
            if (cause != null) {
              out.writeLong(cause.high());
              out.writeLong(cause.low());
            }
            out.writeByte(o.flags());
            out.writeInt(o.extensions().size());
            for (Map.Entry<ExtensionKey, Bytes> e : o.extensions().entrySet()) {
              out.writeUTF(e.getKey().value());
              writeBytes(out, e.getValue());
            }
            out.writeInt(it.causedByItem());
          }
          if (a.type() == APPEND_TYPED) {
            out.writeInt(a.payloadVersion());
          }
        });
  }

  /** The entry's type, after checking its version. */
  static int type(byte[] entry) {
    if (entry.length < 2 || entry[0] != VERSION) {
      throw new ValidationException(
          "a replication entry of "
              + entry.length
              + " bytes starts with version "
              + (entry.length == 0 ? "(none)" : Integer.toString(entry[0]))
              + ", this member reads version "
              + VERSION
              + "; run the same batpak-replication version on every member");
    }
    return entry[1];
  }

  static Append decodeAppend(byte[] entry) {
    return read(
        entry,
        in -> {
          in.readUnsignedByte();
          int type = in.readUnsignedByte();
          ReplicaHead claim = readHead(in);
          long ts = in.readLong();
          int n = in.readInt();
          List<Item> items = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            Coordinate c = Coordinate.of(in.readUTF(), in.readUTF());
            EventKind kind = EventKind.fromRaw(in.readInt());
            Bytes payload = readBytes(in);
            int evKind = in.readUnsignedByte();
            long version = in.readLong();
            ExpectedVersion ev =
                evKind == ExpectedVersion.Kind.EXACTLY.ordinal()
                    ? ExpectedVersion.exactly(version)
                    : evKind == ExpectedVersion.Kind.NO_STREAM.ordinal()
                        ? ExpectedVersion.noStream()
                        : ExpectedVersion.any();
            AppendOptions o =
                AppendOptions.defaults()
                    .withExpectedVersion(ev)
                    .withIdempotencyKey(IdempotencyKey.of(in.readLong(), in.readLong()));
            if (in.readBoolean()) {
              o = o.withCorrelation(CorrelationId.of(in.readLong(), in.readLong()));
            }
            if (in.readBoolean()) {
              o = o.withCausation(CausationId.of(in.readLong(), in.readLong()));
            }
            o = o.withFlags(in.readUnsignedByte());
            int ext = in.readInt();
            for (int e = 0; e < ext; e++) {
              o = o.withExtension(extensionKey(in.readUTF()), readBytes(in));
            }
            items.add(new Item(c, kind, payload, o, in.readInt()));
          }
          return new Append(claim, ts, items, type, type == APPEND_TYPED ? in.readInt() : 0);
        });
  }

  /** A key as the proposer's options held it: a user's key, or a store-defined one (a bypass). */
  private static ExtensionKey extensionKey(String key) {
    return ExtensionKey.storeDefined(key).orElseGet(() -> ExtensionKey.of(key));
  }

  static byte[] encodeReply(Reply reply) {
    return write(
        out -> {
          if (reply instanceof Ok ok) {
            out.writeByte(OK);
            out.writeLong(ok.term());
            out.writeLong(ok.index());
            out.writeInt(ok.receipts().size());
            for (AppendReceipt r : ok.receipts()) {
              out.writeLong(r.eventId().high());
              out.writeLong(r.eventId().low());
              out.writeLong(r.globalSequence());
              out.writeLong(r.streamSequence());
              writeBytes(out, r.contentHash());
              writeBytes(out, r.eventHash());
              writeBytes(out, r.prevHash());
              writeSignature(out, r.signature());
            }
          } else if (reply instanceof Rejected rej) {
            out.writeByte(REJECTED);
            out.writeLong(rej.term());
            out.writeLong(rej.index());
            StoreException e = rej.error();
            if (e instanceof ConcurrencyConflictException c) {
              out.writeByte(REJECT_CONCURRENCY);
              out.writeUTF(c.entity());
              out.writeUTF(c.expected());
              out.writeLong(c.actualNextSequence());
            } else {
              out.writeByte(
                  e instanceof IdempotencyConflictException
                      ? REJECT_IDEMPOTENCY
                      : REJECT_VALIDATION);
              out.writeUTF(clip(String.valueOf(e.getMessage())));
            }
          } else if (reply instanceof Grouped g) {
            out.writeByte(GROUPED);
            out.writeLong(g.term());
            out.writeLong(g.index());
            GroupEntries.writeReplies(out, g.parts());
          } else if (reply instanceof Compacted done) {
            out.writeByte(COMPACTED);
            out.writeLong(done.term());
            out.writeLong(done.index());
            CompactionEntries.writeResult(out, done.result());
          } else {
            Replayed rep = (Replayed) reply;
            out.writeByte(REPLAYED);
            out.writeLong(rep.term());
            out.writeLong(rep.index());
          }
        });
  }

  static Reply decodeReply(byte[] bytes) {
    return read(
        bytes,
        in -> {
          int status = in.readUnsignedByte();
          long term = in.readLong();
          long index = in.readLong();
          if (status == OK) {
            int n = in.readInt();
            List<AppendReceipt> receipts = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
              receipts.add(
                  new AppendReceipt(
                      EventId.of(in.readLong(), in.readLong()),
                      in.readLong(),
                      in.readLong(),
                      readBytes(in),
                      readBytes(in),
                      readBytes(in),
                      readSignature(in)));
            }
            return new Ok(term, index, receipts);
          }
          if (status == REJECTED) {
            int kind = in.readUnsignedByte();
            if (kind == REJECT_CONCURRENCY) {
              return new Rejected(
                  term,
                  index,
                  new ConcurrencyConflictException(in.readUTF(), in.readUTF(), in.readLong()));
            }
            String message = in.readUTF();
            return new Rejected(
                term,
                index,
                kind == REJECT_IDEMPOTENCY
                    ? new IdempotencyConflictException(message)
                    : new ValidationException(message));
          }
          if (status == REPLAYED) {
            return new Replayed(term, index);
          }
          if (status == GROUPED) {
            return new Grouped(term, index, GroupEntries.readReplies(in, bytes.length));
          }
          if (status == COMPACTED) {
            return new Compacted(term, index, CompactionEntries.readResult(in));
          }
          throw new ValidationException("a replication reply has unknown status " + status);
        });
  }

  static byte[] encodeHeadQuery() {
    return new byte[] {VERSION, QUERY_HEAD};
  }

  static byte[] encodeHead(ReplicaHead head) {
    return write(out -> writeHead(out, head));
  }

  static ReplicaHead decodeHead(byte[] bytes) {
    return read(bytes, Entries::readHead);
  }

  /** The leader's signature on a receipt, when its store signs (docs/format.md). */
  private static void writeSignature(DataOutputStream out, Optional<ReceiptSignature> signature)
      throws IOException {
    out.writeBoolean(signature.isPresent());
    if (signature.isEmpty()) {
      return;
    }
    ReceiptSignature s = signature.get();
    out.writeByte(s.version());
    writeBytes(out, s.keyId());
    writeBytes(out, s.signature());
    writeBytes(out, s.root());
    out.writeInt(s.leafIndex());
    out.writeInt(s.leafCount());
    out.writeByte(s.siblings().size());
    for (Bytes sibling : s.siblings()) {
      writeBytes(out, sibling);
    }
  }

  private static Optional<ReceiptSignature> readSignature(DataInputStream in) throws IOException {
    if (!in.readBoolean()) {
      return Optional.empty();
    }
    int version = in.readUnsignedByte();
    Bytes keyId = readBytes(in);
    Bytes signature = readBytes(in);
    Bytes root = readBytes(in);
    int leafIndex = in.readInt();
    int leafCount = in.readInt();
    int n = in.readUnsignedByte();
    List<Bytes> siblings = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      siblings.add(readBytes(in));
    }
    return Optional.of(
        new ReceiptSignature(version, keyId, signature, root, leafIndex, leafCount, siblings));
  }

  private static void writeHead(DataOutputStream out, ReplicaHead h) throws IOException {
    out.writeLong(h.appliedIndex());
    out.writeLong(h.nextGlobalSequence());
    writeBytes(out, h.lastEventHash());
  }

  private static ReplicaHead readHead(DataInputStream in) throws IOException {
    return new ReplicaHead(in.readLong(), in.readLong(), readBytes(in));
  }
}
