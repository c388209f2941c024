package io.batpak.cli;

/** A command line that cannot be run as given; exit code {@value Main#USAGE}. */
final class UsageException extends Exception {
  private static final long serialVersionUID = 1L;

  UsageException(String message) {
    super(message);
  }
}
