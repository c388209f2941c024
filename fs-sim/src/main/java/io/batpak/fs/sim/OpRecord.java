package io.batpak.fs.sim;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * One entry of the {@link SimStoreFs#opLog() op log}: a call made to the simulator, or a control
 * action of the test ({@code CRASH}, {@code RESTART}, {@code SYMLINK}, {@code SYNC_ALL}).
 *
 * <p>A composite {@code PUBLISH} is recorded after the records of its steps, which carry higher
 * sequence numbers than the publish itself (the publish's number is taken when it starts).
 *
 * @param seq the operation's sequence number, 1-based, in the order operations started
 * @param op the operation: an {@link FsOp} name, {@code CLOSE}, {@code UNLOCK}, or a control action
 * @param path the normalised path (both paths, separated by {@code " -> "}, for rename, copy and
 *     publish)
 * @param args a short summary of the arguments (offsets, lengths, modes)
 * @param outcome {@code "ok"}, a result such as {@code "ok 12 bytes"}, or the exception's simple
 *     class name and message
 * @param injected whether a fault rule fired on this operation
 * @param stateChanging whether the simulated disk (any file content, volatile or durable, or any
 *     directory entry) changed since the previous record; the crash-point explorer snapshots after
 *     exactly these records
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public record OpRecord(
    long seq,
    String op,
    String path,
    String args,
    String outcome,
    boolean injected,
    boolean stateChanging) {

  /** Validates that the text fields are present. */
  public OpRecord {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(args, "args");
    Objects.requireNonNull(outcome, "outcome");
  }

  /** The canonical one-line form that the digest is computed over. */
  @Override
  public String toString() {
    return seq
        + " "
        + op
        + " "
        + path
        + " ["
        + args
        + "] -> "
        + outcome
        + (injected ? " (injected)" : "")
        + (stateChanging ? " *" : "");
  }
}
