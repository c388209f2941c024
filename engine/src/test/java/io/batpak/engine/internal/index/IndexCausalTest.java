package io.batpak.engine.internal.index;

import static io.batpak.engine.internal.index.IndexTest.entity;
import static io.batpak.engine.internal.index.IndexTest.hash;
import static io.batpak.engine.internal.index.IndexTest.idHi;
import static io.batpak.engine.internal.index.IndexTest.idLo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The causation and correlation chains of the index under concurrent readers: every view a reader
 * takes, while the writer adds rows, allocates the causal columns (only once the first row needs
 * them), and grows columns and tables, answers exactly what the rows below its size say. Causes
 * named before they are added and never added, own, shared and foreign correlations.
 */
class IndexCausalTest {
  private static final long SEED = Long.getLong("batpak.test.seed", new Random().nextLong());
  private static final int N = 40_000;
  private static final int IDS = N + 500; // ids N.. are never added
  private static final long SAGA = 0x5A6A_0000_0000_0000L;

  /** Per row: the id index of its cause, or -1. */
  private final int[] causeOf = new int[N];

  /** Per row: its correlation, high and low. */
  private final long[] corrHi = new long[N];

  private final long[] corrLo = new long[N];

  private void plan(Random r) {
    for (int row = 0; row < N; row++) {
      boolean early = row < 3000; // no cause and own correlations first: the columns come late
      int c = r.nextInt(10);
      causeOf[row] = early || c < 4 ? -1 : c < 8 ? r.nextInt(row + 1) : r.nextInt(IDS);
      int k = r.nextInt(10);
      if (early || k < 5) {
        corrHi[row] = idHi(row);
        corrLo[row] = idLo(row);
      } else if (k < 8) {
        corrHi[row] = SAGA;
        corrLo[row] = r.nextInt(60);
      } else {
        int other = r.nextInt(IDS); // another event's id: earlier, later or never added
        corrHi[row] = idHi(other);
        corrLo[row] = idLo(other);
      }
    }
  }

  private void add(Index index, Map<String, Long> next, int row) {
    long seq = next.merge(entity(row), 1L, Long::sum) - 1;
    int cause = causeOf[row];
    index.add(
        idHi(row),
        idLo(row),
        entity(row),
        "s",
        1,
        seq,
        row,
        hash(row),
        1,
        64L + row * 10L,
        10,
        24,
        0,
        corrHi[row],
        corrLo[row],
        cause >= 0,
        cause >= 0 ? idHi(cause) : 0,
        cause >= 0 ? idLo(cause) : 0);
  }

  private List<Integer> consequences(Index index, Index.View v, int id) {
    List<Integer> rows = new ArrayList<>();
    for (int r = index.causedFirst(idHi(id), idLo(id), v.size());
        r >= 0 && r < v.size();
        r = v.nextCaused(r)) {
      rows.add(r);
    }
    return rows;
  }

  private List<Integer> expectedConsequences(int size, int id) {
    List<Integer> rows = new ArrayList<>();
    for (int r = 0; r < size; r++) {
      if (causeOf[r] == id) {
        rows.add(r);
      }
    }
    return rows;
  }

  private List<Integer> correlated(Index index, Index.View v, long hi, long lo) {
    List<Integer> rows = new ArrayList<>();
    for (int r = index.correlatedFirst(hi, lo, v.size());
        r >= 0 && r < v.size();
        r = v.nextCorrelated(r)) {
      rows.add(r);
    }
    return rows;
  }

  private List<Integer> expectedCorrelated(int size, long hi, long lo) {
    List<Integer> rows = new ArrayList<>();
    for (int r = 0; r < size; r++) {
      if (corrHi[r] == hi && corrLo[r] == lo) {
        rows.add(r);
      }
    }
    return rows;
  }

  @Test
  void readersSeeExactlyTheChainsOfTheRowsBelowTheirView() throws Exception {
    plan(new Random(SEED));
    Index index = new Index();
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    List<Future<Long>> readers = new ArrayList<>();
    for (int t = 0; t < 2; t++) {
      long seed = SEED + t;
      readers.add(
          pool.submit(
              () -> {
                Random r = new Random(seed);
                long checks = 0;
                boolean last = false;
                while (!last) {
                  last = done.get();
                  Index.View v = index.view();
                  int size = v.size();
                  int id = r.nextInt(IDS);
                  String what = "seed " + SEED + ", view of " + size + ", id " + id;
                  assertEquals(expectedConsequences(size, id), consequences(index, v, id), what);
                  long hi = r.nextBoolean() ? SAGA : idHi(id);
                  long lo = hi == SAGA ? r.nextInt(60) : idLo(id);
                  assertEquals(
                      expectedCorrelated(size, hi, lo), correlated(index, v, hi, lo), what);
                  checks++;
                }
                return checks;
              }));
    }
    Map<String, Long> next = new HashMap<>();
    for (int row = 0; row < N; row++) {
      add(index, next, row);
      if (row % 7 == 6) {
        index.publish();
      }
    }
    index.publish();
    done.set(true);
    long checks = 0;
    for (Future<Long> f : readers) {
      checks += f.get();
    }
    pool.shutdown();
    assertTrue(checks > 0);
    Index.View v = index.view();
    Random r = new Random(SEED);
    for (int i = 0; i < 300; i++) {
      int id = r.nextInt(IDS);
      assertEquals(expectedConsequences(N, id), consequences(index, v, id), "seed " + SEED);
      assertEquals(
          expectedCorrelated(N, idHi(id), idLo(id)),
          correlated(index, v, idHi(id), idLo(id)),
          "seed " + SEED);
    }
  }
}
