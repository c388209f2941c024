package io.batpak.engine.internal.artifact;

/** Opens the envelope header's encoding to the format vectors in another package. */
public final class AuthorityFileHeaders {
  private AuthorityFileHeaders() {}

  /** The envelope header of a {@code kind} file whose body has this length and CRC32C. */
  public static byte[] of(AuthorityFile.Kind kind, long bodyLength, int bodyCrc) {
    return AuthorityFile.header(kind, bodyLength, bodyCrc);
  }
}
