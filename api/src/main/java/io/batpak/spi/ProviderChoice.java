package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import io.batpak.ProviderException;
import java.util.List;
import java.util.Objects;
import org.apiguardian.api.API;

/**
 * The outcome of a selection by {@link ProviderDiscovery}: a provider was {@link Chosen}, or the
 * selection was {@link Refused} with a coded diagnostic. Either way every candidate has a {@link
 * ProviderVerdict}. Immutable and thread-safe.
 *
 * @param <S> the service interface
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public sealed interface ProviderChoice<S extends NamedProvider>
    permits ProviderChoice.Chosen, ProviderChoice.Refused {

  /**
   * Every candidate with what happened to it: loaded ones sorted by name and class, broken ones
   * after them in discovery order.
   *
   * @return the verdicts
   */
  List<ProviderVerdict> verdicts();

  /**
   * The chosen provider, or the refusal as an exception.
   *
   * @return the chosen provider
   * @throws ProviderException if the selection was refused; its message is {@link
   *     Refused#message()}
   */
  S orThrow();

  /**
   * A provider was chosen.
   *
   * @param <S> the service interface
   * @param provider the chosen provider
   * @param name its name
   * @param verdicts every candidate's verdict
   * @since 0.1
   */
  record Chosen<S extends NamedProvider>(S provider, String name, List<ProviderVerdict> verdicts)
      implements ProviderChoice<S> {

    /**
     * Validates the components and copies the verdicts.
     *
     * @param provider the chosen provider
     * @param name its name
     * @param verdicts every candidate's verdict
     * @throws NullPointerException if a component or a verdict is null
     */
    public Chosen {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(name, "name");
      verdicts = List.copyOf(verdicts);
    }

    @Override
    public S orThrow() {
      return provider;
    }
  }

  /**
   * No provider was chosen.
   *
   * @param <S> the service interface
   * @param kind the kind of provider
   * @param reason why
   * @param message the diagnostic: starts with {@link #code()}, lists every candidate with its
   *     verdict, says what to do (often: which artifact to add) and ends with the {@code
   *     docs/errors.md} anchor
   * @param verdicts every candidate's verdict
   * @param errors what the broken candidates threw, in discovery order; empty unless some failed
   * @since 0.1
   */
  record Refused<S extends NamedProvider>(
      ProviderKind<S> kind,
      Refusal reason,
      String message,
      List<ProviderVerdict> verdicts,
      List<Throwable> errors)
      implements ProviderChoice<S> {

    /**
     * Validates the components and copies the lists.
     *
     * @param kind the kind of provider
     * @param reason why
     * @param message the diagnostic
     * @param verdicts every candidate's verdict
     * @param errors what broken candidates threw
     * @throws NullPointerException if a component or an element is null
     */
    public Refused {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(message, "message");
      verdicts = List.copyOf(verdicts);
      errors = List.copyOf(errors);
    }

    /**
     * The documented code, for example {@code "BATPAK-CODEC-004"}.
     *
     * @return {@code kind().code(reason())}
     */
    public String code() {
      return kind.code(reason);
    }

    /**
     * The refusal as an exception: the message, the first error as its cause and the others as
     * suppressed exceptions, so no {@link java.util.ServiceConfigurationError} is swallowed.
     *
     * @return a new exception, not thrown
     */
    public ProviderException toException() {
      ProviderException e = new ProviderException(message, errors.isEmpty() ? null : errors.get(0));
      for (int i = 1; i < errors.size(); i++) {
        e.addSuppressed(errors.get(i));
      }
      return e;
    }

    @Override
    public S orThrow() {
      throw toException();
    }
  }
}
