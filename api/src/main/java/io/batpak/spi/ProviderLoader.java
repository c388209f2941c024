package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.Spliterator;
import java.util.regex.Pattern;
import org.apiguardian.api.API;

/**
 * The one way batpak finds its service providers (store engines, codecs and filesystem backends):
 * discovery that never crashes and never guesses.
 *
 * <p>{@link #load(ProviderKind, ServiceLoader)} walks the providers one by one and instantiates
 * each. A provider that fails ({@link ServiceConfigurationError}: a missing class, a throwing
 * constructor, ...; or a {@link LinkageError}), whose {@code name()} throws, or whose name is not
 * short lowercase ASCII ({@value #NAME_SYNTAX}) becomes a broken {@link DiscoveredProvider} with
 * the reason; discovery goes on with the next one. The result, a {@link ProviderDiscovery}, then
 * selects strictly: broken providers, duplicate names and ties are refusals with a documented code
 * ({@code BATPAK-ENGINE-*}, {@code BATPAK-CODEC-*}, {@code BATPAK-FS-*} in {@code docs/errors.md})
 * whose message names every candidate and why, and what to add or remove.
 *
 * <p>The caller builds the {@link ServiceLoader} (with {@code ServiceLoader.load(Service.class,
 * SomeClass.class.getClassLoader())}), because on the module path the module that calls {@code
 * ServiceLoader.load} must declare {@code uses} for the service; so the loader works the same on
 * the class path and on the module path. The thread's context class loader is never used
 * implicitly.
 *
 * <p>Stateless and thread-safe. Nothing is cached: each call discovers afresh, since stores are
 * opened rarely and a cache would hide a provider that was added or repaired.
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class ProviderLoader {

  /** The syntax of a provider name, as a regular expression. */
  public static final String NAME_SYNTAX = "[a-z][a-z0-9-]{0,31}";

  static final Pattern NAME_PATTERN = Pattern.compile(NAME_SYNTAX);

  /** After this many load failures in a row of one discovery, it stops (a looping iterator). */
  private static final int MAX_LOAD_ERRORS = 1000;

  private ProviderLoader() {}

  /**
   * Discovers every provider {@code serviceLoader} yields.
   *
   * @param <S> the service interface
   * @param kind the kind of provider; its {@link ProviderKind#service()} is the service {@code
   *     serviceLoader} was built for
   * @param serviceLoader the service loader, built by the caller (whose module declares {@code
   *     uses})
   * @return every candidate, loaded or broken, in discovery order
   * @throws NullPointerException if an argument is null
   */
  public static <S extends NamedProvider> ProviderDiscovery<S> load(
      ProviderKind<S> kind, ServiceLoader<S> serviceLoader) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(serviceLoader, "serviceLoader");
    List<DiscoveredProvider<S>> found = new ArrayList<>();
    Spliterator<ServiceLoader.Provider<S>> providers = serviceLoader.stream().spliterator();
    int errors = 0;
    boolean more = true;
    while (more) {
      try {
        more =
            providers.tryAdvance(
                p -> {
                  String type = p.type().getName();
                  S instance;
                  try {
                    instance = p.get();
                  } catch (ServiceConfigurationError | LinkageError e) {
                    found.add(DiscoveredProvider.failed(type, e));
                    return;
                  }
                  found.add(DiscoveredProvider.of(instance, type));
                });
      } catch (ServiceConfigurationError | LinkageError e) {
        // ServiceLoader moves past the bad entry, so the next call goes on with the next provider.
        found.add(DiscoveredProvider.failed(DiscoveredProvider.UNKNOWN_CLASS, e));
        if (++errors >= MAX_LOAD_ERRORS) {
          more = false;
        }
      }
    }
    return new ProviderDiscovery<>(kind, found, noneNote(kind));
  }

  /**
   * Discovers the providers an iterable yields, treating a {@link ServiceConfigurationError} or
   * {@link LinkageError} from its iterator as one broken candidate (of unknown class) and going on;
   * for callers and tests that hold providers rather than a {@link ServiceLoader}.
   *
   * @param <S> the service interface
   * @param kind the kind of provider
   * @param providers the providers
   * @return every candidate, in iteration order
   * @throws NullPointerException if an argument or a provider is null
   */
  public static <S extends NamedProvider> ProviderDiscovery<S> of(
      ProviderKind<S> kind, Iterable<? extends S> providers) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(providers, "providers");
    List<DiscoveredProvider<S>> found = new ArrayList<>();
    Iterator<? extends S> it = providers.iterator();
    int errors = 0;
    while (true) {
      S p;
      try {
        if (!it.hasNext()) {
          break;
        }
        p = it.next();
      } catch (ServiceConfigurationError | LinkageError e) {
        found.add(DiscoveredProvider.failed(DiscoveredProvider.UNKNOWN_CLASS, e));
        if (++errors >= MAX_LOAD_ERRORS) {
          break;
        }
        continue;
      }
      Objects.requireNonNull(p, "provider");
      found.add(DiscoveredProvider.of(p, p.getClass().getName()));
    }
    return new ProviderDiscovery<>(kind, found, "the given provider list is empty");
  }

  /**
   * What a listing says when {@link ServiceLoader} found nothing.
   *
   * @param kind the kind of provider
   * @return {@code "ServiceLoader found no provider of <service>"}
   */
  static String noneNote(ProviderKind<?> kind) {
    return "ServiceLoader found no provider of " + kind.service().getName();
  }

  /**
   * A throwable and its causes as diagnostics quote them: {@code "java.lang.IllegalStateException:
   * boom; caused by ..."}, at most five levels.
   *
   * @param t the throwable
   * @return the description
   * @throws NullPointerException if {@code t} is null
   */
  public static String describe(Throwable t) {
    Objects.requireNonNull(t, "t");
    StringBuilder sb = new StringBuilder();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    Throwable cur = t;
    for (int depth = 0; cur != null && depth < 5 && seen.add(cur); depth++) {
      if (depth > 0) {
        sb.append("; caused by ");
      }
      sb.append(cur.getClass().getName());
      if (cur.getMessage() != null) {
        sb.append(": ").append(cur.getMessage());
      }
      cur = cur.getCause();
    }
    return sb.toString();
  }
}
