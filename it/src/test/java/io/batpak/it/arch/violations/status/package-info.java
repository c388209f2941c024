/**
 * Deliberate violations of {@code ApiStatusTest}'s rules, treated by that test as if this package
 * were exported: it has no {@code @NullMarked}, and {@link
 * io.batpak.it.arch.violations.status.PublicTypeWithoutStatus} has no {@code @API}. Never used at
 * run time.
 */
package io.batpak.it.arch.violations.status;
