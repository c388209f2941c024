package io.batpak.it.arch.violations.status;

/** A deliberate violation: a public top-level type with no {@code @API} status. */
public final class PublicTypeWithoutStatus {
  private PublicTypeWithoutStatus() {}

  /** A public nested type: the rule is about top-level types, so this one is not reported. */
  public static final class Nested {
    private Nested() {}
  }
}
