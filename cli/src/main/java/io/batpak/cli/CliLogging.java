package io.batpak.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * The command line's logging. batpak logs through {@code System.Logger}, which reaches {@code
 * java.util.logging} in the command-line jar; the JDK's default prints every {@code INFO} record as
 * two lines with a timestamp, between the command's own report lines. The command line prints one
 * line per record on stderr instead, at {@code WARNING} and above, and the environment variable
 * {@value #VARIABLE} chooses another level ({@code off}, {@code error}, {@code warning}, {@code
 * info}, {@code debug}). A {@code java.util.logging} configuration given to the JVM ({@code
 * -Djava.util.logging.config.file} or {@code .class}) is left alone: the user's own setup wins.
 */
final class CliLogging {

  /** The environment variable that sets the level. */
  static final String VARIABLE = "BATPAK_LOG";

  private static final String[] NAMES = {"off", "error", "warning", "info", "debug"};
  private static final Level[] LEVELS = {
    Level.OFF, Level.SEVERE, Level.WARNING, Level.INFO, Level.FINE
  };

  /** Held, so that the level set on it is not lost with a collected logger. */
  private static final Logger BATPAK = Logger.getLogger("io.batpak");

  private CliLogging() {}

  /**
   * The level {@code value} of {@value #VARIABLE} names; {@code null} or blank is {@code warning}.
   *
   * @throws UsageException naming the value and the levels there are, when it names none
   */
  static Level level(String value) throws UsageException {
    if (value == null || value.isBlank()) {
      return Level.WARNING;
    }
    String name = value.strip().toLowerCase(Locale.ROOT);
    for (int i = 0; i < NAMES.length; i++) {
      if (NAMES[i].equals(name)) {
        return LEVELS[i];
      }
    }
    throw new UsageException(
        VARIABLE
            + "="
            + value
            + " is not a log level; use one of "
            + String.join(", ", NAMES)
            + " (or unset it for warning)");
  }

  /** The name SLF4J's {@code slf4j-simple} (Ratis's logging) gives {@code level}. */
  static String slf4jName(Level level) {
    if (level == Level.OFF) {
      return "off";
    }
    if (level == Level.SEVERE) {
      return "error";
    }
    if (level == Level.WARNING) {
      return "warn";
    }
    return level == Level.INFO ? "info" : "debug";
  }

  /**
   * Sends every {@code java.util.logging} record at {@code level} or above to {@code err}, one line
   * each (a thrown exception follows with its stack trace), unless the JVM was given a logging
   * configuration of its own.
   */
  static void install(Level level, PrintStream err) {
    if (System.getProperty("java.util.logging.config.file") != null
        || System.getProperty("java.util.logging.config.class") != null) {
      return;
    }
    Logger root = Logger.getLogger("");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Handler handler =
        new StreamHandler(err, new OneLine()) {
          @Override
          public synchronized void publish(LogRecord record) {
            super.publish(record);
            flush();
          }

          /**
           * Flushes only: {@code err} is the command's own stderr, which must outlive the handler
           * ({@code LogManager} closes every handler when the JVM begins to shut down, while {@code
           * serve}'s shutdown hook still reports on {@code err}).
           */
          @Override
          public synchronized void close() {
            flush();
          }
        };
    handler.setLevel(level);
    root.addHandler(handler);
    root.setLevel(level.intValue() > Level.WARNING.intValue() ? level : Level.WARNING);
    BATPAK.setLevel(level);
  }

  /** {@code batpak: WARNING StoreOpener: message}, and the stack trace of a thrown exception. */
  static final class OneLine extends Formatter {
    @Override
    public String format(LogRecord record) {
      String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
      StringBuilder b =
          new StringBuilder("batpak: ")
              .append(record.getLevel().getName())
              .append(' ')
              .append(logger.substring(logger.lastIndexOf('.') + 1))
              .append(": ")
              .append(formatMessage(record))
              .append(System.lineSeparator());
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        record.getThrown().printStackTrace(new PrintWriter(trace));
        b.append(trace);
      }
      return b.toString();
    }
  }
}
