package io.batpak.fs.posix.internal;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Turns a {@link Path} into the NUL-terminated bytes a system call takes, with the charset the JDK
 * itself uses for file names ({@code sun.jnu.encoding}), so this backend and NIO name the same
 * files.
 *
 * <p>Thread-safe.
 */
final class NativePaths {
  private static final Charset CHARSET = fileNameCharset();

  private NativePaths() {}

  /** The absolute form of {@code path} as C string bytes. */
  static byte[] of(Path path) {
    byte[] text = path.toAbsolutePath().toString().getBytes(CHARSET);
    byte[] c = new byte[text.length + 1];
    System.arraycopy(text, 0, c, 0, text.length);
    return c;
  }

  private static Charset fileNameCharset() {
    String name = System.getProperty("sun.jnu.encoding");
    try {
      return name == null ? StandardCharsets.UTF_8 : Charset.forName(name);
    } catch (IllegalArgumentException e) {
      return StandardCharsets.UTF_8;
    }
  }
}
