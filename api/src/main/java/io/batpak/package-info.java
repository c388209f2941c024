/**
 * The batpak API: {@link io.batpak.Store} and {@link io.batpak.StoreConfig}, the values an
 * application appends and reads ({@link io.batpak.Coordinate}, {@link io.batpak.EventKind}, the
 * 128-bit ids, {@link io.batpak.Region}, {@link io.batpak.Bytes}), receipts, and the exceptions.
 *
 * <p>Thread-safety: a {@link io.batpak.Store} is safe for concurrent use. Every value type, record,
 * enum and exception in this package is immutable and safe to share between threads; {@link
 * io.batpak.StoreConfig.Builder} is the one mutable type and is not thread-safe.
 *
 * <p>Failures: every exception is an unchecked {@link io.batpak.StoreException} subtype whose
 * message names the bad value and what to do.
 */
@NullMarked
package io.batpak;

import org.jspecify.annotations.NullMarked;
