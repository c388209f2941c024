package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.List;
import org.apiguardian.api.API;

/**
 * What a {@link CursorWorker} calls with each batch of events ({@link Store#cursorWorker}).
 *
 * <p>Called on the worker's thread only, one batch at a time, in global order. The worker saves its
 * checkpoint after this returns normally; a throw makes the worker restart from its last saved
 * checkpoint, so the batch (and anything after that checkpoint) is delivered again: make the
 * handler idempotent. It may call any method of the store, {@link Store#close()} and {@link
 * CursorWorker#stop()} included.
 *
 * @since 0.13
 */
@API(status = EXPERIMENTAL, since = "0.13")
@FunctionalInterface
public interface CursorHandler {
  /**
   * Consumes one batch (never empty; an immutable list).
   *
   * @throws Exception to have the batch delivered again, within the restart policy
   */
  void handle(List<StoredEvent> batch) throws Exception;
}
