/**
 * The compliant counterpart of {@code io.batpak.it.arch.violations.status}: a {@code @NullMarked}
 * package whose public type carries {@code @API}, so {@code ApiStatusTest} can show that its rules
 * pass what they should pass.
 */
@NullMarked
package io.batpak.it.arch.violations.status.marked;

import org.jspecify.annotations.NullMarked;
