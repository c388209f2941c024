package io.batpak.verify;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON reader (RFC 8259) for the receipt form: objects (duplicate keys refused), arrays,
 * strings, integers that fit a {@code long} (no fractions, exponents or leading zeros), booleans
 * and null; nesting at most 16 deep; nothing after the value but whitespace. And the string
 * escaping of its writer. Stateless apart from one parse.
 */
final class Json {
  /** The JSON null. */
  static final Object NULL = new Object();

  private final String text;
  private int pos;

  private Json(String text) {
    this.text = text;
  }

  /** The value of {@code text}: a Map, List, String, Long, Boolean or {@link #NULL}. */
  static Object parse(String text) {
    Json j = new Json(text);
    j.ws();
    Object v = j.value("$", 0);
    j.ws();
    if (j.pos != text.length()) {
      throw j.error("$", "unexpected " + j.describe() + " after the document");
    }
    return v;
  }

  private ReceiptJsonException error(String field, String message) {
    return new ReceiptJsonException(field, message + " (at character " + pos + ")");
  }

  private String describe() {
    return pos >= text.length() ? "end of input" : "'" + text.charAt(pos) + "'";
  }

  private void ws() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private Object value(String field, int depth) {
    if (depth > 16) {
      throw error(field, "nested deeper than 16 levels");
    }
    if (pos >= text.length()) {
      throw error(field, "a value was expected, found the end of input");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(field, depth);
      case '[':
        return array(field, depth);
      case '"':
        return string(field);
      case 't':
        return literal(field, "true", Boolean.TRUE);
      case 'f':
        return literal(field, "false", Boolean.FALSE);
      case 'n':
        return literal(field, "null", NULL);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number(field);
        }
        throw error(field, "a value was expected, found " + describe());
    }
  }

  private Object literal(String field, String word, Object v) {
    if (!text.startsWith(word, pos)) {
      throw error(field, "a value was expected, found " + describe());
    }
    pos += word.length();
    return v;
  }

  private Map<String, Object> object(String field, int depth) {
    pos++;
    Map<String, Object> out = new LinkedHashMap<>();
    ws();
    if (pos < text.length() && text.charAt(pos) == '}') {
      pos++;
      return out;
    }
    while (true) {
      ws();
      if (pos >= text.length() || text.charAt(pos) != '"') {
        throw error(field, "a member name was expected, found " + describe());
      }
      String name = string(field);
      String path = field.equals("$") ? name : field + "." + name;
      if (out.containsKey(name)) {
        throw error(path, "the member appears twice");
      }
      ws();
      expect(path, ':');
      ws();
      out.put(name, value(path, depth + 1));
      ws();
      if (pos < text.length() && text.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect(field, '}');
      return out;
    }
  }

  private List<Object> array(String field, int depth) {
    pos++;
    List<Object> out = new ArrayList<>();
    ws();
    if (pos < text.length() && text.charAt(pos) == ']') {
      pos++;
      return out;
    }
    while (true) {
      ws();
      out.add(value(field + "[" + out.size() + "]", depth + 1));
      ws();
      if (pos < text.length() && text.charAt(pos) == ',') {
        pos++;
        continue;
      }
      expect(field, ']');
      return out;
    }
  }

  private void expect(String field, char c) {
    if (pos >= text.length() || text.charAt(pos) != c) {
      throw error(field, "'" + c + "' was expected, found " + describe());
    }
    pos++;
  }

  private String string(String field) {
    pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= text.length()) {
        throw error(field, "the string is not closed");
      }
      char c = text.charAt(pos++);
      if (c == '"') {
        return b.toString();
      }
      if (c < 0x20) {
        throw error(field, "a control character must be escaped in a string");
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= text.length()) {
        throw error(field, "the string is not closed");
      }
      char e = text.charAt(pos++);
      switch (e) {
        case '"' -> b.append('"');
        case '\\' -> b.append('\\');
        case '/' -> b.append('/');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          if (pos + 4 > text.length()) {
            throw error(field, "a \\u escape needs four hex digits");
          }
          int v = 0;
          for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
              throw error(field, "a \\u escape needs four hex digits");
            }
            v = v * 16 + d;
          }
          pos += 4;
          b.append((char) v);
        }
        default -> throw error(field, "unknown escape \\" + e);
      }
    }
  }

  private Long number(String field) {
    int start = pos;
    if (text.charAt(pos) == '-') {
      pos++;
    }
    int digits = pos;
    while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
      pos++;
    }
    if (pos == digits) {
      throw error(field, "a digit was expected after '-'");
    }
    if (pos < text.length()
        && (text.charAt(pos) == '.' || text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      throw error(field, "only integers are allowed in a receipt");
    }
    if (text.charAt(digits) == '0' && pos - digits > 1) {
      throw error(field, "an integer has no leading zeros");
    }
    try {
      return Long.parseLong(text.substring(start, pos));
    } catch (NumberFormatException e) {
      throw error(field, "the integer " + text.substring(start, pos) + " does not fit 64 bits");
    }
  }

  /** {@code s} as a JSON string literal. */
  static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
