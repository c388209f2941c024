package io.batpak.fs.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The child program's argument handling and diagnostics (no backend is on this class path). */
class LockHolderTest {

  private static String[] run(String... args) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    int status = LockHolder.run(args, out, new ByteArrayInputStream(new byte[0]));
    return new String[] {Integer.toString(status), bytes.toString(StandardCharsets.UTF_8).trim()};
  }

  @Test
  void tooFewArgumentsIsAnError() {
    String[] r = run("nio", "/tmp/x");
    assertEquals("2", r[0]);
    assertTrue(r[1].startsWith(LockHolder.ERROR + " usage:"), r[1]);
  }

  @Test
  void unknownModeIsAnError() {
    String[] r = run("nio", "/tmp/x", "BOTH");
    assertEquals("2", r[0]);
    assertEquals(LockHolder.ERROR + " unknown lock mode BOTH", r[1]);
  }

  @Test
  void malformedOptionIsAnError() {
    String[] r = run("nio", "/tmp/x", "EXCLUSIVE", "novalue");
    assertEquals("2", r[0]);
    assertEquals(LockHolder.ERROR + " option is not key=value: novalue", r[1]);
  }

  @Test
  void unknownProviderIsNamedWithTheOnesFound() {
    String[] r = run("nope", "/tmp/x", "EXCLUSIVE");
    assertEquals("2", r[0]);
    assertEquals(LockHolder.ERROR + " no StoreFsProvider named nope; found []", r[1]);
  }
}
