package io.batpak.replication;

import io.batpak.AppendReceipt;
import io.batpak.EventId;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A Jepsen-style history of append operations: each client process records {@code INVOKE} before it
 * calls, then {@code OK} (with the receipt), {@code FAIL} (the store said nothing was written) or
 * {@code INFO} (the outcome is unknown). Thread-safe.
 */
final class History {
  enum Type {
    INVOKE,
    OK,
    FAIL,
    INFO
  }

  /** One record; {@code event} is the id the append's idempotency key fixes. */
  record Op(
      int process,
      Type type,
      long opId,
      String entity,
      EventId event,
      @Nullable AppendReceipt receipt) {}

  private final List<Op> ops = new ArrayList<>();

  synchronized void add(Op op) {
    ops.add(op);
  }

  synchronized List<Op> ops() {
    return List.copyOf(ops);
  }
}
