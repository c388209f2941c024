package io.batpak.fs.sim;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The simulator's op log: every call, in the order it completed, as a persistent list (a snapshot
 * keeps only its head), with the running 64-bit FNV-1a digest of the records' canonical lines (the
 * determinism witness), the number of operations (which also hands out sequence numbers) and the
 * number that changed the simulated disk.
 *
 * <p>Not thread-safe: the simulator calls it under its one lock.
 */
final class OpLog {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;

  /** A node of the persistent log (newest first). */
  static final class Node {
    final OpRecord record;
    final Node prev;
    final int size;

    Node(OpRecord record, Node prev) {
      this.record = record;
      this.prev = prev;
      this.size = prev == null ? 1 : prev.size + 1;
    }

    static List<OpRecord> toList(Node head) {
      if (head == null) {
        return List.of();
      }
      OpRecord[] out = new OpRecord[head.size];
      for (Node n = head; n != null; n = n.prev) {
        out[n.size - 1] = n.record;
      }
      return List.of(out);
    }
  }

  /** The log at one instant, for a {@link SimSnapshot}. */
  record Saved(Node head, long digest, long opCount, long stateChangingCount) {}

  private Node head;
  private long digest = FNV_OFFSET;
  private long opCount;
  private long stateChangingCount;

  /** Counts one more operation and returns its sequence number. */
  long nextSequence() {
    return ++opCount;
  }

  /** Appends {@code r} and folds its canonical line into the digest. */
  void append(OpRecord r) {
    if (r.stateChanging()) {
      stateChangingCount++;
    }
    head = new Node(r, head);
    long h = digest;
    for (byte b : (r + "\n").getBytes(StandardCharsets.UTF_8)) {
      h ^= (b & 0xFF);
      h *= FNV_PRIME;
    }
    digest = h;
  }

  List<OpRecord> records() {
    return Node.toList(head);
  }

  long digest() {
    return digest;
  }

  long operationCount() {
    return opCount;
  }

  long stateChangingCount() {
    return stateChangingCount;
  }

  Saved save() {
    return new Saved(head, digest, opCount, stateChangingCount);
  }

  void restore(Saved saved) {
    head = saved.head();
    digest = saved.digest();
    opCount = saved.opCount();
    stateChangingCount = saved.stateChangingCount();
  }
}
