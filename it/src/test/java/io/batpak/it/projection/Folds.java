package io.batpak.it.projection;

import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Projection;
import io.batpak.Store;
import io.batpak.StoredEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** The projections the projection tests fold, their oracle (a plain loop) and a workload. */
final class Folds {
  static final EventKind A = EventKind.custom(5, 1);
  static final EventKind B = EventKind.custom(5, 2);

  private Folds() {}

  /**
   * A state that sees everything of each event it folds: how many, a running hash of id, kind,
   * sequences and payload, and the last global sequence. Immutable.
   */
  record Acc(long count, long hash, long last) {
    static final Acc INITIAL = new Acc(0, 17, -1);

    Acc step(StoredEvent e) {
      EventHeader h = e.header();
      long x = hash;
      x = x * 31 + h.eventId().hashCode();
      x = x * 31 + h.kind().raw();
      x = x * 31 + h.streamSequence();
      x = x * 31 + h.globalSequence();
      x = x * 31 + h.payloadSize();
      x = x * 31 + Arrays.hashCode(e.payload().toByteArray());
      return new Acc(count + 1, x, h.globalSequence());
    }
  }

  /** Every kind, payloads read. */
  static Projection<Acc> all(int schema) {
    return Projection.of("acc.all", schema, Set.of(), Acc.INITIAL, Acc.class, Acc::step);
  }

  /** Kind {@link #A} and tombstones, headers only. */
  static Projection<Acc> onlyA() {
    return Projection.of(
            "acc.a-headers", 1, Set.of(A, EventKind.TOMBSTONE), Acc.INITIAL, Acc.class, Acc::step)
        .headersOnly();
  }

  /** The oracle: a plain loop over {@code stream(entity)} and {@code get}. */
  static Acc loop(Store s, String entity, Projection<Acc> p) {
    Acc a = Acc.INITIAL;
    for (EventHeader h : s.stream(entity)) {
      if (!p.kinds().isEmpty() && !p.kinds().contains(h.kind())) {
        continue;
      }
      StoredEvent e = s.get(h.eventId());
      a = a.step(p.readsPayloads() ? e : new StoredEvent(e.header(), Bytes.empty()));
    }
    return a;
  }

  /** Appends {@code n} events over {@code streams} streams, some in batches, some of kind B. */
  static void append(Store s, Random rnd, int n, int streams) {
    int i = 0;
    while (i < n) {
      if (rnd.nextInt(6) == 0 && n - i >= 3) {
        List<BatchItem> batch = new ArrayList<>();
        for (int j = 0; j < 3; j++) {
          batch.add(BatchItem.of(coordinate(rnd, streams), kind(rnd), payload(rnd)));
        }
        s.appendBatch(batch);
        i += 3;
      } else {
        s.append(coordinate(rnd, streams), kind(rnd), payload(rnd));
        i++;
      }
    }
  }

  static String entity(int i) {
    return "acct-" + i;
  }

  private static Coordinate coordinate(Random rnd, int streams) {
    return Coordinate.of(entity(rnd.nextInt(streams)), "bank");
  }

  private static EventKind kind(Random rnd) {
    return rnd.nextInt(3) == 0 ? B : A;
  }

  private static Bytes payload(Random rnd) {
    byte[] b = new byte[rnd.nextInt(120)];
    rnd.nextBytes(b);
    return Bytes.of(b);
  }
}
