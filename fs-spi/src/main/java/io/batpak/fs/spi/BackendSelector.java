package io.batpak.fs.spi;

import io.batpak.ProviderException;
import io.batpak.fs.spi.StoreFsResolver.Candidate;
import io.batpak.fs.spi.StoreFsResolver.Resolution;
import io.batpak.fs.spi.StoreFsResolver.Source;
import io.batpak.fs.spi.StoreFsResolver.Verdict;
import io.batpak.spi.DiscoveredProvider;
import io.batpak.spi.ProbeResult;
import io.batpak.spi.ProviderDiscovery;
import io.batpak.spi.StoreFsProvider;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

/**
 * Chooses a backend among the providers the loader found: by name (the caller's, else the system
 * property), else by priority and probe. Returns a {@link Selection}: the resolution, or the
 * refusal with its {@link FsDiagnostic}. A broken provider or a duplicate name refuses every
 * selection, even when another provider would do. Stateless.
 */
final class BackendSelector {

  private BackendSelector() {}

  /** The outcome of a selection. */
  sealed interface Selection permits Chosen, Refused {
    /** The resolution, or the refusal thrown. */
    Resolution orThrow();
  }

  /** A backend was chosen. */
  record Chosen(Resolution resolution) implements Selection {
    @Override
    public Resolution orThrow() {
      return resolution;
    }
  }

  /** No backend was chosen; {@code exception} carries the diagnostic. */
  record Refused(FsDiagnostic diagnostic, ProviderException exception) implements Selection {
    @Override
    public Resolution orThrow() {
      throw exception;
    }
  }

