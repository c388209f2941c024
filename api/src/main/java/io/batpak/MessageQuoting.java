package io.batpak;

import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Renders user-supplied values for exception messages: quoted, with control characters and lone
 * surrogates escaped, and long values truncated, so a message stays one readable line whatever the
 * caller passed. Package-private.
 */
final class MessageQuoting {
  /** Values longer than this many characters are truncated in messages. */
  static final int MAX_QUOTED_CHARS = 64;

  private MessageQuoting() {}

  /**
   * {@code value} in double quotes, escaped, truncated to {@value #MAX_QUOTED_CHARS} characters
   * with the full length noted; {@code null} for a null value.
   */
  static String quote(@Nullable String value) {
    if (value == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(value.length(), MAX_QUOTED_CHARS) + 24);
    sb.append('"');
    int limit = Math.min(value.length(), MAX_QUOTED_CHARS);
    for (int i = 0; i < limit; i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c)
          && i + 1 < value.length()
          && Character.isLowSurrogate(value.charAt(i + 1))) {
        if (i + 1 < limit) {
          sb.append(c).append(value.charAt(i + 1));
          i++;
          continue;
        }
        break;
      }
      appendEscaped(sb, c);
    }
    sb.append('"');
    if (value.length() > limit) {
      sb.append("... (").append(value.length()).append(" chars)");
    }
    return sb.toString();
  }

  /** One character in single quotes, escaped like {@link #quote(String)}. */
  static String quoteChar(char c) {
    StringBuilder sb = new StringBuilder(10).append('\'');
    appendEscaped(sb, c);
    return sb.append('\'').toString();
  }

  private static void appendEscaped(StringBuilder sb, char c) {
    if (c < 0x20 || c == 0x7F || Character.isSurrogate(c)) {
      sb.append(String.format(Locale.ROOT, "\\u%04X", (int) c));
    } else if (c == '"' || c == '\\') {
      sb.append('\\').append(c);
    } else {
      sb.append(c);
    }
  }
}
