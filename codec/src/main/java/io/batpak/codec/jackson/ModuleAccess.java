package io.batpak.codec.jackson;

import java.lang.reflect.GenericArrayType;
import java.lang.reflect.InaccessibleObjectException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.lang.reflect.WildcardType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * Explains a Jackson failure that the module system caused: on the module path, Jackson ({@code
 * tools.jackson.databind}) may read and write a record or bean by reflection only when the type's
 * package is opened (or, for public members, exported) to it. Without that, Jackson fails with an
 * {@link IllegalAccessException} or {@link InaccessibleObjectException} somewhere in the cause
 * chain, and a message about "public accessors" would send the user the wrong way.
 *
 * <p>Stateless and thread-safe.
 */
final class ModuleAccess {

  private static final Module JACKSON = ObjectMapper.class.getModule();

  private static final String DOCS = "docs/codecs.md#module-path";

  private ModuleAccess() {}

  /**
   * If {@code failure} is an access failure of the module system, what to add to which {@code
   * module-info.java}: the packages of {@code type}, of the classes on the failure's path and of
   * the types reachable through record components, that are in a named module of the application
   * and not open to Jackson. Empty otherwise.
   */
  static Optional<String> explain(Class<?> type, RuntimeException failure) {
    if (!isAccessFailure(failure)) {
      return Optional.empty();
    }
    Set<Class<?>> seen = new HashSet<>();
    List<Class<?>> classes = new ArrayList<>();
    walk(type, seen, classes);
    if (failure instanceof JacksonException je) {
      for (JacksonException.Reference ref : je.getPath()) {
        Object from = ref.from();
        if (from != null) {
          walk(from instanceof Class<?> c ? c : from.getClass(), seen, classes);
        }
      }
    }
    Map<Module, Set<String>> closed = new LinkedHashMap<>();
    for (Class<?> c : classes) {
      Module m = c.getModule();
      String pkg = c.getPackageName();
      if (m.isNamed() && !m.isOpen(pkg, JACKSON)) {
        closed.computeIfAbsent(m, k -> new LinkedHashSet<>()).add(pkg);
      }
    }
    if (closed.isEmpty()) {
      return Optional.empty();
    }
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<Module, Set<String>> e : closed.entrySet()) {
      List<String> packages = List.copyOf(e.getValue());
      String module = e.getKey().getName();
      boolean one = packages.size() == 1;
      sb.append(one ? "package " : "packages ")
          .append(and(packages))
          .append(" of module ")
          .append(module)
          .append(one ? " is" : " are")
          .append(" not open to ")
          .append(
              JACKSON.isNamed()
                  ? JACKSON.getName()
                  : "Jackson (which is on the class path, in the unnamed module)")
          .append(", which reads and writes records and beans by reflection. Add ")
          .append(one ? "this line" : "these lines")
          .append(" to the module-info.java of ")
          .append(module)
          .append(":");
      for (String pkg : packages) {
        sb.append(" opens ").append(pkg);
        if (JACKSON.isNamed()) {
          sb.append(" to ").append(JACKSON.getName());
        }
        sb.append(';');
      }
      sb.append(' ');
    }
    return Optional.of(sb.append("See ").append(DOCS).toString());
  }

  private static boolean isAccessFailure(Throwable t) {
    Set<Throwable> seen = new HashSet<>();
    for (Throwable c = t; c != null && seen.add(c); c = c.getCause()) {
      if (c instanceof IllegalAccessException || c instanceof InaccessibleObjectException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Adds {@code c} (or an array's element class) when it belongs to the application (not the JDK),
   * and for a record, the classes its components mention, recursively.
   */
  private static void walk(Class<?> c, Set<Class<?>> seen, List<Class<?>> out) {
    while (c.isArray()) {
      c = c.getComponentType();
    }
    if (c.isPrimitive() || isJdk(c) || !seen.add(c)) {
      return;
    }
    out.add(c);
    if (c.isRecord()) {
      for (RecordComponent rc : c.getRecordComponents()) {
        walkType(rc.getGenericType(), seen, out);
      }
    }
  }

  private static void walkType(Type t, Set<Class<?>> seen, List<Class<?>> out) {
    if (t instanceof Class<?> c) {
      walk(c, seen, out);
    } else if (t instanceof ParameterizedType p) {
      walkType(p.getRawType(), seen, out);
      for (Type arg : p.getActualTypeArguments()) {
        walkType(arg, seen, out);
      }
    } else if (t instanceof WildcardType w) {
      for (Type bound : w.getUpperBounds()) {
        walkType(bound, seen, out);
      }
    } else if (t instanceof GenericArrayType g) {
      walkType(g.getGenericComponentType(), seen, out);
    }
    // Type variables say nothing about the classes a value will have; their values are found on
    // the failure's path instead.
  }

  /** Classes of the JDK: Jackson handles them without reflection into their packages. */
  private static boolean isJdk(Class<?> c) {
    ClassLoader loader = c.getClassLoader();
    return loader == null || loader == ClassLoader.getPlatformClassLoader();
  }

  /** "a", "a and b", "a, b and c". */
  private static String and(List<String> items) {
    if (items.size() == 1) {
      return items.get(0);
    }
    return String.join(", ", items.subList(0, items.size() - 1))
        + " and "
        + items.get(items.size() - 1);
  }
}
