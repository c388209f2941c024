package io.batpak.it.arch.violations.status.marked;

import static org.apiguardian.api.API.Status.INTERNAL;

import org.apiguardian.api.API;

/** Compliant: a public top-level type with an {@code @API} status, in a null-marked package. */
@API(status = INTERNAL, since = "0.1")
public final class PublicTypeWithStatus {
  private PublicTypeWithStatus() {}
}
