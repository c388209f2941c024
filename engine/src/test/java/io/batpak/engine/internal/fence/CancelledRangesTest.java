package io.batpak.engine.internal.fence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The cancelled ranges: merged, sorted, queried by binary search, cut below a watermark. */
class CancelledRangesTest {

  @Test
  void rangesMergeWhenTheyTouchAndRefuseToOverlap() {
    CancelledRanges r = CancelledRanges.NONE.plus(3, 5).plus(5, 7).plus(9, 10).plus(12, 12);
    assertEquals(
        List.of(new CancelledRanges.Range(3, 7), new CancelledRanges.Range(9, 10)), r.ranges());
    assertEquals(5, r.count());
    assertThrows(IllegalArgumentException.class, () -> r.plus(8, 10));
    assertThrows(IllegalArgumentException.class, () -> r.plus(0, 1));
    assertEquals(List.of(new CancelledRanges.Range(3, 6)), r.below(6).ranges());
    assertEquals(
        r,
        CancelledRanges.of(
            List.of(new CancelledRanges.Range(9, 10), new CancelledRanges.Range(3, 7))));
    assertTrue(CancelledRanges.NONE.isEmpty());
    assertFalse(CancelledRanges.NONE.contains(0));
  }

  @Test
  void containsAgreesWithAModel() {
    long seed = new SplittableRandom().nextLong();
    SplittableRandom rnd = new SplittableRandom(seed);
    boolean[] model = new boolean[2000];
    CancelledRanges r = CancelledRanges.NONE;
    int at = 0;
    List<CancelledRanges.Range> all = new ArrayList<>();
    while (true) {
      int start = at + rnd.nextInt(20);
      int end = start + 1 + rnd.nextInt(20);
      if (end > model.length) {
        break;
      }
      r = r.plus(start, end);
      all.add(new CancelledRanges.Range(start, end));
      for (int g = start; g < end; g++) {
        model[g] = true;
      }
      at = end;
    }
    for (int g = 0; g < model.length; g++) {
      assertEquals(model[g], r.contains(g), "seed " + seed + ", global " + g);
    }
    assertEquals(r, CancelledRanges.of(all), "seed " + seed);
  }
}
