/**
 * The test kit for users' own tests on batpak: a store on the simulated, fault-injecting filesystem
 * for every test ({@link io.batpak.test.BatpakTest}, {@link io.batpak.test.SimStore}),
 * given/when/then fixtures for projections and reactors ({@link io.batpak.test.ProjectionFixture},
 * {@link io.batpak.test.ReactorFixture}), and the contract suite for a user's own filesystem
 * backend ({@link io.batpak.test.StoreFsContractTest}, {@link
 * io.batpak.test.ProviderStoreFsContract}). docs/testing-your-code.md and docs/spi-guide.md walk
 * through both.
 */
@NullMarked
package io.batpak.test;

import org.jspecify.annotations.NullMarked;
