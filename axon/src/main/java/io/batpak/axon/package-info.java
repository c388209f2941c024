/**
 * Axon Framework 4 on batpak: {@link io.batpak.axon.BatpakEventStorageEngine}, an Axon {@code
 * EventStorageEngine} on a batpak {@code Store}, and {@link io.batpak.axon.BatpakAxon}, which
 * installs it in an Axon {@code Configurer}. See docs/axon.md and ADR 0032.
 */
@NullMarked
package io.batpak.axon;

import org.jspecify.annotations.NullMarked;
