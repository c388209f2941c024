package io.batpak.fs.sim;

/**
 * A persistent (immutable, structure-sharing) array indexed by int (a 32-way trie with path
 * copying): {@link #set} copies one node per level, about four for a million entries, and shares
 * everything else with the previous version. Holds the simulator's inode table.
 */
final class PersistentArray<T> {
  private static final int BITS = 5;
  private static final int WIDTH = 1 << BITS;
  private static final int MASK = WIDTH - 1;

  private final Object[] root;
  private final int shift;

  private PersistentArray(Object[] root, int shift) {
    this.root = root;
    this.shift = shift;
  }

  static <T> PersistentArray<T> empty() {
    return new PersistentArray<>(new Object[WIDTH], 0);
  }

  private long capacity() {
    return 1L << (shift + BITS);
  }

  @SuppressWarnings("unchecked")
  T get(int i) {
    if (i < 0 || i >= capacity()) {
      return null;
    }
    Object[] node = root;
    for (int level = shift; level > 0; level -= BITS) {
      node = (Object[]) node[(i >>> level) & MASK];
      if (node == null) {
        return null;
      }
    }
    return (T) node[i & MASK];
  }

  PersistentArray<T> set(int i, T value) {
    if (i < 0) {
      throw new IndexOutOfBoundsException(i);
    }
    Object[] r = root;
    int s = shift;
    while (i >= (1L << (s + BITS))) {
      Object[] grown = new Object[WIDTH];
      grown[0] = r;
      r = grown;
      s += BITS;
    }
    return new PersistentArray<>(setIn(r, s, i, value), s);
  }

  private static Object[] setIn(Object[] node, int level, int i, Object value) {
    Object[] copy = node == null ? new Object[WIDTH] : node.clone();
    int idx = (i >>> level) & MASK;
    if (level == 0) {
      copy[idx] = value;
    } else {
      copy[idx] = setIn((Object[]) copy[idx], level - BITS, i, value);
    }
    return copy;
  }
}
