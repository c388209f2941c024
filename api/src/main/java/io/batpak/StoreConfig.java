package io.batpak;

/** Placeholder, completed by the journal issue. */
public final class StoreConfig {
  private StoreConfig() {}
}