  static Selection select(
      String requested, Properties properties, ProviderDiscovery<StoreFsProvider> discovery) {
    Source source = Source.AUTOMATIC;
    String name = requested;
    if (name != null) {
      source = Source.NAME;
    } else {
      String property = properties.getProperty(StoreFsResolver.BACKEND_PROPERTY);
      if (property != null && !property.isBlank()) {
        name = property.strip();
        source = Source.SYSTEM_PROPERTY;
      }
    }

    List<BackendCandidate> all = new ArrayList<>();
    for (DiscoveredProvider<StoreFsProvider> found : discovery.candidates()) {
      all.add(BackendCandidate.of(found));
    }
    Map<BackendCandidate, Candidate> verdicts = new IdentityHashMap<>();

    // Load failures and invalid names.
    List<BackendCandidate> broken = new ArrayList<>();
    for (BackendCandidate c : all) {
      if (!c.loaded()) {
        verdicts.put(
            c, new Candidate("", c.providerClass, 0, false, Verdict.FAILED_TO_LOAD, c.failure));
        broken.add(c);
      }
    }

    // Duplicate names.
    Map<String, List<BackendCandidate>> byName = new LinkedHashMap<>();
    for (BackendCandidate c : BackendCandidate.sorted(all)) {
      if (c.loaded()) {
        byName.computeIfAbsent(c.name, k -> new ArrayList<>()).add(c);
      }
    }
    List<String> duplicateNames = new ArrayList<>();
    List<BackendCandidate> usable = new ArrayList<>();
    for (Map.Entry<String, List<BackendCandidate>> e : byName.entrySet()) {
      List<BackendCandidate> group = e.getValue();
      if (group.size() == 1) {
        usable.add(group.get(0));
        continue;
      }
      duplicateNames.add(e.getKey());
      for (BackendCandidate c : group) {
        String others =
            group.stream()
                .filter(o -> o != c)
                .map(o -> o.providerClass)
                .collect(Collectors.joining(" and "));
        verdicts.put(
            c, candidate(c, Verdict.DUPLICATE_NAME, "skipped: name also claimed by " + others));
      }
    }

    BackendCandidate chosen = null;
    FsDiagnostic problem;
    String namedProbeFailure = null;
    if (name != null) {
      for (BackendCandidate c : usable) {
        if (c.name.equals(name)) {
          chosen = c;
        } else {
          verdicts.put(c, candidate(c, Verdict.NOT_REQUESTED, "skipped: not the requested name"));
        }
      }
      if (chosen == null) {
        problem =
            duplicateNames.contains(name) ? FsDiagnostic.DUPLICATE_NAME : FsDiagnostic.UNKNOWN_NAME;
      } else {
        ProbeResult probe = probe(chosen);
        if (probe.available()) {
          verdicts.put(
              chosen, candidate(chosen, Verdict.CHOSEN, "chosen: probe passed: " + probe.reason()));
          problem = null;
        } else {
          namedProbeFailure = "probe failed: " + probe.reason();
          verdicts.put(
              chosen, candidate(chosen, Verdict.PROBE_FAILED, "skipped: " + namedProbeFailure));
          problem = FsDiagnostic.NAMED_UNAVAILABLE;
        }
      }
    } else {
      chosen = selectAutomatically(usable, verdicts);
      problem =
          chosen != null
              ? null
              : tied(usable, verdicts) ? FsDiagnostic.TIE : FsDiagnostic.NO_BACKEND;
    }

    // A broken provider or a duplicate name refuses the selection, whatever it found.
    if (!broken.isEmpty()) {
      problem = FsDiagnostic.BROKEN_PROVIDER;
    } else if (!duplicateNames.isEmpty()) {
      problem = FsDiagnostic.DUPLICATE_NAME;
    }
    List<Candidate> candidates = new ArrayList<>();
    for (BackendCandidate c : BackendCandidate.sorted(all)) {
      Candidate v = verdicts.get(c);
      if (problem != null && v.verdict() == Verdict.CHOSEN) {
        // Say what would happen once the broken or duplicate provider is dealt with.
        v = candidate(c, Verdict.CHOSEN, "would be " + v.detail());
      }
      candidates.add(v);
    }

    if (problem != null) {
      FsDiagnostic.Facts facts =
          new FsDiagnostic.Facts(
              name,
              describeSource(source),
              candidates,
              discovery.emptyNote(),
              broken,
              duplicateNames,
              byName,
              usable,
              namedProbeFailure);
      return new Refused(problem, problem.exception(facts));
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
    String listing =
        new FsDiagnostic.Facts(
                name,
                null,
                candidates,
                discovery.emptyNote(),
                broken,
                duplicateNames,
                byName,
                usable,
                null)
            .listing();
    return new Chosen(
        new Resolution(chosen.provider, source, headline + "\n" + listing, candidates));
  }

  private static boolean tied(
      List<BackendCandidate> usable, Map<BackendCandidate, Candidate> verdicts) {
    for (BackendCandidate c : usable) {
      Candidate v = verdicts.get(c);
      if (v != null && v.verdict() == Verdict.TIED) {
        return true;
      }
    }
    return false;
  }

  /**
   * Probes the auto-selectable candidates group by group, highest priority first, down to the first
   * group where one passed; records a verdict for every usable candidate.
   *
   * @return the one that passed alone in the highest such group, or null (none passed, or a tie)
   */
  private static BackendCandidate selectAutomatically(
      List<BackendCandidate> usable, Map<BackendCandidate, Candidate> verdicts) {
    // Groups of equal priority, highest first; within a group, ordered by name.
    Map<Integer, List<BackendCandidate>> groups = new LinkedHashMap<>();
    for (BackendCandidate c : usable) {
      if (!c.autoSelectable) {
        verdicts.put(
            c,
            candidate(
                c, Verdict.NOT_AUTO_SELECTABLE, "skipped: not auto-selectable; select it by name"));
      } else {
        groups.computeIfAbsent(c.priority, k -> new ArrayList<>()).add(c);
      }
    }
    BackendCandidate chosen = null;
    String winner = null; // "posix (100)" or "the tied providers (100)"
    for (List<BackendCandidate> group : groups.values()) {
      if (winner != null) {
        for (BackendCandidate c : group) {
          verdicts.put(
              c,
              candidate(
                  c,
                  Verdict.LOWER_PRIORITY,
                  "skipped: lower priority than " + winner + "; not probed"));
        }
        continue;
      }
      List<BackendCandidate> passed = new ArrayList<>();
      Map<BackendCandidate, String> reasons = new IdentityHashMap<>();
      for (BackendCandidate c : group) {
        ProbeResult probe = probe(c);
        reasons.put(c, probe.reason());
        if (probe.available()) {
          passed.add(c);
        } else {
          verdicts.put(
              c, candidate(c, Verdict.PROBE_FAILED, "skipped: probe failed: " + probe.reason()));
        }
      }
      if (passed.size() == 1) {
        chosen = passed.get(0);
        verdicts.put(
            chosen,
            candidate(chosen, Verdict.CHOSEN, "chosen: probe passed: " + reasons.get(chosen)));
        winner = chosen.name + " (" + chosen.priority + ")";
      } else if (passed.size() > 1) {
        for (BackendCandidate c : passed) {
          String others =
              passed.stream()
                  .filter(o -> o != c)
                  .map(o -> o.name)
                  .collect(Collectors.joining(", "));
          verdicts.put(
              c,
              candidate(
                  c,
                  Verdict.TIED,
                  "tied at priority "
                      + c.priority
                      + " with "
                      + others
                      + ": probe passed: "
                      + reasons.get(c)));
        }
        winner = "the tied providers (" + group.get(0).priority + ")";
      }
    }
    return chosen;
  }

  private static ProbeResult probe(BackendCandidate c) {
    try {
      ProbeResult result = c.provider.probe();
      if (result == null) {
        return ProbeResult.unavailable("probe returned null");
      }
      return result;
    } catch (RuntimeException | LinkageError e) {
      return ProbeResult.unavailable("probe threw " + io.batpak.spi.ProviderLoader.describe(e));
    }
  }

  private static String describeSource(Source source) {
    return source == Source.SYSTEM_PROPERTY
        ? "named by system property " + StoreFsResolver.BACKEND_PROPERTY
        : "named by the caller";
  }

  private static Candidate candidate(BackendCandidate c, Verdict verdict, String detail) {
    return new Candidate(c.name, c.providerClass, c.priority, c.autoSelectable, verdict, detail);
  }
}
