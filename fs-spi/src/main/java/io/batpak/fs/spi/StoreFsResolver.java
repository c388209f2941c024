package io.batpak.fs.spi;

import static org.apiguardian.api.API.Status.STABLE;

import io.batpak.ProviderException;
import io.batpak.port.StoreFs;
import io.batpak.spi.FsOptions;
import io.batpak.spi.ProviderDiscovery;
import io.batpak.spi.ProviderKind;
import io.batpak.spi.ProviderLoader;
import io.batpak.spi.StoreFsProvider;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Chooses the {@link StoreFs} backend of a store, in the order docs/architecture.md fixes:
 *
 * <ol>
 *   <li>a {@code StoreFs} instance passed in wins, and nothing is discovered ({@link
 *       #resolve(StoreFs)});
 *   <li>else an explicit backend name: the {@code name} argument, or, when that is {@code null},
 *       the system property {@value #BACKEND_PROPERTY} (meant for test runs, to run a suite against
 *       another backend; a blank value counts as unset);
 *   <li>else the highest-priority {@linkplain StoreFsProvider#autoSelectable() auto-selectable}
 *       provider whose {@linkplain StoreFsProvider#probe() probe} passes.
 * </ol>
 *
 * <p>Providers are found by {@link ProviderLoader} with {@code
 * ServiceLoader.load(StoreFsProvider.class, classLoader)} over the class loader the caller passes;
 * the thread's context class loader is never used implicitly, and the order of the class path never
 * decides anything. Every provider found is instantiated (providers do no I/O in their
 * constructors) so its name is known; probes run only where the decision needs them, highest
 * priority first. This class is the entry point; the selection and the texts of its diagnostics
 * live in package-private rooms beside it.
 *
 * <h2>Failures</h2>
 *
 * Every failure is a {@link ProviderException} whose message starts with a stable code, explained
 * in {@code docs/errors.md}, and lists every candidate with the reason it was chosen or skipped:
 *
 * <ul>
 *   <li>{@value #NO_BACKEND}: no auto-selectable provider passed its probe (including: no provider
 *       at all);
 *   <li>{@value #UNKNOWN_NAME}: no provider has the requested name; the message lists the names
 *       that exist and the artifact that adds the default backends ({@value
 *       #DEFAULT_BACKENDS_ARTIFACT});
 *   <li>{@value #TIE}: two or more auto-selectable providers passed their probes at the same top
 *       priority;
 *   <li>{@value #DUPLICATE_NAME}: two providers claim one name (both classes are named);
 *   <li>{@value #BROKEN_PROVIDER}: a provider failed to load ({@link ServiceConfigurationError}: a
 *       missing class, a throwing constructor, ...; or a {@link LinkageError}), or has an invalid
 *       name. The error is never swallowed: it is listed, and attached as the exception's cause
 *       (further ones as suppressed exceptions);
 *   <li>{@value #NAMED_UNAVAILABLE}: the provider chosen by name failed its probe.
 * </ul>
 *
 * A broken provider or a duplicate name fails every discovery, even when another provider would be
 * usable: a store must not quietly run on whatever happens to load.
 *
 * <h2>Logging</h2>
 *
 * When automatic selection falls back, that is, chooses a backend because one of higher priority
 * failed its probe (typically {@code nio} because {@code posix} has no JNA), the resolver logs
 * {@link Resolution#fallback()} through {@link System.Logger} (logger name: this class's name) at
 * {@link System.Logger.Level#WARNING WARNING}, once per distinct message in a process, not on every
 * open. A backend chosen by name is never a fallback and is not logged.
 *
 * <p><b>Thread-safety.</b> Safe for concurrent use. Discovery runs afresh on every call; stores are
 * opened rarely, and a cache would hide a provider whose probe result changed. The only state is
 * the set of fallback messages already logged.
 *
 * @since 0.1
 */
@API(status = STABLE, since = "0.1")
public final class StoreFsResolver {

  /** The system property that names a backend when the caller names none; for test runs. */
  public static final String BACKEND_PROPERTY = "batpak.fs.backend";

  /** The artifact that adds the default backends {@code posix} and {@code nio}. */
  public static final String DEFAULT_BACKENDS_ARTIFACT = "io.batpak:batpak-fs-posix";

  /** The artifact that adds the simulated backend {@code sim}. */
  public static final String SIM_ARTIFACT = "io.batpak:batpak-fs-sim";

  /** Diagnostic code: no auto-selectable provider passed its probe. */
  public static final String NO_BACKEND = "BATPAK-FS-001";

  /** Diagnostic code: no provider has the requested name. */
  public static final String UNKNOWN_NAME = "BATPAK-FS-002";

  /** Diagnostic code: several usable providers share the top priority. */
  public static final String TIE = "BATPAK-FS-003";

  /** Diagnostic code: two providers claim one name. */
  public static final String DUPLICATE_NAME = "BATPAK-FS-004";

  /** Diagnostic code: a provider failed to load or has an invalid name. */
  public static final String BROKEN_PROVIDER = "BATPAK-FS-005";

  /** Diagnostic code: the provider chosen by name failed its probe. */
  public static final String NAMED_UNAVAILABLE = "BATPAK-FS-006";

  private static final System.Logger LOG = System.getLogger(StoreFsResolver.class.getName());

  /**
   * Beyond this many distinct fallback messages (probe reasons that keep changing), each further
   * one is logged without being remembered, so the set stays small and no warning is lost.
   */
  private static final int MAX_REMEMBERED_FALLBACKS = 64;

  /** Fallback messages already logged in this process: each is logged once, not per open. */
  private static final Set<String> LOGGED_FALLBACKS = ConcurrentHashMap.newKeySet();

  private StoreFsResolver() {}

  /**
   * How the backend was chosen.
   *
   * @since 0.1
   */
  public enum Source {
    /** A {@link StoreFs} instance was passed in; nothing was discovered. */
    INSTANCE,
    /** The caller named the backend. */
    NAME,
    /** The system property {@value StoreFsResolver#BACKEND_PROPERTY} named the backend. */
    SYSTEM_PROPERTY,
    /** Automatic selection by priority and probe. */
    AUTOMATIC
  }

  /**
   * What happened to one candidate during resolution.
   *
   * @since 0.1
   */
  public enum Verdict {
    /** Chosen (or, in a failure caused by another provider, the one that would have been). */
    CHOSEN,
    /** Skipped by automatic selection because it is not auto-selectable. */
    NOT_AUTO_SELECTABLE,
    /** Its probe failed (or threw). */
    PROBE_FAILED,
    /** Not probed because a provider of higher priority was usable. */
    LOWER_PRIORITY,
    /** Skipped because another name was requested. */
    NOT_REQUESTED,
    /** Usable, but another usable provider has the same top priority. */
    TIED,
    /** Another provider claims the same name. */
    DUPLICATE_NAME,
    /** Failed to load, to instantiate, or to report a valid name. */
    FAILED_TO_LOAD
  }

  /**
   * One provider found (or that failed to load) during resolution, with the reason it was chosen or
   * skipped.
   *
   * @param name the provider's name; empty when it failed before its name was known
   * @param providerClass the provider's class name, or {@code "unknown class"} when loading failed
   *     before a class was known (the detail then quotes {@link ServiceLoader}'s message)
   * @param priority the provider's priority; 0 when unknown
   * @param autoSelectable whether the provider may be auto-selected; false when unknown
   * @param verdict what happened to it
   * @param detail why, as written in diagnostics (for example {@code "skipped: probe failed:
   *     libc.so.6 not found"})
   * @since 0.1
   */
  public record Candidate(
      String name,
      String providerClass,
      int priority,
      boolean autoSelectable,
      Verdict verdict,
      String detail) {

    /**
     * Validates that every component is present.
     *
     * @param name the provider's name, or empty
     * @param providerClass the provider's class name
     * @param priority the provider's priority
     * @param autoSelectable whether the provider may be auto-selected
     * @param verdict what happened to it
     * @param detail why
     * @throws NullPointerException if a component is null
     */
    public Candidate {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(providerClass, "providerClass");
      Objects.requireNonNull(verdict, "verdict");
      Objects.requireNonNull(detail, "detail");
    }

    /**
     * The candidate as one diagnostic line: {@code "posix (io.batpak.fs.posix.PosixStoreFsProvider,
     * priority 100): chosen: probe passed: ..."}, or {@code "<class>: failed to load: ..."} when
     * the name is unknown.
     *
     * @return the line, without indentation or line break
     */
    public String describe() {
      if (name.isEmpty()) {
        return providerClass + ": " + detail;
      }
      return name + " (" + providerClass + ", priority " + priority + "): " + detail;
    }
  }

  /**
   * The chosen backend and why, for the store's open report. Immutable and safe to share between
   * threads; the provider is the instance discovery created.
   *
   * @param provider the chosen provider; for {@link Source#INSTANCE} an adapter whose {@link
   *     StoreFsProvider#open open} returns the instance passed in
   * @param source how it was chosen
   * @param explanation which backend was chosen and why, with every candidate; several lines
   *     separated by {@code '\n'}
   * @param candidates every candidate, the chosen one included; empty for {@link Source#INSTANCE}
   * @since 0.1
   */
  public record Resolution(
      StoreFsProvider provider, Source source, String explanation, List<Candidate> candidates) {

    /**
     * Validates the components and copies the candidates.
     *
     * @param provider the chosen provider
     * @param source how it was chosen
     * @param explanation which backend was chosen and why
     * @param candidates every candidate
     * @throws NullPointerException if a component or a candidate is null
     */
    public Resolution {
      Objects.requireNonNull(provider, "provider");
      Objects.requireNonNull(source, "source");
      Objects.requireNonNull(explanation, "explanation");
      candidates = List.copyOf(candidates);
    }

    /**
     * The chosen backend's name.
     *
     * @return {@code provider().name()}
     */
    public String name() {
      return provider.name();
    }

    /**
     * Opens the chosen backend; for {@link Source#INSTANCE}, returns the instance passed in.
     *
     * @param options backend settings
     * @return the backend
     * @throws IOException if the provider cannot open it
     * @throws ProviderException ({@value #BROKEN_PROVIDER}) if the backend the provider opened
     *     names itself differently ({@link StoreFs#name()} must be its provider's name: the open
     *     report and the logs name it); the backend is closed
     */
    public StoreFs open(FsOptions options) throws IOException {
      StoreFs fs = provider.open(options);
      if (source != Source.INSTANCE && !provider.name().equals(fs.name())) {
        String named = fs.name();
        fs.close();
        throw new ProviderException(
            BROKEN_PROVIDER
                + " filesystem backend provider "
                + provider.name()
                + " ("
                + provider.getClass().getName()
                + ") opened a backend ("
                + fs.getClass().getName()
                + ") whose name() is \""
                + named
                + "\": a backend's name() must be its provider's name, \""
                + provider.name()
                + "\", since the open report and the logs name it. Fix: override name() in "
                + fs.getClass().getName()
                + " (a ForwardingStoreFs forwards its delegate's name). See"
                + " docs/errors.md#batpak-fs-005");
      }
      return fs;
    }

    /**
     * Whether automatic selection fell back to this backend because backends of higher priority
     * failed their probes, and why: for example {@code "filesystem backend nio chosen automatically
     * as a fallback: posix (priority 100) is unavailable: probe failed: jna.jar is not on the class
     * path. ..."}, ending with what to do. This is the text the resolver logs at WARNING.
     *
     * @return the fallback and its reasons; empty when the backend was passed in, chosen by name,
     *     or is the highest-priority auto-selectable one
     */
    public Optional<String> fallback() {
      if (source != Source.AUTOMATIC) {
        return Optional.empty();
      }
      Candidate chosen =
          candidates.stream().filter(c -> c.verdict() == Verdict.CHOSEN).findFirst().orElse(null);
      if (chosen == null) {
        return Optional.empty();
      }
      List<Candidate> unavailable =
          candidates.stream()
              .filter(c -> c.verdict() == Verdict.PROBE_FAILED && c.priority() > chosen.priority())
              .toList();
      if (unavailable.isEmpty()) {
        return Optional.empty();
      }
      String reasons =
          unavailable.stream()
              .map(
                  c ->
                      c.name()
                          + " (priority "
                          + c.priority()
                          + ") is unavailable: "
                          + c.detail().replaceFirst("^skipped: ", ""))
              .collect(Collectors.joining("; "));
      String names = unavailable.stream().map(Candidate::name).collect(Collectors.joining(" or "));
      return Optional.of(
          "filesystem backend "
              + chosen.name()
              + " chosen automatically as a fallback: "
              + reasons
              + ". To use "
              + names
              + ", fix what the probe reports; to run on "
              + chosen.name()
              + " on purpose, name it (StoreConfig.Builder.fsBackend(\""
              + chosen.name()
              + "\") or -D"
              + BACKEND_PROPERTY
              + "="
              + chosen.name()
              + ") and this warning goes away.");
    }
  }

  /**
   * Step 1: uses {@code instance} as it is, with no discovery.
   *
   * @param instance the backend to use
   * @return a resolution whose provider returns {@code instance}
   * @throws NullPointerException if {@code instance} is null
   */
  public static Resolution resolve(StoreFs instance) {
    Objects.requireNonNull(instance, "instance");
    String name = instance.name();
    String explanation =
        "filesystem backend "
            + name
            + " passed in as an instance ("
            + instance.getClass().getName()
            + "); no discovery.";
    return new Resolution(new InstanceProvider(instance), Source.INSTANCE, explanation, List.of());
  }

  /**
   * Steps 2 and 3 with the providers {@code classLoader} sees, reading the system property {@value
   * #BACKEND_PROPERTY} when {@code name} is null.
   *
   * @param name the backend to use, or null to consult the system property and then select
   *     automatically
   * @param classLoader the class loader {@link ServiceLoader} searches
   * @return the chosen backend and why
   * @throws ProviderException with one of the codes listed in the class documentation
   * @throws NullPointerException if {@code classLoader} is null
   */
  public static Resolution resolve(String name, ClassLoader classLoader) {
    return resolve(name, classLoader, System.getProperties());
  }

  /**
   * Steps 2 and 3 with the providers {@code classLoader} sees, reading {@value #BACKEND_PROPERTY}
   * from {@code properties} instead of the system properties when {@code name} is null; tests pass
   * {@code new Properties()} so a property set for the whole run cannot change their outcome.
   *
   * @param name the backend to use, or null to consult {@code properties} and then select
   *     automatically
   * @param classLoader the class loader {@link ServiceLoader} searches
   * @param properties where {@value #BACKEND_PROPERTY} is looked up
   * @return the chosen backend and why
   * @throws ProviderException with one of the codes listed in the class documentation
   * @throws NullPointerException if {@code classLoader} or {@code properties} is null
   */
  public static Resolution resolve(String name, ClassLoader classLoader, Properties properties) {
    Objects.requireNonNull(classLoader, "classLoader");
    Objects.requireNonNull(properties, "properties");
    ProviderDiscovery<StoreFsProvider> discovery =
        ProviderLoader.load(
            ProviderKind.FILESYSTEM_BACKEND,
            ServiceLoader.load(StoreFsProvider.class, classLoader));
    return logFallback(BackendSelector.select(name, properties, discovery).orThrow());
  }

  /**
   * Steps 2 and 3 over an explicit list of providers instead of discovery, for tests. The system
   * property is not read.
   *
   * @param name the backend to use, or null to select automatically
   * @param providers the candidates
   * @return the chosen backend and why
   * @throws ProviderException with one of the codes listed in the class documentation (never
   *     {@value #BROKEN_PROVIDER} for a load failure, since nothing is loaded, but for an invalid
   *     name)
   * @throws NullPointerException if {@code providers} or an element is null
   */
  public static Resolution resolve(String name, List<? extends StoreFsProvider> providers) {
    return resolve(name, providers, new Properties());
  }

  /**
   * Steps 2 and 3 over an explicit list of providers, reading {@value #BACKEND_PROPERTY} from
   * {@code properties} when {@code name} is null; for tests.
   *
   * @param name the backend to use, or null to consult {@code properties} and then select
   *     automatically
   * @param providers the candidates
   * @param properties where {@value #BACKEND_PROPERTY} is looked up
   * @return the chosen backend and why
   * @throws ProviderException with one of the codes listed in the class documentation
   * @throws NullPointerException if an argument or an element of {@code providers} is null
   */
  public static Resolution resolve(
      String name, List<? extends StoreFsProvider> providers, Properties properties) {
    Objects.requireNonNull(providers, "providers");
    Objects.requireNonNull(properties, "properties");
    ProviderDiscovery<StoreFsProvider> discovery =
        ProviderLoader.of(ProviderKind.FILESYSTEM_BACKEND, providers);
    return logFallback(BackendSelector.select(name, properties, discovery).orThrow());
  }

  /** Logs {@code resolution}'s fallback at WARNING the first time its message is seen. */
  private static Resolution logFallback(Resolution resolution) {
    Optional<String> fallback = resolution.fallback();
    if (fallback.isPresent()) {
      String message = fallback.get();
      boolean first =
          !LOGGED_FALLBACKS.contains(message)
              && (LOGGED_FALLBACKS.size() >= MAX_REMEMBERED_FALLBACKS
                  || LOGGED_FALLBACKS.add(message));
      if (first) {
        LOG.log(System.Logger.Level.WARNING, message);
      }
    }
    return resolution;
  }
}
