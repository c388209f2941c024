package io.batpak.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.logging.Level;
import java.util.logging.LogManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CliLoggingTest {

  @AfterEach
  void restoreTheJdkDefaults() throws IOException {
    LogManager.getLogManager().readConfiguration();
  }

  @Test
  void theLevelIsNamedByTheVariableAndDefaultsToWarning() throws UsageException {
    assertEquals(Level.WARNING, CliLogging.level(null));
    assertEquals(Level.WARNING, CliLogging.level(" "));
    assertEquals(Level.OFF, CliLogging.level("off"));
    assertEquals(Level.SEVERE, CliLogging.level("ERROR"));
    assertEquals(Level.INFO, CliLogging.level(" info "));
    assertEquals(Level.FINE, CliLogging.level("debug"));
    assertEquals("warn", CliLogging.slf4jName(CliLogging.level("warning")));
    assertEquals("debug", CliLogging.slf4jName(Level.FINE));
  }

  @Test
  void anUnknownLevelIsAUsageErrorNamingTheValueAndTheLevels() {
    UsageException e = assertThrows(UsageException.class, () -> CliLogging.level("verbose"));
    assertEquals(
        "BATPAK_LOG=verbose is not a log level; use one of off, error, warning, info, debug"
            + " (or unset it for warning)",
        e.getMessage());
  }

  @Test
  void recordsBelowTheLevelAreDroppedAndTheOthersTakeOneLine() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CliLogging.install(Level.WARNING, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    System.Logger opener = System.getLogger("io.batpak.engine.internal.StoreOpener");
    opener.log(System.Logger.Level.INFO, "/tmp/x has no lock file");
    opener.log(System.Logger.Level.WARNING, "visibility.ranges was rewritten");
    System.getLogger("io.batpak.engine.internal.commit.Committer")
        .log(System.Logger.Level.ERROR, "store poisoned", new IllegalStateException("fsync"));

    String[] lines = bytes.toString(StandardCharsets.UTF_8).split(System.lineSeparator());
    assertEquals("batpak: WARNING StoreOpener: visibility.ranges was rewritten", lines[0]);
    assertEquals("batpak: SEVERE Committer: store poisoned", lines[1]);
    assertEquals("java.lang.IllegalStateException: fsync", lines[2]);
    assertTrue(lines[3].strip().startsWith("at "), lines[3]);
  }

  @Test
  void closingTheHandlerLeavesTheCommandsStderrOpen() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    CliLogging.install(Level.WARNING, err);
    LogManager.getLogManager().reset(); // what the JVM's shutdown does to every handler

    err.println("batpak serve n1: stopped cleanly"); // what serve's shutdown hook prints then
    assertFalse(err.checkError(), "the handler closed the command's stderr");
    assertEquals(
        "batpak serve n1: stopped cleanly" + System.lineSeparator(),
        bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void debugIsBatpaksOnlyOtherLibrariesStayAtWarning() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CliLogging.install(Level.FINE, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    System.getLogger("com.sun.jna.Native").log(System.Logger.Level.DEBUG, "looking for a library");
    System.getLogger("io.grpc.netty").log(System.Logger.Level.INFO, "channel opened");
    System.getLogger("io.batpak.engine.internal.StoreOpener")
        .log(System.Logger.Level.DEBUG, "opened /tmp/x");

    assertEquals(
        "batpak: FINE StoreOpener: opened /tmp/x" + System.lineSeparator(),
        bytes.toString(StandardCharsets.UTF_8));
  }
}
