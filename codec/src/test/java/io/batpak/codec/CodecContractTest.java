package io.batpak.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.Bytes;
import io.batpak.CodecException;
import io.batpak.spi.Codec;
import io.batpak.spi.CodecProvider;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * What every payload codec promises ({@link Codec}): a stable short name, determinism, round trips
 * of plain values, and typed failures. Each codec's test extends it.
 */
public abstract class CodecContractTest {

  /** The codec under test; may return a new instance on each call. */
  protected abstract Codec codec();

  /** Bytes that are no valid encoding of a {@code Map}. */
  protected abstract Bytes garbage();

  @Test
  void nameIsShortLowercaseAscii() {
    assertTrue(codec().name().matches("[a-z0-9][a-z0-9-]{0,31}"), codec().name());
  }

  @Test
  void providerWithTheSameNameIsRegistered() {
    boolean found = false;
    for (CodecProvider p : ServiceLoader.load(CodecProvider.class, getClass().getClassLoader())) {
      if (p.name().equals(codec().name())) {
        assertEquals(p.name(), p.create().name());
        found = true;
      }
    }
    assertTrue(found, "no CodecProvider named " + codec().name() + " in META-INF/services");
  }

  @Test
  void equalValuesEncodeToEqualBytesAcrossInstances() {
    Map<String, Object> value = new TreeMap<>(Map.of("b", List.of(1, 2), "a", "x", "c", true));
    Bytes first = codec().encode(value);
    for (int i = 0; i < 5; i++) {
      assertEquals(first, codec().encode(new TreeMap<>(value)));
    }
  }

  @Test
  void plainValuesRoundTrip() {
    Codec c = codec();
    assertEquals("text ü", c.decode(c.encode("text ü"), String.class));
    assertEquals(-7L, c.decode(c.encode(-7L), Long.class));
    assertEquals(List.of("a", "b"), c.decode(c.encode(List.of("a", "b")), List.class));
    assertEquals(Map.of("k", "v"), c.decode(c.encode(Map.of("k", "v")), Map.class));
  }

  @Test
  void failuresAreCodecExceptionsNamingTheType() {
    CodecException e =
        assertThrows(CodecException.class, () -> codec().decode(garbage(), Map.class));
    assertTrue(e.getMessage().contains("java.util.Map"), e.getMessage());
    assertThrows(NullPointerException.class, () -> codec().encode(null));
  }
}
