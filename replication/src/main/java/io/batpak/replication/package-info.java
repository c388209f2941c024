/**
 * A batpak {@link io.batpak.Store} replicated over Apache Ratis (docs/adr/0037): the Raft leader is
 * the single writer, the Raft log carries each append, and every member applies the same entries in
 * the same order to its own local store, so the members' journals hold the same events with the
 * same hashes. Entry point: {@link io.batpak.replication.ReplicatedStore#start}.
 */
@NullMarked
package io.batpak.replication;

import org.jspecify.annotations.NullMarked;
