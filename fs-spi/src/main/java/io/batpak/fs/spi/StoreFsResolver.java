package io.batpak.fs.spi;

import io.batpak.ProviderException;
import io.batpak.port.StoreFs;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.Spliterator;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

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
 * <p>Providers are found with {@code ServiceLoader.load(StoreFsProvider.class,
 * classLoader).stream()} over the class loader the caller passes; the thread's context class loader
 * is never used implicitly, and the order of the class path never decides anything. Every provider
 * found is instantiated (providers do no I/O in their constructors) so its name is known; probes
 * run only where the decision needs them, highest priority first.
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
 * <p><b>Thread-safety.</b> Stateless and safe for concurrent use. Discovery runs afresh on every
 * call; stores are opened rarely, and a cache would hide a provider whose probe result changed.
 *
 * @since 0.1
 */
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

  /** Valid provider names: short lowercase ASCII. */
  static final Pattern NAME_PATTERN = Pattern.compile("[a-z][a-z0-9-]{0,31}");

  private static final int MAX_LOAD_ERRORS = 1000;

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
     */
    public StoreFs open(FsOptions options) throws IOException {
      return provider.open(options);
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
    return select(name, properties, discover(classLoader));
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
    List<Found> found = new ArrayList<>();
    for (StoreFsProvider provider : providers) {
      found.add(Found.of(Objects.requireNonNull(provider, "provider"), null));
    }
    return select(name, properties, new Discovery(found, "the given provider list is empty"));
  }

  // ---------------------------------------------------------------------------------------------
  // Discovery

  /** What discovery produced: loaded providers and failures, in discovery order. */
  private record Discovery(List<Found> found, String emptyNote) {}

  /** One discovery result: a provider with its reported properties, or a failure. */
  private static final class Found {
    final StoreFsProvider provider; // null on failure
    final String providerClass;
    final String name;
    final int priority;
    final boolean autoSelectable;
    final Throwable error; // load failure, or null
    final String invalidName; // the invalid name reported, or null

    private Found(
        StoreFsProvider provider,
        String providerClass,
        String name,
        int priority,
        boolean autoSelectable,
        Throwable error,
        String invalidName) {
      this.provider = provider;
      this.providerClass = providerClass;
      this.name = name;
      this.priority = priority;
      this.autoSelectable = autoSelectable;
      this.error = error;
      this.invalidName = invalidName;
    }

    static Found failed(String providerClass, Throwable error) {
      return new Found(null, providerClass, "", 0, false, error, null);
    }

    /** Reads the provider's name, priority and flag; a throw or an invalid name is a failure. */
    static Found of(StoreFsProvider provider, String typeName) {
      String cls = typeName != null ? typeName : provider.getClass().getName();
      String name;
      int priority;
      boolean auto;
      try {
        name = provider.name();
        priority = provider.priority();
        auto = provider.autoSelectable();
      } catch (RuntimeException | LinkageError e) {
        return failed(cls, e);
      }
      if (name == null || !NAME_PATTERN.matcher(name).matches()) {
        return new Found(null, cls, "", 0, false, null, String.valueOf(name));
      }
      return new Found(provider, cls, name, priority, auto, null, null);
    }

    boolean loaded() {
      return provider != null;
    }
  }

  private static Discovery discover(ClassLoader classLoader) {
    List<Found> found = new ArrayList<>();
    Spliterator<ServiceLoader.Provider<StoreFsProvider>> providers =
        ServiceLoader.load(StoreFsProvider.class, classLoader).stream().spliterator();
    int errors = 0;
    boolean more = true;
    while (more) {
      try {
        more =
            providers.tryAdvance(
                p -> {
                  String type = p.type().getName();
                  StoreFsProvider instance;
                  try {
                    instance = p.get();
                  } catch (ServiceConfigurationError | LinkageError e) {
                    found.add(Found.failed(type, e));
                    return;
                  }
                  found.add(Found.of(instance, type));
                });
      } catch (ServiceConfigurationError | LinkageError e) {
        // ServiceLoader moves past the bad entry, so the next call goes on with the next provider.
        found.add(Found.failed("unknown class", e));
        if (++errors >= MAX_LOAD_ERRORS) {
          more = false;
        }
      }
    }
    return new Discovery(
        found, "ServiceLoader found no provider of " + StoreFsProvider.class.getName());
  }

  // ---------------------------------------------------------------------------------------------
  // Selection

  private static Resolution select(String requested, Properties properties, Discovery discovery) {
    Source source = Source.AUTOMATIC;
    String name = requested;
    if (name != null) {
      source = Source.NAME;
    } else {
      String property = properties.getProperty(BACKEND_PROPERTY);
      if (property != null && !property.isBlank()) {
        name = property.strip();
        source = Source.SYSTEM_PROPERTY;
      }
    }

    List<Found> all = discovery.found();
    Map<Found, Candidate> verdicts = new IdentityHashMap<>();

    // Load failures and invalid names.
    List<Found> broken = new ArrayList<>();
    for (Found f : all) {
      if (f.error != null) {
        verdicts.put(f, failedCandidate(f, "failed to load: " + describe(f.error)));
        broken.add(f);
      } else if (f.invalidName != null) {
        verdicts.put(
            f,
            failedCandidate(
                f,
                "failed to load: invalid name \""
                    + f.invalidName
                    + "\"; a provider name is short lowercase ASCII matching "
                    + NAME_PATTERN.pattern()));
        broken.add(f);
      }
    }

    // Duplicate names.
    Map<String, List<Found>> byName = new LinkedHashMap<>();
    for (Found f : sorted(all)) {
      if (f.loaded()) {
        byName.computeIfAbsent(f.name, k -> new ArrayList<>()).add(f);
      }
    }
    List<String> duplicateNames = new ArrayList<>();
    List<Found> usable = new ArrayList<>();
    for (Map.Entry<String, List<Found>> e : byName.entrySet()) {
      List<Found> group = e.getValue();
      if (group.size() == 1) {
        usable.add(group.get(0));
        continue;
      }
      duplicateNames.add(e.getKey());
      for (Found f : group) {
        String others =
            group.stream()
                .filter(o -> o != f)
                .map(o -> o.providerClass)
                .collect(Collectors.joining(" and "));
        verdicts.put(
            f, candidate(f, Verdict.DUPLICATE_NAME, "skipped: name also claimed by " + others));
      }
    }

    Found chosen;
    String selectionError;
    if (name != null) {
      chosen = null;
      selectionError = null;
      for (Found f : usable) {
        if (f.name.equals(name)) {
          chosen = f;
        } else {
          verdicts.put(f, candidate(f, Verdict.NOT_REQUESTED, "skipped: not the requested name"));
        }
      }
      if (chosen == null) {
        boolean duplicated = duplicateNames.contains(name);
        selectionError = duplicated ? DUPLICATE_NAME : UNKNOWN_NAME;
      } else {
        ProbeResult probe = probe(chosen);
        if (probe.available()) {
          verdicts.put(
              chosen, candidate(chosen, Verdict.CHOSEN, "chosen: probe passed: " + probe.reason()));
        } else {
          verdicts.put(
              chosen,
              candidate(chosen, Verdict.PROBE_FAILED, "skipped: probe failed: " + probe.reason()));
          selectionError = NAMED_UNAVAILABLE;
        }
      }
    } else {
      AutoResult auto = selectAutomatically(usable, verdicts);
      chosen = auto.chosen;
      selectionError = auto.error;
    }

    boolean blocked = !broken.isEmpty() || !duplicateNames.isEmpty();
    List<Candidate> candidates = new ArrayList<>();
    for (Found f : sorted(all)) {
      Candidate c = verdicts.get(f);
      if (blocked && c.verdict() == Verdict.CHOSEN) {
        // Say what would happen once the broken or duplicate provider is dealt with.
        c = candidate(f, Verdict.CHOSEN, "would be " + c.detail());
      }
      candidates.add(c);
    }

    if (!broken.isEmpty()) {
      throw brokenProvider(broken, candidates, discovery);
    }
    if (!duplicateNames.isEmpty()) {
      throw duplicateName(duplicateNames, byName, candidates, discovery);
    }
    if (selectionError != null) {
      String via = describeSource(source);
      switch (selectionError) {
        case UNKNOWN_NAME:
          throw unknownName(name, via, usable, candidates, discovery);
        case NAMED_UNAVAILABLE:
          throw new ProviderException(
              NAMED_UNAVAILABLE
                  + " filesystem backend \""
                  + name
                  + "\" ("
                  + via
                  + ") is unavailable here: "
                  + verdicts.get(chosen).detail().substring("skipped: ".length())
                  + "\n"
                  + listing(candidates, discovery)
                  + "Fix: choose another backend by name, or name none and let automatic selection"
                  + " pick one. See docs/errors.md#batpak-fs-006");
        case TIE:
          throw tie(candidates, discovery);
        case NO_BACKEND:
          throw new ProviderException(
              NO_BACKEND
                  + " no filesystem backend: no auto-selectable provider passed its probe.\n"
                  + listing(candidates, discovery)
                  + "Fix: add "
                  + DEFAULT_BACKENDS_ARTIFACT
                  + " (backends posix and nio) to the class path or module path, select a"
                  + " backend by name, or pass a StoreFs instance. See docs/errors.md#batpak-fs-001");
        default:
          // DUPLICATE_NAME was thrown above, with every duplicate listed.
          throw new AssertionError("unexpected selection error " + selectionError);
      }
    }

    String headline;
    if (source == Source.AUTOMATIC) {
      headline =
          "filesystem backend "
              + chosen.name
              + " chosen automatically: the highest-priority auto-selectable provider whose probe"
              + " passed.";
    } else {
      headline =
          "filesystem backend "
              + chosen.name
              + " chosen by name ("
              + describeSource(source)
              + "); its probe passed.";
    }
    return new Resolution(
        chosen.provider, source, headline + "\n" + listing(candidates, discovery), candidates);
  }

  private record AutoResult(Found chosen, String error) {}

  private static AutoResult selectAutomatically(
      List<Found> usable, Map<Found, Candidate> verdicts) {
    // Groups of equal priority, highest first; within a group, ordered by name.
    Map<Integer, List<Found>> groups = new LinkedHashMap<>();
    for (Found f : usable) {
      if (!f.autoSelectable) {
        verdicts.put(
            f,
            candidate(
                f, Verdict.NOT_AUTO_SELECTABLE, "skipped: not auto-selectable; select it by name"));
      } else {
        groups.computeIfAbsent(f.priority, k -> new ArrayList<>()).add(f);
      }
    }
    Found chosen = null;
    String error = NO_BACKEND;
    String winner = null; // "posix (100)" or "the tied providers (100)"
    for (List<Found> group : groups.values()) {
      if (winner != null) {
        for (Found f : group) {
          verdicts.put(
              f,
              candidate(
                  f,
                  Verdict.LOWER_PRIORITY,
                  "skipped: lower priority than " + winner + "; not probed"));
        }
        continue;
      }
      List<Found> passed = new ArrayList<>();
      Map<Found, String> reasons = new IdentityHashMap<>();
      for (Found f : group) {
        ProbeResult probe = probe(f);
        reasons.put(f, probe.reason());
        if (probe.available()) {
          passed.add(f);
        } else {
          verdicts.put(
              f, candidate(f, Verdict.PROBE_FAILED, "skipped: probe failed: " + probe.reason()));
        }
      }
      if (passed.size() == 1) {
        chosen = passed.get(0);
        error = null;
        verdicts.put(
            chosen,
            candidate(chosen, Verdict.CHOSEN, "chosen: probe passed: " + reasons.get(chosen)));
        winner = chosen.name + " (" + chosen.priority + ")";
      } else if (passed.size() > 1) {
        error = TIE;
        for (Found f : passed) {
          String others =
              passed.stream()
                  .filter(o -> o != f)
                  .map(o -> o.name)
                  .collect(Collectors.joining(", "));
          verdicts.put(
              f,
              candidate(
                  f,
                  Verdict.TIED,
                  "tied at priority "
                      + f.priority
                      + " with "
                      + others
                      + ": probe passed: "
                      + reasons.get(f)));
        }
        winner = "the tied providers (" + group.get(0).priority + ")";
      }
    }
    return new AutoResult(chosen, error);
  }

  private static ProbeResult probe(Found f) {
    try {
      ProbeResult result = f.provider.probe();
      if (result == null) {
        return ProbeResult.unavailable("probe returned null");
      }
      return result;
    } catch (RuntimeException | LinkageError e) {
      return ProbeResult.unavailable("probe threw " + describe(e));
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Diagnostics

  private static ProviderException brokenProvider(
      List<Found> broken, List<Candidate> candidates, Discovery discovery) {
    int n = broken.size();
    ProviderException e =
        new ProviderException(
            BROKEN_PROVIDER
                + " broken filesystem backend provider: "
                + n
                + (n == 1 ? " provider" : " providers")
                + " failed to load.\n"
                + listing(candidates, discovery)
                + "Fix: remove or repair the broken provider's artifact (the error is listed above"
                + " and attached as the cause), or pass a StoreFs instance."
                + " See docs/errors.md#batpak-fs-005",
            firstError(broken));
    boolean first = true;
    for (Found f : broken) {
      if (f.error != null) {
        if (!first) {
          e.addSuppressed(f.error);
        }
        first = false;
      }
    }
    return e;
  }

  private static Throwable firstError(List<Found> broken) {
    for (Found f : broken) {
      if (f.error != null) {
        return f.error;
      }
    }
    return null;
  }

  private static ProviderException duplicateName(
      List<String> names,
      Map<String, List<Found>> byName,
      List<Candidate> candidates,
      Discovery discovery) {
    String claims =
        names.stream()
            .map(
                n ->
                    "\""
                        + n
                        + "\" is claimed by "
                        + byName.get(n).stream()
                            .map(f -> f.providerClass)
                            .collect(Collectors.joining(" and ")))
            .collect(Collectors.joining("; "));
    return new ProviderException(
        DUPLICATE_NAME
            + " duplicate filesystem backend name: "
            + claims
            + ".\n"
            + listing(candidates, discovery)
            + "Fix: remove one of the artifacts that provide the same name from the class path or"
            + " module path. See docs/errors.md#batpak-fs-004");
  }

  private static ProviderException unknownName(
      String name,
      String via,
      List<Found> usable,
      List<Candidate> candidates,
      Discovery discovery) {
    Set<String> names = new TreeSet<>();
    for (Found f : usable) {
      names.add(f.name);
    }
    return new ProviderException(
        UNKNOWN_NAME
            + " unknown filesystem backend \""
            + name
            + "\" ("
            + via
            + "). Available names: "
            + (names.isEmpty() ? "none" : String.join(", ", names))
            + ".\n"
            + listing(candidates, discovery)
            + "Fix: use an available name, or add the artifact that provides \""
            + name
            + "\"; "
            + DEFAULT_BACKENDS_ARTIFACT
            + " adds the default backends posix and nio, "
            + SIM_ARTIFACT
            + " adds sim. See docs/errors.md#batpak-fs-002");
  }

  private static ProviderException tie(List<Candidate> candidates, Discovery discovery) {
    List<String> tied = new ArrayList<>();
    int priority = 0;
    for (Candidate c : candidates) {
      if (c.verdict() == Verdict.TIED) {
        tied.add(c.name());
        priority = c.priority();
      }
    }
    return new ProviderException(
        TIE
            + " filesystem backend tie: "
            + String.join(", ", tied)
            + " are auto-selectable, passed their probes and share the top priority "
            + priority
            + ", so none is chosen.\n"
            + listing(candidates, discovery)
            + "Fix: select one by name, or give the providers different priorities."
            + " See docs/errors.md#batpak-fs-003");
  }

  private static String listing(List<Candidate> candidates, Discovery discovery) {
    if (candidates.isEmpty()) {
      return "Candidates: none (" + discovery.emptyNote() + ").\n";
    }
    StringBuilder sb = new StringBuilder("Candidates:\n");
    for (Candidate c : candidates) {
      sb.append("  - ").append(c.describe()).append('\n');
    }
    return sb.toString();
  }

  private static String describeSource(Source source) {
    return source == Source.SYSTEM_PROPERTY
        ? "named by system property " + BACKEND_PROPERTY
        : "named by the caller";
  }

  private static Candidate candidate(Found f, Verdict verdict, String detail) {
    return new Candidate(f.name, f.providerClass, f.priority, f.autoSelectable, verdict, detail);
  }

  private static Candidate failedCandidate(Found f, String detail) {
    return new Candidate("", f.providerClass, 0, false, Verdict.FAILED_TO_LOAD, detail);
  }

  /** Loaded providers by priority (highest first), name and class; failures after, in order. */
  private static List<Found> sorted(List<Found> all) {
    List<Found> loaded = new ArrayList<>();
    List<Found> failed = new ArrayList<>();
    for (Found f : all) {
      (f.loaded() ? loaded : failed).add(f);
    }
    loaded.sort(
        Comparator.comparingInt((Found f) -> -f.priority)
            .thenComparing(f -> f.name)
            .thenComparing(f -> f.providerClass));
    List<Found> result = new ArrayList<>(loaded);
    result.addAll(failed);
    return Collections.unmodifiableList(result);
  }

  /** {@code "java.lang.IllegalStateException: boom; caused by ..."}, at most five levels. */
  static String describe(Throwable t) {
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

  /** Hands out the instance passed to {@link #resolve(StoreFs)}. */
  private static final class InstanceProvider implements StoreFsProvider {
    private final StoreFs instance;

    InstanceProvider(StoreFs instance) {
      this.instance = instance;
    }

    @Override
    public String name() {
      return instance.name();
    }

    @Override
    public int priority() {
      return 0;
    }

    @Override
    public boolean autoSelectable() {
      return false;
    }

    @Override
    public ProbeResult probe() {
      return ProbeResult.available("instance passed in");
    }

    @Override
    public StoreFs open(FsOptions options) {
      return instance;
    }

    @Override
    public String toString() {
      return "InstanceProvider(" + instance + ")";
    }
  }
}
