package io.batpak.port;

/**
 * A {@link java.util.ServiceLoader} service that makes a {@link Codec} available by name.
 * Implementations have a public no-argument constructor and do no work until {@link #create()}.
 *
 * @since 0.1
 */
public interface CodecProvider {

  /** The codec's name, equal to {@link Codec#name()} of what {@link #create()} returns. */
  String name();

  /** Creates the codec. */
  Codec create();
}
