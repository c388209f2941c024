package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.io.IOException;
import org.apiguardian.api.API;

/**
 * Thrown by an operation of {@link SimStoreFs} that a {@link FaultAction.CrashBefore} or {@link
 * FaultAction.CrashAfter} fault hit, and by every later operation until the simulator is brought
 * back with {@link SimStoreFs#crash(CrashProfile)} or {@link SimStoreFs#restart()}. To the engine
 * it is an ordinary {@link IOException}: the simulated machine lost power in the middle of the
 * call.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public final class SimulatedCrashException extends IOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message what crashed, naming the operation and path
   */
  public SimulatedCrashException(String message) {
    super(message);
  }
}
