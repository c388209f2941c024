package io.batpak.it.crash;

import static io.batpak.it.crash.DamageStores.largeStore;
import static io.batpak.it.crash.DamageStores.smallStores;

import io.batpak.it.crash.DamageStores.Built;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The damage cases of the damage explorer ({@link DamageExplorerIT}): for a field of a segment, a
 * flipped bit, a zeroed byte, a zeroed field; every field of the small stores, a sample of the
 * large one.
 */
final class DamageCases {
  private DamageCases() {}

  /**
   * One damage: in {@code segment} of {@code store}, the bytes of {@code field} replaced by {@code
   * damaged}.
   */
  record Case(Built store, String segment, SegmentMap.Field field, String how, byte[] damaged) {
    String id() {
      return store.name() + "/" + segment + "/" + field.name() + "/" + how;
    }

    boolean newest() {
      return segment.equals(store.newest());
    }

    boolean inLastFrameOfNewest() {
      SegmentMap m = store.maps().get(segment);
      return newest() && !field.inHeader() && field.frame() == m.frames.size() - 1;
    }
  }

  /** Every damage of {@code field}: a flipped bit, a zeroed byte, a zeroed field (where any). */
  static List<Case> damages(Built store, String segment, SegmentMap.Field field, long seed) {
    return damages(store, segment, field, seed, store.segments().get(segment));
  }

  /**
   * Like {@link #damages(Built, String, SegmentMap.Field, long)}, in the segment bytes {@code
   * file}.
   */
  static List<Case> damages(
      Built store, String segment, SegmentMap.Field field, long seed, byte[] file) {
    byte[] orig =
        Arrays.copyOfRange(file, (int) field.offset(), (int) field.offset() + field.length());
    SplittableRandom rnd = new SplittableRandom(seed);
    List<Case> out = new ArrayList<>();
    if (field.name().equals("header.length")) {
      for (int i = 0; i < field.length() * 8; i++) {
        byte[] d = orig.clone();
        d[i / 8] ^= (byte) (1 << (i % 8));
        out.add(new Case(store, segment, field, "flip-bit-" + i, d));
      }
    } else {
      int at = rnd.nextInt(orig.length);
      int bit = rnd.nextInt(8);
      byte[] d = orig.clone();
      d[at] ^= (byte) (1 << bit);
      out.add(new Case(store, segment, field, "flip-byte-" + at + "-bit-" + bit, d));
    }
    List<Integer> nonZero = new ArrayList<>();
    for (int i = 0; i < orig.length; i++) {
      if (orig[i] != 0) {
        nonZero.add(i);
      }
    }
    if (!nonZero.isEmpty()) {
      int at = nonZero.get(rnd.nextInt(nonZero.size()));
      byte[] d = orig.clone();
      d[at] = 0;
      out.add(new Case(store, segment, field, "zero-byte-" + at, d));
      if (orig.length > 1) {
        out.add(new Case(store, segment, field, "zero-field", new byte[orig.length]));
      }
    }
    return out;
  }

  /** The small stores: every field of every segment (there is one). */
  static List<Case> smallCases(List<Built> stores, long base) {
    List<Case> out = new ArrayList<>();
    for (Built b : stores) {
      for (Map.Entry<String, SegmentMap> e : b.maps().entrySet()) {
        int i = 0;
        for (SegmentMap.Field f : e.getValue().fields) {
          out.addAll(damages(b, e.getKey(), f, base * 31 + b.seed() * 17 + i++));
        }
      }
    }
    return out;
  }

  /** The large store: sampled segments, frames and records, every field of those. */
  static List<Case> largeCases(Built b, long base) {
    List<String> names = new ArrayList<>(b.segments().keySet());
    List<String> chosen =
        List.of(names.get(0), names.get(names.size() / 2), names.get(names.size() - 1));
    List<Case> out = new ArrayList<>();
    int salt = 0;
    for (String seg : chosen) {
      SegmentMap m = b.maps().get(seg);
      int last = m.frames.size() - 1;
      java.util.TreeSet<Integer> frames = new java.util.TreeSet<>(List.of(0, last / 2, last));
      if (seg.equals(b.newest()) && last > 0) {
        frames.add(last - 1);
      }
      // A batch frame too, if the segment has one.
      for (SegmentMap.Frame f : m.frames) {
        if (f.events() > 2) {
          frames.add(f.index());
          break;
        }
      }
      for (SegmentMap.Field f : m.fields) {
        boolean take = f.inHeader() || frames.contains(f.frame());
        if (take && f.name().contains(".record[")) {
          int events = m.frames.get(f.frame()).events();
          take =
              f.name().contains(".record[0].")
                  || f.name().contains(".record[" + (events - 1) + "].");
        }
        if (take) {
          out.addAll(damages(b, seg, f, base * 37 + salt++));
        }
      }
    }
    return out;
  }

  /**
   * The case with id {@code id} under base seed {@code base}, building only the store it damages.
   *
   * @throws IllegalArgumentException if no such case exists
   */
  static Case findCase(long base, String id) {
    String store = id.substring(0, id.indexOf('/'));
    List<Case> cases;
    if (store.equals("large")) {
      cases = largeCases(largeStore(base), base);
    } else {
      cases = smallCases(smallStores(base), base);
    }
    for (Case c : cases) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "no damage case '" + id + "' under base seed " + base + " (" + cases.size() + " cases)");
  }
}
