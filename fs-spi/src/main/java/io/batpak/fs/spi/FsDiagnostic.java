package io.batpak.fs.spi;

import io.batpak.ProviderException;
import io.batpak.fs.spi.StoreFsResolver.Candidate;
import io.batpak.fs.spi.StoreFsResolver.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The {@code BATPAK-FS-*} diagnostics of {@link StoreFsResolver}, each with its code and its text,
 * as {@code docs/errors.md} explains them. Every text starts with the code, lists every candidate
 * with its verdict, says what to do and ends with the code's anchor in {@code docs/errors.md}.
 */
enum FsDiagnostic {
  /** No auto-selectable provider passed its probe (including: no provider at all). */
  NO_BACKEND(StoreFsResolver.NO_BACKEND) {
    @Override
    String message(Facts f) {
      return code
          + " no filesystem backend: no auto-selectable provider passed its probe.\n"
          + f.listing()
          + "Fix: add "
          + StoreFsResolver.DEFAULT_BACKENDS_ARTIFACT
          + " (backends posix and nio) to the class path or module path, select a"
          + " backend by name, or pass a StoreFs instance. See docs/errors.md#batpak-fs-001";
    }
  },

  /** No provider has the requested name. */
  UNKNOWN_NAME(StoreFsResolver.UNKNOWN_NAME) {
    @Override
    String message(Facts f) {
      Set<String> names = new TreeSet<>();
      for (BackendCandidate c : f.usable()) {
        names.add(c.name);
      }
      return code
          + " unknown filesystem backend \""
          + f.name()
          + "\" ("
          + f.via()
          + "). Available names: "
          + (names.isEmpty() ? "none" : String.join(", ", names))
          + ".\n"
          + f.listing()
          + "Fix: use an available name, or add the artifact that provides \""
          + f.name()
          + "\"; "
          + StoreFsResolver.DEFAULT_BACKENDS_ARTIFACT
          + " adds the default backends posix and nio, "
          + StoreFsResolver.SIM_ARTIFACT
          + " adds sim. See docs/errors.md#batpak-fs-002";
    }
  },

  /** Several usable providers share the top priority. */
  TIE(StoreFsResolver.TIE) {
    @Override
    String message(Facts f) {
      List<String> tied = new ArrayList<>();
      int priority = 0;
      for (Candidate c : f.candidates()) {
        if (c.verdict() == Verdict.TIED) {
          tied.add(c.name());
          priority = c.priority();
        }
      }
      return code
          + " filesystem backend tie: "
          + String.join(", ", tied)
          + " are auto-selectable, passed their probes and share the top priority "
          + priority
          + ", so none is chosen.\n"
          + f.listing()
          + "Fix: select one by name, or give the providers different priorities."
          + " See docs/errors.md#batpak-fs-003";
    }
  },

  /** Two providers claim one name. */
  DUPLICATE_NAME(StoreFsResolver.DUPLICATE_NAME) {
    @Override
    String message(Facts f) {
      String claims =
          f.duplicateNames().stream()
              .map(
                  n ->
                      "\""
                          + n
                          + "\" is claimed by "
                          + f.byName().get(n).stream()
                              .map(c -> c.providerClass)
                              .collect(Collectors.joining(" and ")))
              .collect(Collectors.joining("; "));
      return code
          + " duplicate filesystem backend name: "
          + claims
          + ".\n"
          + f.listing()
          + "Fix: remove one of the artifacts that provide the same name from the class path or"
          + " module path. See docs/errors.md#batpak-fs-004";
    }
  },

  /** A provider failed to load or has an invalid name. */
  BROKEN_PROVIDER(StoreFsResolver.BROKEN_PROVIDER) {
    @Override
    String message(Facts f) {
      int n = f.broken().size();
      return code
          + " broken filesystem backend provider: "
          + n
          + (n == 1 ? " provider" : " providers")
          + " failed to load.\n"
          + f.listing()
          + "Fix: remove or repair the broken provider's artifact (the error is listed above"
          + " and attached as the cause), or pass a StoreFs instance."
          + " See docs/errors.md#batpak-fs-005";
    }

    /** The first load error is the cause, the others are suppressed: none is swallowed. */
    @Override
    ProviderException exception(Facts f) {
      List<Throwable> errors = new ArrayList<>();
      for (BackendCandidate c : f.broken()) {
        if (c.error != null) {
          errors.add(c.error);
        }
      }
      ProviderException e =
          new ProviderException(message(f), errors.isEmpty() ? null : errors.get(0));
      for (int i = 1; i < errors.size(); i++) {
        e.addSuppressed(errors.get(i));
      }
      return e;
    }
  },

  /** The provider chosen by name failed its probe. */
  NAMED_UNAVAILABLE(StoreFsResolver.NAMED_UNAVAILABLE) {
    @Override
    String message(Facts f) {
      return code
          + " filesystem backend \""
          + f.name()
          + "\" ("
          + f.via()
          + ") is unavailable here: "
          + f.namedProbeFailure()
          + "\n"
          + f.listing()
          + "Fix: choose another backend by name, or name none and let automatic selection"
          + " pick one. See docs/errors.md#batpak-fs-006";
    }
  };

  /** The stable code, for example {@code "BATPAK-FS-001"}. */
  final String code;

  FsDiagnostic(String code) {
    this.code = code;
  }

  /** The diagnostic text for what selection found. */
  abstract String message(Facts facts);

  /** The diagnostic as the exception the resolver throws. */
  ProviderException exception(Facts facts) {
    return new ProviderException(message(facts));
  }

  /**
   * What selection found, as much as any diagnostic needs.
   *
   * @param name the requested name, or null for automatic selection
   * @param via how the name was given ({@code "named by the caller"}), or null
   * @param candidates every candidate's verdict, in listing order
   * @param emptyNote what the listing says when there is no candidate
   * @param broken the broken candidates, in discovery order
   * @param duplicateNames the names claimed twice
   * @param byName the loaded candidates by name
   * @param usable the loaded candidates whose name is unique
   * @param namedProbeFailure for {@link #NAMED_UNAVAILABLE}: {@code "probe failed: <reason>"}
   */
  record Facts(
      String name,
      String via,
      List<Candidate> candidates,
      String emptyNote,
      List<BackendCandidate> broken,
      List<String> duplicateNames,
      Map<String, List<BackendCandidate>> byName,
      List<BackendCandidate> usable,
      String namedProbeFailure) {

    String listing() {
      if (candidates.isEmpty()) {
        return "Candidates: none (" + emptyNote + ").\n";
      }
      StringBuilder sb = new StringBuilder("Candidates:\n");
      for (Candidate c : candidates) {
        sb.append("  - ").append(c.describe()).append('\n');
      }
      return sb.toString();
    }
  }
}
