package io.batpak.fs.sim;

import java.util.Arrays;
import java.util.List;

/** An immutable directory listing: names sorted by {@link String#compareTo}, each with an inode. */
final class DirectoryListing {
  static final DirectoryListing EMPTY = new DirectoryListing(new String[0], new long[0]);

  private final String[] names;
  private final long[] inodes;

  private DirectoryListing(String[] names, long[] inodes) {
    this.names = names;
    this.inodes = inodes;
  }

  int size() {
    return names.length;
  }

  /** The inode of {@code name}, or -1. */
  long get(String name) {
    int i = Arrays.binarySearch(names, name);
    return i >= 0 ? inodes[i] : -1;
  }

  DirectoryListing put(String name, long inode) {
    int i = Arrays.binarySearch(names, name);
    if (i >= 0) {
      if (inodes[i] == inode) {
        return this;
      }
      long[] ni = inodes.clone();
      ni[i] = inode;
      return new DirectoryListing(names, ni);
    }
    int at = -i - 1;
    String[] nn = new String[names.length + 1];
    long[] ni = new long[names.length + 1];
    System.arraycopy(names, 0, nn, 0, at);
    System.arraycopy(inodes, 0, ni, 0, at);
    nn[at] = name;
    ni[at] = inode;
    System.arraycopy(names, at, nn, at + 1, names.length - at);
    System.arraycopy(inodes, at, ni, at + 1, names.length - at);
    return new DirectoryListing(nn, ni);
  }

  DirectoryListing remove(String name) {
    int i = Arrays.binarySearch(names, name);
    if (i < 0) {
      return this;
    }
    String[] nn = new String[names.length - 1];
    long[] ni = new long[names.length - 1];
    System.arraycopy(names, 0, nn, 0, i);
    System.arraycopy(inodes, 0, ni, 0, i);
    System.arraycopy(names, i + 1, nn, i, names.length - i - 1);
    System.arraycopy(inodes, i + 1, ni, i, names.length - i - 1);
    return new DirectoryListing(nn, ni);
  }

  List<String> names() {
    return List.of(names);
  }

  long inodeAt(int i) {
    return inodes[i];
  }
}
