package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Standard error counts as a terminal only when a console exists and, where the process's fd link
 * can be read (Linux {@code /proc/self/fd/2}), it points at a terminal device; {@code 2> log} with
 * a console is not a terminal. The links here are made in a temporary directory, so the test does
 * not depend on how the build itself was started.
 */
class TerminalTest {

  @TempDir Path tmp;

  private Path link(String name, String target) throws IOException {
    return Files.createSymbolicLink(tmp.resolve(name), Path.of(target));
  }

  @Test
  void aTerminalDeviceIsATerminal() throws IOException {
    assertTrue(Terminal.errIsTerminal(true, link("pts", "/dev/pts/3")));
    assertTrue(Terminal.errIsTerminal(true, link("tty", "/dev/tty1")));
    assertTrue(Terminal.errIsTerminal(true, link("console", "/dev/console")));
  }

  @Test
  void aRedirectedStandardErrorIsNotATerminalEvenWithAConsole() throws IOException {
    assertFalse(Terminal.errIsTerminal(true, link("file", tmp.resolve("verify.log").toString())));
    assertFalse(Terminal.errIsTerminal(true, link("pipe", "pipe:[123456]")));
    assertFalse(Terminal.errIsTerminal(true, link("null", "/dev/null")));
  }

  @Test
  void withoutAConsoleNothingIsATerminal() throws IOException {
    assertFalse(Terminal.errIsTerminal(false, link("pts", "/dev/pts/3")));
  }

  @Test
  void whereTheLinkCannotBeReadTheConsoleDecides() {
    Path missing = tmp.resolve("no-such-link");
    assertTrue(Terminal.errIsTerminal(true, missing));
    assertFalse(Terminal.errIsTerminal(false, missing));
  }
}
