package io.batpak.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import io.batpak.Bytes;
import io.batpak.spi.Codec;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every codec still writes, byte for byte, what its golden files hold ({@link GoldenBytes}), and
 * still reads them back to the same values; a changed encoding fails and names the file and the
 * first differing offset. The files are test resources that no build writes.
 */
class GoldenBytesTest {

  private static final String ROOT = "codec/src/test/resources/golden";

  private static byte[] golden(String codec, String value) throws IOException {
    String resource = "/golden/" + codec + "/" + value + ".bin";
    try (InputStream in = GoldenBytesTest.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new AssertionError(
            ROOT
                + "/"
                + codec
                + "/"
                + value
                + ".bin is missing; see docs/testing.md (golden payloads)");
      }
      return in.readAllBytes();
    }
  }

  @Test
  void everyCodecWritesItsGoldenBytes() throws IOException {
    StringBuilder failures = new StringBuilder();
    for (Map.Entry<String, Codec> c : GoldenBytes.codecs().entrySet()) {
      for (Map.Entry<String, Object> v : GoldenBytes.values().entrySet()) {
        byte[] expected = golden(c.getKey(), v.getKey());
        byte[] actual = c.getValue().encode(v.getValue()).toByteArray();
        int at = Arrays.mismatch(expected, actual);
        if (at >= 0) {
          failures
              .append(ROOT + "/" + c.getKey() + "/" + v.getKey() + ".bin")
              .append(": the ")
              .append(c.getKey())
              .append(" codec now writes ")
              .append(actual.length)
              .append(" bytes where the file holds ")
              .append(expected.length)
              .append(", first difference at offset ")
              .append(at)
              .append('\n');
        }
      }
    }
    if (failures.length() > 0) {
      fail(
          "encoding changed (a payload's bytes, and so its hash, would differ from those already"
              + " stored):\n"
              + failures);
    }
  }

  @Test
  void everyCodecReadsItsGoldenBytesBack() throws IOException {
    for (Map.Entry<String, Codec> c : GoldenBytes.codecs().entrySet()) {
      for (Map.Entry<String, Object> v : GoldenBytes.values().entrySet()) {
        Object value = v.getValue();
        Bytes bytes = Bytes.of(golden(c.getKey(), v.getKey()));
        Class<?> type = value instanceof Map ? Map.class : value.getClass();
        Object back = c.getValue().decode(bytes, type);
        if (value instanceof Map<?, ?>) {
          // A map payload reads back as plain values: compare its encoding instead.
          assertEquals(bytes, c.getValue().encode(back), c.getKey() + "/" + v.getKey());
        } else {
          assertEquals(value, back, c.getKey() + "/" + v.getKey());
        }
      }
    }
  }

  @Test
  void noGoldenFileIsLeftOver() throws IOException, URISyntaxException {
    URL root = GoldenBytesTest.class.getResource("/golden");
    if (root == null) {
      fail(ROOT + " is missing; see docs/testing.md (golden payloads)");
    }
    Set<String> expected = new TreeSet<>();
    for (String c : GoldenBytes.codecs().keySet()) {
      for (String v : GoldenBytes.values().keySet()) {
        expected.add(c + "/" + v + ".bin");
      }
    }
    Path dir = Path.of(root.toURI());
    Set<String> found;
    try (Stream<Path> files = Files.walk(dir)) {
      found =
          files
              .filter(Files::isRegularFile)
              .map(p -> dir.relativize(p).toString().replace('\\', '/'))
              .collect(Collectors.toCollection(TreeSet::new));
    }
    assertEquals(expected, found, "files under " + ROOT);
  }
}
