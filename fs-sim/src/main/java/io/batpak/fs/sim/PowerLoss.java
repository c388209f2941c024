package io.batpak.fs.sim;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.Deque;

/**
 * What a power loss keeps: each directory its durable entries, each file its durable content plus,
 * by {@link CrashProfile}, a torn piece of its un-synced part (never the bytes a {@link
 * FaultAction.FailedSyncKeepsPages} left unwritten), and nothing that no durable entry reaches.
 * Every random choice comes from the simulator's seeded generator, drawn in a fixed order (names
 * sorted, pages ascending), so one seed gives one torn state.
 *
 * <p>Not thread-safe: the simulator calls it under its one lock.
 */
final class PowerLoss {
  private PowerLoss() {}

  /** The inode table after a power loss over {@code ns}, with the tears {@code profile} makes. */
  static PersistentArray<Inode> survivors(Namespace ns, CrashProfile profile, Rng rng) {
    PersistentArray<Inode> fresh = PersistentArray.empty();
    BitSet seen = new BitSet();
    Deque<Integer> todo = new ArrayDeque<>();
    todo.push(Namespace.ROOT);
    seen.set(Namespace.ROOT);
    while (!todo.isEmpty()) {
      Inode n = ns.inode(todo.pop());
      if (n.isDir()) {
        DirectoryListing e = n.durEntries;
        fresh = fresh.set(n.id, n.withVolEntries(e));
        // Push in reverse so names are visited in sorted order: the tear draws are then stable.
        for (int i = e.size() - 1; i >= 0; i--) {
          int child = (int) e.inodeAt(i);
          if (!seen.get(child)) {
            seen.set(child);
            todo.push(child);
          }
        }
      } else if (n.isFile()) {
        Content c = tear(n.dur, n.writeBack(), profile, rng);
        fresh = fresh.set(n.id, n.settled(c));
      } else {
        fresh = fresh.set(n.id, n);
      }
    }
    return fresh;
  }

  /** What of {@code vol} (what a sync would write) lands over {@code dur} at a power loss. */
  private static Content tear(Content dur, Content vol, CrashProfile profile, Rng rng) {
    if (vol == dur || profile == CrashProfile.STRICT) {
      return dur;
    }
    long d = dur.size();
    long v = vol.size();
    if (profile == CrashProfile.PREFIX) {
      if (v <= d) {
        return dur;
      }
      long keep = rng.nextLong(v - d + 1);
      return copyRange(dur, vol, d, keep);
    }
    final int s = CrashProfile.SECTOR_SIZE;
    long len;
    if (v > d) {
      long firstBoundary = (d / s + 1) * s;
      long boundaries = firstBoundary < v ? (v - 1 - firstBoundary) / s + 1 : 0;
      long pick = rng.nextLong(boundaries + 2);
      len = pick == 0 ? d : pick == boundaries + 1 ? v : firstBoundary + (pick - 1) * s;
    } else if (v < d) {
      len = rng.nextInt(2) == 0 ? d : v;
    } else {
      len = d;
    }
    Content result = dur.truncate(len);
    int pages = Content.pagesFor(Math.max(d, v));
    byte[] buf = new byte[s];
    for (int i = 0; i < pages; i++) {
      long start = (long) i * s;
      if (start >= len) {
        break;
      }
      if (Content.samePage(dur, vol, i)) {
        continue;
      }
      int n = (int) Math.min(s, len - start);
      int fate = rng.nextInt(3);
      if (fate == 0) { // kept: the new bytes landed
        vol.read(start, buf, 0, n);
        result = result.write(start, buf, 0, n);
      } else if (fate == 2) { // garbage, only where un-synced writes changed bytes
        byte[] now = new byte[n];
        byte[] was = new byte[n];
        vol.read(start, now, 0, n);
        dur.read(start, was, 0, n);
        result.read(start, buf, 0, n);
        byte[] noise = new byte[n];
        rng.nextBytes(noise, 0, n);
        for (int k = 0; k < n; k++) {
          if (start + k >= d || now[k] != was[k]) {
            buf[k] = noise[k];
          }
        }
        result = result.write(start, buf, 0, n);
      } // fate 1: old, the write never landed
    }
    return result;
  }

  private static Content copyRange(Content into, Content from, long pos, long len) {
    Content out = into;
    byte[] buf = new byte[Content.PAGE];
    long done = 0;
    while (done < len) {
      int n = (int) Math.min(buf.length, len - done);
      from.read(pos + done, buf, 0, n);
      out = out.write(pos + done, buf, 0, n);
      done += n;
    }
    return out;
  }
}
