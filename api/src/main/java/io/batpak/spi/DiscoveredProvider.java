package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.Objects;
import java.util.Optional;
import org.apiguardian.api.API;

/**
 * One candidate {@link ProviderLoader} found: a provider that loaded and reported a valid name, or
 * one that did not (its class was missing, its constructor threw, its {@code name()} threw or
 * returned an invalid name). Immutable; the provider instance itself is as thread-safe as its
 * service interface promises.
 *
 * @param <S> the service interface
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class DiscoveredProvider<S extends NamedProvider> {

  /** What {@link #providerClass()} says when loading failed before a class was known. */
  public static final String UNKNOWN_CLASS = "unknown class";

  private final S provider; // null when broken
  private final String providerClass;
  private final String name; // "" when broken
  private final Throwable error; // null unless loading threw
  private final String failure; // null when loaded

  private DiscoveredProvider(
      S provider, String providerClass, String name, Throwable error, String failure) {
    this.provider = provider;
    this.providerClass = providerClass;
    this.name = name;
    this.error = error;
    this.failure = failure;
  }

  /**
   * A candidate that failed with {@code error}.
   *
   * @param <S> the service interface
   * @param providerClass the provider's class name, or {@link #UNKNOWN_CLASS}
   * @param error what was thrown
   * @return the broken candidate
   * @throws NullPointerException if an argument is null
   */
  public static <S extends NamedProvider> DiscoveredProvider<S> failed(
      String providerClass, Throwable error) {
    Objects.requireNonNull(providerClass, "providerClass");
    Objects.requireNonNull(error, "error");
    return new DiscoveredProvider<>(
        null, providerClass, "", error, "failed to load: " + ProviderLoader.describe(error));
  }

  /**
   * Reads {@code provider}'s name; a throw or an invalid name makes the candidate broken.
   *
   * @param <S> the service interface
   * @param provider the provider instance
   * @param providerClass its class name as discovery saw it
   * @return the candidate
   * @throws NullPointerException if an argument is null
   */
  public static <S extends NamedProvider> DiscoveredProvider<S> of(
      S provider, String providerClass) {
    Objects.requireNonNull(provider, "provider");
    Objects.requireNonNull(providerClass, "providerClass");
    String name;
    try {
      name = provider.name();
    } catch (RuntimeException | LinkageError e) {
      return failed(providerClass, e);
    }
    if (name == null || !ProviderLoader.NAME_PATTERN.matcher(name).matches()) {
      return new DiscoveredProvider<>(
          null,
          providerClass,
          "",
          null,
          "failed to load: invalid name \""
              + name
              + "\"; a provider name is short lowercase ASCII matching "
              + ProviderLoader.NAME_SYNTAX);
    }
    return new DiscoveredProvider<>(provider, providerClass, name, null, null);
  }

  /**
   * Whether the provider loaded and has a valid name.
   *
   * @return true unless the candidate is broken
   */
  public boolean loaded() {
    return provider != null;
  }

  /**
   * The provider instance.
   *
   * @return the instance, or empty when the candidate is broken
   */
  public Optional<S> provider() {
    return Optional.ofNullable(provider);
  }

  /**
   * The provider's class name.
   *
   * @return the class name, or {@link #UNKNOWN_CLASS} when loading failed before it was known
   */
  public String providerClass() {
    return providerClass;
  }

  /**
   * The provider's name.
   *
   * @return the name, or empty when the candidate is broken
   */
  public String name() {
    return name;
  }

  /**
   * What was thrown while loading it.
   *
   * @return the error, or empty when it loaded or only its name was invalid
   */
  public Optional<Throwable> error() {
    return Optional.ofNullable(error);
  }

  /**
   * Why the candidate is broken, as diagnostics write it: {@code "failed to load:
   * java.util.ServiceConfigurationError: ..."} or {@code "failed to load: invalid name ..."}.
   *
   * @return the reason, or empty when it loaded
   */
  public Optional<String> failure() {
    return Optional.ofNullable(failure);
  }

  @Override
  public String toString() {
    return loaded() ? name + " (" + providerClass + ")" : providerClass + ": " + failure;
  }
}
