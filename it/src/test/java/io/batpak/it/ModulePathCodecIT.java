package io.batpak.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, defect 13: typed JSON payloads on the module path. A child JVM runs a user's named
 * module ({@code com.example.orders}) with every batpak module, Jackson and their dependencies on
 * {@code --module-path}. Jackson ({@code tools.jackson.databind}) reads and writes records by
 * reflection, which the module system allows only into packages opened (or exported) to it. Three
 * module declarations of the same program:
 *
 * <ul>
 *   <li>nothing opened or exported: {@code appendTyped} and {@code get(id, Type)} fail with a
 *       {@code CodecException} naming the type, the package and the exact {@code opens} line;
 *   <li>{@code com.example.orders} opened, {@code com.example.orders.money} (the type of a record
 *       component) not: the message names the second package and its line;
 *   <li>both opened: every round trip works.
 * </ul>
 *
 * The program prints one line per attempt; every line is asserted in full. The module path comes
 * from {@code batpak.test.classpath}, never from {@code java.class.path}.
 */
class ModulePathCodecIT {

  private static final String MAIN =
      String.join(
          "\n",
          "package com.example.orders;",
          "",
          "import com.example.orders.money.Money;",
          "import io.batpak.AppendReceipt;",
          "import io.batpak.Bytes;",
          "import io.batpak.CodecException;",
          "import io.batpak.Coordinate;",
          "import io.batpak.EventKind;",
          "import io.batpak.EventType;",
          "import io.batpak.Store;",
          "import io.batpak.StoreConfig;",
          "import java.nio.file.Path;",
          "import java.util.function.Supplier;",
          "",
          "public final class Main {",
          "  @EventType(category = 1, typeId = 1)",
          "  public record OrderPlaced(String sku, int qty) {}",
          "",
          "  @EventType(category = 1, typeId = 2)",
          "  public record OrderPriced(String sku, Money price) {}",
          "",
          "  static final Coordinate C = Coordinate.of(\"order-1\", \"shop\");",
          "  static final EventKind K = EventKind.custom(1, 3);",
          "",
          "  public static void main(String[] args) {",
          "    try (Store s = Store.open(StoreConfig.builder(Path.of(args[0])).build())) {",
          "      System.out.println(\"codec: \" + s.openReport().codec());",
          "      attempt(\"appendTyped OrderPlaced\", () -> {",
          "        AppendReceipt r = s.appendTyped(C, new OrderPlaced(\"A-1\", 2));",
          "        return s.get(r.eventId(), OrderPlaced.class);",
          "      });",
          "      attempt(\"get OrderPlaced\", () -> {",
          "        AppendReceipt r = s.append(C, K, Bytes.utf8(\"{\\\"qty\\\":2,\\\"sku\\\":\\\"A-1\\\"}\"));",
          "        return s.get(r.eventId(), OrderPlaced.class);",
          "      });",
          "      attempt(\"appendTyped OrderPriced\", () -> {",
          "        AppendReceipt r = s.appendTyped(C, new OrderPriced(\"A-1\", new Money(250, \"EUR\")));",
          "        return s.get(r.eventId(), OrderPriced.class);",
          "      });",
          "      attempt(\"get OrderPriced\", () -> {",
          "        AppendReceipt r = s.append(C, K, Bytes.utf8(",
          "            \"{\\\"price\\\":{\\\"cents\\\":250,\\\"currency\\\":\\\"EUR\\\"},\\\"sku\\\":\\\"A-1\\\"}\"));",
          "        return s.get(r.eventId(), OrderPriced.class);",
          "      });",
          "    }",
          "  }",
          "",
          "  static void attempt(String what, Supplier<Object> action) {",
          "    try {",
          "      System.out.println(what + \": \" + action.get());",
          "    } catch (CodecException e) {",
          "      System.out.println(what + \": CodecException: \" + e.getMessage());",
          "    }",
          "  }",
          "}",
          "");

  private static final String MONEY =
      String.join(
          "\n",
          "package com.example.orders.money;",
          "",
          "public record Money(long cents, String currency) {}",
          "");

  private static final String OPEN_ORDERS = "  opens com.example.orders to tools.jackson.databind;";
  private static final String OPEN_MONEY =
      "  opens com.example.orders.money to tools.jackson.databind;";

  private static final String DOCS = " See docs/codecs.md#module-path";

  @TempDir Path tmp;

  @Test
  void aPackageNotOpenedToJacksonIsNamedWithTheLineToAdd() throws Exception {
    List<String> out = run("closed");
    String orders =
        "package com.example.orders of module com.example.orders is not open to"
            + " tools.jackson.databind, which reads and writes records and beans by reflection."
            + " Add this line to the module-info.java of com.example.orders: opens"
            + " com.example.orders to tools.jackson.databind;"
            + DOCS;
    assertEquals(
        List.of(
            "codec: json",
            "appendTyped OrderPlaced: CodecException: json codec cannot encode a value of type"
                + " com.example.orders.Main$OrderPlaced: "
                + orders,
            "get OrderPlaced: CodecException: json codec cannot decode 21 bytes as"
                + " com.example.orders.Main$OrderPlaced: "
                + orders,
            "appendTyped OrderPriced: CodecException: json codec cannot encode a value of type"
                + " com.example.orders.Main$OrderPriced: packages com.example.orders and"
                + " com.example.orders.money of module com.example.orders are not open to"
                + " tools.jackson.databind, which reads and writes records and beans by"
                + " reflection. Add these lines to the module-info.java of com.example.orders:"
                + " opens com.example.orders to tools.jackson.databind; opens"
                + " com.example.orders.money to tools.jackson.databind;"
                + DOCS,
            "get OrderPriced: CodecException: json codec cannot decode 52 bytes as"
                + " com.example.orders.Main$OrderPriced: packages com.example.orders and"
                + " com.example.orders.money of module com.example.orders are not open to"
                + " tools.jackson.databind, which reads and writes records and beans by"
                + " reflection. Add these lines to the module-info.java of com.example.orders:"
                + " opens com.example.orders to tools.jackson.databind; opens"
                + " com.example.orders.money to tools.jackson.databind;"
                + DOCS),
        out);
  }

