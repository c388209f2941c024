package io.batpak.test;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import io.batpak.Store;
import org.apiguardian.api.API;

/**
 * The "when" step of a given/when/then fixture ({@link ProjectionFixture#when}, {@link
 * ReactorFixture#when}): a command run against the kit's store, for example {@code store ->
 * store.append(order, PAID, payload, AppendOptions.defaults().withExpectedVersion(
 * ExpectedVersion.exactly(1)))} or {@code store -> new Orders(store).pay("A-1", 500)}.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
@FunctionalInterface
public interface StoreCommand {
  /**
   * Runs the command.
   *
   * @param store the kit's store ({@link SimStore#store()}), which records the receipts it returns
   * @throws Exception anything; the fixture keeps it for {@code thenRefused}
   */
  void run(Store store) throws Exception;
}
