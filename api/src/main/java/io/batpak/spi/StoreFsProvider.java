package io.batpak.spi;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.port.StoreFs;
import java.io.IOException;
import org.apiguardian.api.API;

/**
 * A {@link java.util.ServiceLoader} service that makes a {@link StoreFs} backend available by name.
 * Declare implementations both in {@code module-info} ({@code provides}) and in {@code
 * META-INF/services/io.batpak.spi.StoreFsProvider}.
 *
 * <p>Implementations have a public no-argument constructor that does no I/O and loads no native
 * code; the class must load even when the backend's native library is absent, and {@link #probe()}
 * then explains why it is unavailable. Thread-safe.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public interface StoreFsProvider extends NamedProvider {

  /**
   * The backend's name: short lowercase ASCII matching {@code [a-z][a-z0-9-]{0,31}} ({@code posix},
   * {@code nio}, {@code sim}), unique among providers, and never changed once published, since
   * users select backends by it. The resolver reports a provider with an invalid name as broken.
   *
   * @return the name
   */
  @Override
  String name();

  /**
   * The priority in automatic selection: among auto-selectable providers whose probe passes, the
   * highest wins ({@code posix} 100, {@code nio} 50); two at the top are a tie, which the resolver
   * refuses rather than let the class path order decide.
   *
   * @return the priority
   */
  int priority();

  /**
   * Whether automatic selection may pick this provider; {@code sim} never is, and can only be
   * selected by name.
   *
   * @return whether the provider takes part in automatic selection
   */
  boolean autoSelectable();

  /**
   * Whether the backend works on this machine, and if not, why not (a missing native library, an
   * unsupported operating system). Never throws: catch {@link LinkageError}s such as {@link
   * UnsatisfiedLinkError} and report them as unavailable. May be called more than once and from
   * several threads; implementations may cache the answer.
   *
   * @return the result, with a reason either way
   */
  ProbeResult probe();

  /**
   * Opens the backend. Called only after {@link #probe()} passed.
   *
   * @param options backend-specific settings; unknown keys are ignored
   * @return a new backend instance, owned (and closed) by the caller
   * @throws IOException if it cannot be opened
   */
  StoreFs open(FsOptions options) throws IOException;
}
