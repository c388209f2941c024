package io.batpak.it.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.batpak.it.ChildJvm;
import io.batpak.it.TestClasspath;
import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Equal values encode to equal bytes across JVM runs, with every codec: a child JVM with other
 * identity hash codes ({@code -XX:hashCode=2}, so enum-keyed hash maps and sets iterate in another
 * order), another default time zone and locale (Turkish, whose case rules differ), and its maps and
 * sets filled in the opposite order, prints the same bytes as this JVM ({@link
 * CodecDeterminismChild}).
 */
class CodecDeterminismIT {

  @TempDir Path tmp;

  @Test
  void aChildJvmEncodesTheSameBytes() throws Exception {
    List<String> here = CodecDeterminismChild.lines(false);
    // The test would prove nothing if the inputs did not differ: the reverse fill changes them.
    assertNotEquals(
        CodecDeterminismChild.values(false).get("map").toString(),
        CodecDeterminismChild.values(true).get("map").toString());
    String classPath =
        TestClasspath.entries().stream()
            .map(Path::toString)
            .collect(Collectors.joining(File.pathSeparator));
    List<String> command =
        ChildJvm.java(
            "-XX:+UnlockExperimentalVMOptions",
            "-XX:hashCode=2",
            "-Duser.timezone=Asia/Kathmandu",
            "-Duser.language=tr",
            "-Duser.country=TR",
            "-Dfile.encoding=ISO-8859-1",
            "-cp",
            classPath,
            CodecDeterminismChild.class.getName(),
            "reverse");
    ChildJvm.Finished child = ChildJvm.run(command, null, tmp.resolve("child.txt"));
    assertEquals(0, child.exitCode(), child.output());
    // Only the value lines: a JVM may add warnings of its own to the output.
    List<String> there =
        child
            .output()
            .lines()
            .filter(l -> l.startsWith("json ") || l.startsWith("cbor "))
            .collect(Collectors.toList());
    assertEquals(here, there, "command: " + command + "\noutput:\n" + child.output());
  }
}
