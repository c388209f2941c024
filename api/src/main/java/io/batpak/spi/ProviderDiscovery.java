package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apiguardian.api.API;

/**
 * Every candidate {@link ProviderLoader} found for one {@link ProviderKind}, loaded or broken, and
 * the two strict selections every kind shares: {@link #selectByName(String) by name} (codecs) and
 * {@link #selectOnly() the only one} (store engines). Filesystem backends add priority and probes
 * on top of the same candidates. Both selections refuse rather than guess: a broken provider, two
 * providers of one name, or (for {@code selectOnly}) two providers at all are refusals with a coded
 * diagnostic, never a silent pick of the first.
 *
 * <p>Immutable and thread-safe; the candidates are created once, at discovery.
 *
 * @param <S> the service interface
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public final class ProviderDiscovery<S extends NamedProvider> {

  private final ProviderKind<S> kind;
  private final List<DiscoveredProvider<S>> candidates;
  private final String emptyNote;

  /**
   * Wraps what discovery found.
   *
   * @param kind the kind of provider
   * @param candidates every candidate, in discovery order
   * @param emptyNote what the listing says when there is no candidate, for example {@code
   *     "ServiceLoader found no provider of io.batpak.spi.CodecProvider"}
   * @throws NullPointerException if an argument or a candidate is null
   */
  public ProviderDiscovery(
      ProviderKind<S> kind, List<DiscoveredProvider<S>> candidates, String emptyNote) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.candidates = List.copyOf(candidates);
    this.emptyNote = Objects.requireNonNull(emptyNote, "emptyNote");
  }

  /**
   * The kind of provider.
   *
   * @return the kind
   */
  public ProviderKind<S> kind() {
    return kind;
  }

  /**
   * Every candidate, in discovery order.
   *
   * @return the candidates
   */
  public List<DiscoveredProvider<S>> candidates() {
    return candidates;
  }

  /**
   * What a listing says when there is no candidate.
   *
   * @return the note
   */
  public String emptyNote() {
    return emptyNote;
  }

  /**
   * The candidates that failed to load or have an invalid name, in discovery order.
   *
   * @return the broken candidates
   */
  public List<DiscoveredProvider<S>> broken() {
    return candidates.stream().filter(c -> !c.loaded()).toList();
  }

  /**
   * The candidates that loaded, sorted by name and then class.
   *
   * @return the loaded candidates
   */
  public List<DiscoveredProvider<S>> loaded() {
    return candidates.stream()
        .filter(DiscoveredProvider::loaded)
        .sorted(
            Comparator.comparing((DiscoveredProvider<S> c) -> c.name())
                .thenComparing(DiscoveredProvider::providerClass))
        .toList();
  }

  /**
   * The names of the loaded candidates.
   *
   * @return the names, sorted
   */
  public SortedSet<String> names() {
    return loaded().stream()
        .map(DiscoveredProvider::name)
        .collect(Collectors.toCollection(TreeSet::new));
  }

  /**
   * The names two or more loaded candidates claim, each with its claimants sorted by class.
   *
   * @return name to claimants, in name order; empty when every name is unique
   */
  public Map<String, List<DiscoveredProvider<S>>> duplicates() {
    Map<String, List<DiscoveredProvider<S>>> byName = new LinkedHashMap<>();
    for (DiscoveredProvider<S> c : loaded()) {
      byName.computeIfAbsent(c.name(), k -> new ArrayList<>()).add(c);
    }
    Map<String, List<DiscoveredProvider<S>>> result = new LinkedHashMap<>();
    byName.forEach(
        (name, group) -> {
          if (group.size() > 1) {
            result.put(name, List.copyOf(group));
          }
        });
    return result;
  }

  /**
   * Chooses the provider named {@code name}. Refused, in this order, with {@link
   * Refusal#UNKNOWN_NAME} when no loaded provider has that name (broken candidates are listed: one
   * of them may be it), {@link Refusal#BROKEN_PROVIDER} when any candidate is broken, and {@link
   * Refusal#DUPLICATE_NAME} when any name is claimed twice; a provider of an unrelated name that is
   * broken or duplicated refuses the selection too, since the store must not run on whatever
   * happens to load.
   *
   * @param name the requested name
   * @return the choice
   * @throws NullPointerException if {@code name} is null
   */
  public ProviderChoice<S> selectByName(String name) {
    Objects.requireNonNull(name, "name");
    Map<String, List<DiscoveredProvider<S>>> duplicates = duplicates();
    List<ProviderVerdict> verdicts = new ArrayList<>();
    DiscoveredProvider<S> chosen = null;
    for (DiscoveredProvider<S> c : loaded()) {
      if (duplicates.containsKey(c.name())) {
        verdicts.add(duplicateVerdict(c, duplicates.get(c.name())));
      } else if (c.name().equals(name)) {
        chosen = c;
        verdicts.add(null); // placed below, once the outcome is known
      } else {
        verdicts.add(verdict(c, false, "skipped: not the requested name"));
      }
    }
    addBroken(verdicts);
    boolean unknown = chosen == null && !duplicates.containsKey(name);
    Refusal refusal =
        unknown
            ? Refusal.UNKNOWN_NAME
            : !broken().isEmpty()
                ? Refusal.BROKEN_PROVIDER
                : !duplicates.isEmpty() ? Refusal.DUPLICATE_NAME : null;
    if (chosen != null) {
      verdicts.set(
          verdicts.indexOf(null),
          verdict(chosen, true, refusal == null ? "chosen" : "would be chosen"));
    }
    if (refusal == null) {
      return new ProviderChoice.Chosen<>(chosen.provider().orElseThrow(), name, verdicts);
    }
    return refuse(refusal, name, verdicts);
  }

  /**
   * Chooses the only provider there is. Refused, in this order, with {@link
   * Refusal#BROKEN_PROVIDER} when any candidate is broken, {@link Refusal#DUPLICATE_NAME} when two
   * candidates share a name, {@link Refusal#NONE_FOUND} when none loaded, and {@link Refusal#TIE}
   * when several loaded: the order of the class path never decides.
   *
   * @return the choice
   */
  public ProviderChoice<S> selectOnly() {
    Map<String, List<DiscoveredProvider<S>>> duplicates = duplicates();
    List<DiscoveredProvider<S>> loaded = loaded();
    Refusal refusal =
        !broken().isEmpty()
            ? Refusal.BROKEN_PROVIDER
            : !duplicates.isEmpty()
                ? Refusal.DUPLICATE_NAME
                : loaded.isEmpty() ? Refusal.NONE_FOUND : loaded.size() > 1 ? Refusal.TIE : null;
    List<ProviderVerdict> verdicts = new ArrayList<>();
    for (DiscoveredProvider<S> c : loaded) {
      if (duplicates.containsKey(c.name())) {
        verdicts.add(duplicateVerdict(c, duplicates.get(c.name())));
      } else if (loaded.size() - countDuplicated(duplicates) == 1) {
        verdicts.add(verdict(c, true, refusal == null ? "chosen" : "would be chosen"));
      } else {
        String others =
            loaded.stream()
                .filter(o -> o != c && !duplicates.containsKey(o.name()))
                .map(DiscoveredProvider::name)
                .collect(Collectors.joining(", "));
        verdicts.add(verdict(c, false, "tied with " + others));
      }
    }
    addBroken(verdicts);
    if (refusal == null) {
      DiscoveredProvider<S> only = loaded.get(0);
      return new ProviderChoice.Chosen<>(only.provider().orElseThrow(), only.name(), verdicts);
    }
    return refuse(refusal, null, verdicts);
  }

  /**
   * The refusal every strict selection shares, for a caller that chooses by its own rule (a default
   * name, say): {@link Refusal#BROKEN_PROVIDER} when any candidate is broken, else {@link
   * Refusal#DUPLICATE_NAME} when any name is claimed twice.
   *
   * @return the refusal, or empty when every candidate loaded under a name of its own
   */
  public Optional<ProviderChoice.Refused<S>> refusalIfUnsound() {
    Map<String, List<DiscoveredProvider<S>>> duplicates = duplicates();
    Refusal refusal =
        !broken().isEmpty()
            ? Refusal.BROKEN_PROVIDER
            : !duplicates.isEmpty() ? Refusal.DUPLICATE_NAME : null;
    if (refusal == null) {
      return Optional.empty();
    }
    List<ProviderVerdict> verdicts = new ArrayList<>();
    for (DiscoveredProvider<S> c : loaded()) {
      verdicts.add(
          duplicates.containsKey(c.name())
              ? duplicateVerdict(c, duplicates.get(c.name()))
              : verdict(c, false, "found"));
    }
    addBroken(verdicts);
    return Optional.of(refuse(refusal, null, verdicts));
  }

  private int countDuplicated(Map<String, List<DiscoveredProvider<S>>> duplicates) {
    return duplicates.values().stream().mapToInt(List::size).sum();
  }

  private void addBroken(List<ProviderVerdict> verdicts) {
    for (DiscoveredProvider<S> c : broken()) {
      verdicts.add(new ProviderVerdict("", c.providerClass(), false, c.failure().orElseThrow()));
    }
  }

  private ProviderVerdict duplicateVerdict(
      DiscoveredProvider<S> c, List<DiscoveredProvider<S>> group) {
    String others =
        group.stream()
            .filter(o -> o != c)
            .map(DiscoveredProvider::providerClass)
            .collect(Collectors.joining(" and "));
    return verdict(c, false, "skipped: name also claimed by " + others);
  }

  private static ProviderVerdict verdict(DiscoveredProvider<?> c, boolean chosen, String detail) {
    return new ProviderVerdict(c.name(), c.providerClass(), chosen, detail);
  }

  private ProviderChoice.Refused<S> refuse(
      Refusal reason, String name, List<ProviderVerdict> verdicts) {
    String noun = kind.noun();
    String headline;
    String fix;
    switch (reason) {
      case NONE_FOUND:
        headline = "no " + noun + " found";
        fix = "add " + kind.defaultArtifact() + " to the class path or module path";
        break;
      case UNKNOWN_NAME:
        SortedSet<String> names = names();
        headline =
            "unknown "
                + noun
                + " \""
                + name
                + "\". Available names: "
                + (names.isEmpty() ? "none" : String.join(", ", names));
        fix =
            "use an available name, or add the artifact that provides \""
                + name
                + "\" to the class path or module path";
        break;
      case TIE:
        headline =
            "more than one "
                + noun
                + ": "
                + String.join(", ", names())
                + "; none is chosen, since the order of the class path must not decide";
        fix = "keep exactly one " + noun + " artifact on the class path or module path";
        break;
      case DUPLICATE_NAME:
        headline =
            "duplicate "
                + noun
                + " name: "
                + duplicates().entrySet().stream()
                    .map(
                        e ->
                            "\""
                                + e.getKey()
                                + "\" is claimed by "
                                + e.getValue().stream()
                                    .map(DiscoveredProvider::providerClass)
                                    .collect(Collectors.joining(" and ")))
                    .collect(Collectors.joining("; "));
        fix =
            "remove one of the artifacts that provide the same name from the class path or module"
                + " path";
        break;
      case BROKEN_PROVIDER:
        int n = broken().size();
        headline =
            "broken "
                + noun
                + " provider: "
                + n
                + (n == 1 ? " provider" : " providers")
                + " failed to load";
        fix =
            "remove or repair the broken provider's artifact (the error is listed above and"
                + " attached as the cause)";
        break;
      default:
        throw new IllegalArgumentException(
            reason + " is not a refusal of a selection by name or of the only provider");
    }
    String message =
        kind.code(reason)
            + " "
            + headline
            + ".\n"
            + listing(verdicts)
            + "Fix: "
            + fix
            + ". See "
            + kind.docs(reason);
    List<Throwable> errors = new ArrayList<>();
    for (DiscoveredProvider<S> c : broken()) {
      c.error().ifPresent(errors::add);
    }
    return new ProviderChoice.Refused<>(kind, reason, message, verdicts, errors);
  }

  /**
   * The candidate listing diagnostics show: {@code "Candidates:\n - <verdict>\n..."}, or {@code
   * "Candidates: none (<empty note>).\n"}.
   *
   * @param verdicts the verdicts to list
   * @return the listing, ending with a line break
   */
  public String listing(List<ProviderVerdict> verdicts) {
    if (verdicts.isEmpty()) {
      return "Candidates: none (" + emptyNote + ").\n";
    }
    StringBuilder sb = new StringBuilder("Candidates:\n");
    for (ProviderVerdict v : verdicts) {
      sb.append("  - ").append(v.describe()).append('\n');
    }
    return sb.toString();
  }
}
