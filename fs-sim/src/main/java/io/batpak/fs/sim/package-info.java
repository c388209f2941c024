/**
 * A deterministic, in-memory, fault-injecting {@link io.batpak.port.StoreFs} for tests: {@link
 * io.batpak.fs.sim.SimStoreFs} models what a power loss may do (volatile versus durable file
 * content and directory entries, torn tails), injects faults described as data ({@link
 * io.batpak.fs.sim.FaultPlan}), records every call in an op log with a 64-bit digest, and takes
 * cheap copy-on-write snapshots. {@link io.batpak.fs.sim.SimStoreClock} and {@link
 * io.batpak.fs.sim.SimEntropy} own time and randomness, so one seed replays one history.
 */
@NullMarked
package io.batpak.fs.sim;

import org.jspecify.annotations.NullMarked;
