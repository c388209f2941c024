package io.batpak.it.arch.violations.status;

/** Not public, so the status rule does not ask it for {@code @API}: never reported. */
final class PackagePrivateHelper {
  private PackagePrivateHelper() {}
}
