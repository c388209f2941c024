package io.batpak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The nulls rule for the API's static factories ({@link Bytes#utf8}, {@link Coordinate#of}, ...): a
 * null argument throws {@link NullPointerException} whose message names the parameter, never the
 * JDK's own message from deeper inside ("Cannot invoke ... because ... is null").
 */
class StaticNullsTest {

  @Test
  void everyPublicStaticFactoryRefusesNullByName() throws Exception {
    List<String> leaks = new ArrayList<>();
    for (Class<?> type : apiClasses()) {
      for (Method m : type.getMethods()) {
        if (!Modifier.isStatic(m.getModifiers())
            || m.getDeclaringClass() != type
            || m.getParameterCount() == 0) {
          continue;
        }
        Class<?>[] params = m.getParameterTypes();
        for (int i = 0; i < params.length; i++) {
          if (params[i].isPrimitive()) {
            continue;
          }
          Object[] args = new Object[params.length];
          for (int j = 0; j < params.length; j++) {
            args[j] = params[j].isPrimitive() ? zero(params[j]) : null;
          }
          try {
            m.invoke(null, args);
          } catch (InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof NullPointerException
                && (t.getMessage() == null || t.getMessage().startsWith("Cannot "))) {
              leaks.add(m + ": " + t.getMessage());
            }
          } catch (IllegalAccessException | IllegalArgumentException e) {
            // not callable this way
          }
          break; // every reference argument is null: the first one checked must be named
        }
      }
    }
    assertEquals(List.of(), leaks);
  }

  private static Object zero(Class<?> p) {
    if (p == boolean.class) {
      return false;
    }
    if (p == char.class) {
      return (char) 0;
    }
    if (p == long.class) {
      return 0L;
    }
    if (p == double.class) {
      return 0d;
    }
    if (p == float.class) {
      return 0f;
    }
    if (p == byte.class) {
      return (byte) 0;
    }
    if (p == short.class) {
      return (short) 0;
    }
    return 0;
  }

  /** The public top-level classes of package io.batpak in this module's output. */
  private static List<Class<?>> apiClasses() throws IOException, URISyntaxException {
    Path dir =
        Path.of(Bytes.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .resolve("io/batpak");
    List<Class<?>> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        String n = f.getFileName().toString();
        if (!n.endsWith(".class") || n.contains("$")) {
          continue;
        }
        try {
          Class<?> c = Class.forName("io.batpak." + n.substring(0, n.length() - 6));
          if (Modifier.isPublic(c.getModifiers())) {
            out.add(c);
          }
        } catch (ClassNotFoundException e) {
          throw new AssertionError(e);
        }
      }
    }
    return out;
  }
}
