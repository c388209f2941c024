package io.batpak;

import static org.apiguardian.api.API.Status.STABLE;

import org.apiguardian.api.API;

/**
 * What an append expects of its stream, for optimistic concurrency. A stream's version is the
 * stream sequence of its last event (the first event has sequence 0).
 *
 * <p>Immutable; safe to share between threads.
 *
 * @param kind the kind of expectation
 * @param version for {@link Kind#EXACTLY}, the version the stream must be at; otherwise -1
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public record ExpectedVersion(Kind kind, long version) {

  /** The kinds of expectation. */
  public enum Kind {
    /** No check. */
    ANY,
    /** The stream must have no events. */
    NO_STREAM,
    /** The stream's last event must have exactly this stream sequence. */
    EXACTLY
  }

  private static final ExpectedVersion ANY = new ExpectedVersion(Kind.ANY, -1);
  private static final ExpectedVersion NO_STREAM = new ExpectedVersion(Kind.NO_STREAM, -1);

  /** Validates that only {@code EXACTLY} carries a version, and that it is not negative. */
  public ExpectedVersion {
    if (kind == null) {
      throw new ValidationException("ExpectedVersion kind must not be null");
    }
    if (kind == Kind.EXACTLY && version < 0) {
      throw new ValidationException(
          "ExpectedVersion.exactly(" + version + "): a version is a stream sequence, 0 or more");
    }
    if (kind != Kind.EXACTLY && version != -1) {
      throw new ValidationException("only ExpectedVersion.exactly carries a version");
    }
  }

  /** No check. */
  public static ExpectedVersion any() {
    return ANY;
  }

  /** The stream must be empty. */
  public static ExpectedVersion noStream() {
    return NO_STREAM;
  }

  /** The stream's last event must have stream sequence {@code version}. */
  public static ExpectedVersion exactly(long version) {
    return new ExpectedVersion(Kind.EXACTLY, version);
  }

  /** Whether a stream whose next sequence is {@code nextSequence} satisfies this expectation. */
  public boolean matches(long nextSequence) {
    switch (kind) {
      case NO_STREAM:
        return nextSequence == 0;
      case EXACTLY:
        return nextSequence == version + 1;
      default:
        return true;
    }
  }

  @Override
  public String toString() {
    switch (kind) {
      case NO_STREAM:
        return "no stream";
      case EXACTLY:
        return "version " + version;
      default:
        return "any version";
    }
  }
}
