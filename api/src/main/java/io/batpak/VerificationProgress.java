package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import org.apiguardian.api.API;

/**
 * Told how far {@link Store#verifyAll} has got, after each event it checks, on the thread that
 * called {@code verifyAll}. Keep it cheap (a progress bar redraws only when its text changes); an
 * exception it throws ends the verification and reaches the caller.
 *
 * @since 0.2
 */
@FunctionalInterface
@API(status = EXPERIMENTAL, since = "0.1")
public interface VerificationProgress {

  /**
   * {@code checked} of {@code total} events are done.
   *
   * @param checked events checked so far, from 1
   * @param total events to check
   */
  void checked(long checked, long total);

  /** A progress callback that does nothing. */
  static VerificationProgress none() {
    return (checked, total) -> {};
  }
}
