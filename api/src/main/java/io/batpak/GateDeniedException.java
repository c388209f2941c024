package io.batpak;

import static org.apiguardian.api.API.Status.EXPERIMENTAL;

import java.util.Objects;
import org.apiguardian.api.API;

/**
 * An {@link AtomicGate} refused the append at commit time ({@link AppendOptions#withGate}). Nothing
 * was written for this append (for a batch: for none of its items), no I/O was done for it, and the
 * store is healthy: the other appends of the same group commit, and later appends go on. The {@link
 * #denial()} says which gate refused and why; a gate that threw is code {@link Denial#GATE_DEFECT},
 * one that ran past {@link StoreConfig#gateBudget()} is code {@link Denial#GATE_TIMEOUT}. To keep a
 * durable record of the refusal, pass it to {@link Store#appendDenial} ({@link
 * DenialPayload#of(GateDeniedException, String)}).
 *
 * <p>Caller-side gates ({@code io.batpak.gate.GateSet}) never throw this: their denials are
 * results.
 *
 * @since 0.1
 */
@API(status = EXPERIMENTAL, since = "0.1")
public class GateDeniedException extends StoreException {
  private static final long serialVersionUID = 2L;

  private final Denial denial;
  private final int proposedKind;
  private final byte[] proposedContentHash;

  /**
   * Creates the exception for {@code denial} of a proposed event.
   *
   * @param denial the refusal
   * @param proposedKind the kind of the refused event
   * @param proposedContentHash BLAKE3 of its payload (32 bytes), or empty
   * @param item the index of the refused item in its batch, or -1 for a single append
   * @throws NullPointerException if an argument is null
   */
  public GateDeniedException(
      Denial denial, EventKind proposedKind, Bytes proposedContentHash, int item) {
    super(message(denial, proposedKind, item));
    this.denial = denial;
    this.proposedKind = proposedKind.raw();
    this.proposedContentHash = proposedContentHash.toByteArray();
  }

  private static String message(Denial denial, EventKind kind, int item) {
    Objects.requireNonNull(denial, "denial");
    Objects.requireNonNull(kind, "proposedKind");
    return "gate '"
        + denial.gate()
        + "' denied the append"
        + (item >= 0 ? " of batch item " + item + " (nothing of the batch was written)" : "")
        + " of kind "
        + kind
        + ": "
        + denial.code()
        + ": "
        + denial.message()
        + (denial.context().isEmpty() ? "" : " " + denial.context())
        + "; nothing was written for it";
  }

  /** Which gate refused, its code, message and evidence. */
  public Denial denial() {
    return denial;
  }

  /** The kind of the refused event. */
  public EventKind proposedKind() {
    return EventKind.fromRaw(proposedKind);
  }

  /** BLAKE3 of the refused event's payload, as its receipt would have carried it. */
  public Bytes proposedContentHash() {
    return Bytes.of(proposedContentHash);
  }
}
