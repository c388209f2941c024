package io.batpak.spi;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;

/**
 * Why {@link ProviderLoader} refused to choose a provider. Each reason has a number shared by every
 * {@link ProviderKind}: {@code BATPAK-FS-004}, {@code BATPAK-CODEC-004} and {@code
 * BATPAK-ENGINE-004} all mean a duplicate name. Not every reason applies to every kind ({@code
 * docs/errors.md} lists the codes in use).
 *
 * @since 0.1
 */
@API(status = INTERNAL, since = "0.1")
public enum Refusal {
  /** No usable provider: none was found, or none qualified. Code number 001. */
  NONE_FOUND(1),
  /** No provider has the requested name. Code number 002. */
  UNKNOWN_NAME(2),
  /** Several providers qualify equally, and none is chosen. Code number 003. */
  TIE(3),
  /** Two or more providers claim one name. Code number 004. */
  DUPLICATE_NAME(4),
  /** A provider failed to load, or has an invalid name. Code number 005. */
  BROKEN_PROVIDER(5),
  /** The provider chosen by name cannot work here. Code number 006. */
  NAMED_UNAVAILABLE(6);

  private final int number;

  Refusal(int number) {
    this.number = number;
  }

  /**
   * The number in this reason's codes.
   *
   * @return 1 to 6
   */
  public int number() {
    return number;
  }
}