  @Test
  void aComponentTypeInAPackageNotOpenedIsNamed() throws Exception {
    List<String> out = run("orders-open", OPEN_ORDERS);
    String money =
        "package com.example.orders.money of module com.example.orders is not open to"
            + " tools.jackson.databind, which reads and writes records and beans by reflection."
            + " Add this line to the module-info.java of com.example.orders: opens"
            + " com.example.orders.money to tools.jackson.databind;"
            + DOCS;
    assertEquals(
        List.of(
            "codec: json",
            "appendTyped OrderPlaced: OrderPlaced[sku=A-1, qty=2]",
            "get OrderPlaced: OrderPlaced[sku=A-1, qty=2]",
            "appendTyped OrderPriced: CodecException: json codec cannot encode a value of type"
                + " com.example.orders.Main$OrderPriced: "
                + money,
            "get OrderPriced: CodecException: json codec cannot decode 52 bytes as"
                + " com.example.orders.Main$OrderPriced: "
                + money),
        out);
  }

  @Test
  void withThePackagesOpenedEveryRoundTripWorks() throws Exception {
    List<String> out = run("open", OPEN_ORDERS, OPEN_MONEY);
    assertEquals(
        List.of(
            "codec: json",
            "appendTyped OrderPlaced: OrderPlaced[sku=A-1, qty=2]",
            "get OrderPlaced: OrderPlaced[sku=A-1, qty=2]",
            "appendTyped OrderPriced: OrderPriced[sku=A-1, price=Money[cents=250,"
                + " currency=EUR]]",
            "get OrderPriced: OrderPriced[sku=A-1, price=Money[cents=250, currency=EUR]]"),
        out);
  }

  /**
   * Compiles the program with {@code module-info.java} holding {@code lines}, runs it on the module
   * path against a new store, and returns what it printed.
   */
  private List<String> run(String name, String... lines) throws IOException, InterruptedException {
    Path api = TestClasspath.requireModule("api");
    Path root = Files.createDirectories(tmp.resolve(name));
    Path src = root.resolve("src");
    Path pkg = Files.createDirectories(src.resolve(Path.of("com", "example", "orders")));
    Path money = Files.createDirectories(pkg.resolve("money"));
    List<String> moduleInfo = new ArrayList<>();
    moduleInfo.add("module com.example.orders {");
    moduleInfo.add("  requires io.batpak.api;");
    moduleInfo.addAll(List.of(lines));
    moduleInfo.add("}");
    Files.write(src.resolve("module-info.java"), moduleInfo, StandardCharsets.UTF_8);
    Files.writeString(pkg.resolve("Main.java"), MAIN);
    Files.writeString(money.resolve("Money.java"), MONEY);
    Path classes = Files.createDirectories(root.resolve("classes"));
    // Jackson is on the compile module path too, as a build tool would put it, so the qualified
    // opens names a module javac can see.
    List<Path> jackson =
        List.of(
            TestClasspath.jar("jackson-databind"),
            TestClasspath.jar("jackson-core"),
            TestClasspath.jar("jackson-annotations"));

    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    List<String> javacArgs =
        List.of(
            "--release",
            "17",
            "-Xlint:all",
            "-Werror",
            "--module-path",
            Stream.of(
                    Stream.of(api),
                    jackson.stream(),
                    TestClasspath.compileOnlyAnnotations().stream())
                .flatMap(x -> x)
                .map(Path::toString)
                .collect(Collectors.joining(File.pathSeparator)),
            "-d",
            classes.toString(),
            src.resolve("module-info.java").toString(),
            pkg.resolve("Main.java").toString(),
            money.resolve("Money.java").toString());
    int compiled = javac.run(null, diagnostics, diagnostics, javacArgs.toArray(new String[0]));
    assertEquals(0, compiled, "javac failed: " + diagnostics.toString(StandardCharsets.UTF_8));

    List<Path> modulePath = new ArrayList<>();
    modulePath.add(classes);
    for (String module : List.of("api", "engine", "fs-spi", "fs-posix", "codec")) {
      modulePath.add(TestClasspath.requireModule(module));
    }
    modulePath.add(TestClasspath.jna());
    modulePath.addAll(jackson);
    // batpak-codec's cbor codec (issue 14) needs the CBOR format module at run time.
    modulePath.add(TestClasspath.jar("jackson-dataformat-cbor"));
    modulePath.add(TestClasspath.jar("bcprov-jdk18on"));

    List<String> command =
        ChildJvm.java(
            "--module-path",
            modulePath.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator)),
            "--module",
            "com.example.orders/com.example.orders.Main",
            root.resolve("store").toString());
    ChildJvm.Finished child = ChildJvm.run(command, null, root.resolve("child-output.txt"));
    String out = child.output();
    String context = "command: " + command + "\noutput:\n" + out;
    System.out.println(context);
    assertEquals(0, child.exitCode(), context);
    try (Stream<String> s = out.lines()) {
      return s.collect(Collectors.toList());
    }
  }
}
