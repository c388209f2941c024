package io.batpak.fs.spi;

import io.batpak.spi.DiscoveredProvider;
import io.batpak.spi.ProviderLoader;
import io.batpak.spi.StoreFsProvider;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * One provider the loader found, with the two properties only filesystem backends have (priority,
 * auto-selectable), or the reason it is broken. A provider whose {@code priority()} or {@code
 * autoSelectable()} throws is broken like one whose constructor threw.
 */
final class BackendCandidate {
  final StoreFsProvider provider; // null when broken
  final String providerClass;
  final String name; // "" when broken
  final int priority;
  final boolean autoSelectable;
  final Throwable error; // what loading threw, or null
  final String failure; // "failed to load: ...", or null when loaded

  private BackendCandidate(
      StoreFsProvider provider,
      String providerClass,
      String name,
      int priority,
      boolean autoSelectable,
      Throwable error,
      String failure) {
    this.provider = provider;
    this.providerClass = providerClass;
    this.name = name;
    this.priority = priority;
    this.autoSelectable = autoSelectable;
    this.error = error;
    this.failure = failure;
  }

  /** Reads the discovered provider's priority and flag; a throw makes it broken. */
  static BackendCandidate of(DiscoveredProvider<StoreFsProvider> found) {
    String cls = found.providerClass();
    if (!found.loaded()) {
      return new BackendCandidate(
          null, cls, "", 0, false, found.error().orElse(null), found.failure().orElseThrow());
    }
    StoreFsProvider provider = found.provider().orElseThrow();
    int priority;
    boolean auto;
    try {
      priority = provider.priority();
      auto = provider.autoSelectable();
    } catch (RuntimeException | LinkageError e) {
      return new BackendCandidate(
          null, cls, "", 0, false, e, "failed to load: " + ProviderLoader.describe(e));
    }
    return new BackendCandidate(provider, cls, found.name(), priority, auto, null, null);
  }

  boolean loaded() {
    return provider != null;
  }

  /** Loaded candidates by priority (highest first), name and class; broken ones after, in order. */
  static List<BackendCandidate> sorted(List<BackendCandidate> all) {
    List<BackendCandidate> loaded = new ArrayList<>();
    List<BackendCandidate> failed = new ArrayList<>();
    for (BackendCandidate c : all) {
      (c.loaded() ? loaded : failed).add(c);
    }
    loaded.sort(
        Comparator.comparingInt((BackendCandidate c) -> -c.priority)
            .thenComparing(c -> c.name)
            .thenComparing(c -> c.providerClass));
    List<BackendCandidate> result = new ArrayList<>(loaded);
    result.addAll(failed);
    return Collections.unmodifiableList(result);
  }
}
