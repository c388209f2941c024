package io.batpak.fs.sim;

import java.util.Arrays;

/**
 * Immutable file content made of 4 KiB pages shared between versions: a write copies the page table
 * (one reference per page) and the pages it touches, never the rest. A {@code null} page is all
 * zeros. Invariant: the bytes of the last page past {@link #size()} are zero, so extending a file
 * shows zeros.
 */
final class Content {
  static final int PAGE = 4096;
  static final Content EMPTY = new Content(new byte[0][], 0);

  private final byte[][] pages;
  private final long size;

  private Content(byte[][] pages, long size) {
    this.pages = pages;
    this.size = size;
  }

  long size() {
    return size;
  }

  int pageCount() {
    return pages.length;
  }

  /** The page at {@code i}, or {@code null} for a zero page or past the end. Never mutate it. */
  byte[] page(int i) {
    return i < pages.length ? pages[i] : null;
  }

  static int pagesFor(long size) {
    long n = (size + PAGE - 1) / PAGE;
    if (n > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("simulated file too large: " + size + " bytes");
    }
    return (int) n;
  }

  /** Returns the content with {@code len} bytes of {@code src} from {@code off} at {@code pos}. */
  Content write(long pos, byte[] src, int off, int len) {
    if (len == 0) {
      return this;
    }
    long end = pos + len;
    long newSize = Math.max(size, end);
    byte[][] np = Arrays.copyOf(pages, pagesFor(newSize));
    long p = pos;
    int s = off;
    int remaining = len;
    while (remaining > 0) {
      int idx = (int) (p / PAGE);
      int inPage = (int) (p % PAGE);
      int n = Math.min(remaining, PAGE - inPage);
      byte[] old = np[idx];
      byte[] copy = old == null ? new byte[PAGE] : old.clone();
      System.arraycopy(src, s, copy, inPage, n);
      np[idx] = copy;
      p += n;
      s += n;
      remaining -= n;
    }
    return new Content(np, newSize);
  }

  /** Copies {@code len} bytes from {@code pos} into {@code dst}; the range must be within size. */
  void read(long pos, byte[] dst, int off, int len) {
    long p = pos;
    int d = off;
    int remaining = len;
    while (remaining > 0) {
      int idx = (int) (p / PAGE);
      int inPage = (int) (p % PAGE);
      int n = Math.min(remaining, PAGE - inPage);
      byte[] page = page(idx);
      if (page == null) {
        Arrays.fill(dst, d, d + n, (byte) 0);
      } else {
        System.arraycopy(page, inPage, dst, d, n);
      }
      p += n;
      d += n;
      remaining -= n;
    }
  }

  /** Returns the content cut or zero-extended to {@code newSize}. */
  Content truncate(long newSize) {
    if (newSize == size) {
      return this;
    }
    byte[][] np = Arrays.copyOf(pages, pagesFor(newSize));
    if (newSize < size && newSize % PAGE != 0) {
      int last = (int) (newSize / PAGE);
      if (np[last] != null) {
        byte[] copy = np[last].clone();
        Arrays.fill(copy, (int) (newSize % PAGE), PAGE, (byte) 0);
        np[last] = copy;
      }
    }
    return new Content(np, newSize);
  }

  byte[] toByteArray() {
    byte[] out = new byte[Math.toIntExact(size)];
    read(0, out, 0, out.length);
    return out;
  }

  /**
   * Whether page {@code i} holds the same bytes in both (zero pages and missing pages are equal).
   */
  static boolean samePage(Content a, Content b, int i) {
    byte[] x = a.page(i);
    byte[] y = b.page(i);
    if (x == y) {
      return true;
    }
    if (x == null) {
      return isZero(y);
    }
    if (y == null) {
      return isZero(x);
    }
    return Arrays.equals(x, y);
  }

  private static boolean isZero(byte[] page) {
    for (byte b : page) {
      if (b != 0) {
        return false;
      }
    }
    return true;
  }
}
