package io.batpak.engine.internal.index;

import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;

/** Strings to dense ids and back. One writer, many readers. */
final class Interner {
  private final ConcurrentHashMap<String, Integer> ids = new ConcurrentHashMap<>();
  private volatile String[] names = new String[64];
  private int size;

  /** The id of {@code s}, assigning the next one if new. Writer only. */
  int intern(String s) {
    Integer id = ids.get(s);
    if (id != null) {
      return id;
    }
    int next = size++;
    String[] n = names;
    if (next == n.length) {
      n = Arrays.copyOf(n, n.length * 2);
    }
    n[next] = s;
    names = n;
    ids.put(s, next);
    return next;
  }

  /** The number of strings. Writer only. */
  int size() {
    return size;
  }

  /** The string of an id. */
  String name(int id) {
    return names[id];
  }
}
