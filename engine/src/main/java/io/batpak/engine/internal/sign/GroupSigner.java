package io.batpak.engine.internal.sign;

import io.batpak.AppendReceipt;
import io.batpak.ReceiptSigningException;
import io.batpak.engine.internal.format.EventRecord;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Signs each group commit's receipts off the committing thread (ADR 0019): the committer hands over
 * a group's answers once its events are written, synced (DURABLE) and visible, and moves on to the
 * next group; the signing thread builds the group's receipt tree, signs its root once and completes
 * the group's appends. Groups are signed, and so complete, in commit order (one signing thread). A
 * signing failure fails that group's appends with {@link ReceiptSigningException} and nothing else:
 * signing touches no file, so it never poisons the store. Thread-safe: {@link #sign} may be called
 * from any thread; the signer itself runs only on the executor's single thread.
 */
public final class GroupSigner {
  private static final System.Logger LOG = System.getLogger(GroupSigner.class.getName());

  private final ReceiptSigner signer;
  private final Executor thread;

  /**
   * Signs with the ring's signing key on {@code thread}, which must run one task at a time in
   * submission order (a single-thread executor, or the caller's thread in deterministic mode).
   */
  public GroupSigner(KeyRing keys, Executor thread) {
    this.signer = new ReceiptSigner(keys);
    this.thread = thread;
  }

  /**
   * Signs the receipts of {@code answers} (one list of events per append) on the signing thread,
   * then calls {@code signed} with one list of receipts per append, or {@code failed} when signing
   * failed. Exactly one of the two is called, once.
   */
  public void sign(
      List<List<EventRecord>> answers,
      Consumer<List<List<AppendReceipt>>> signed,
      Consumer<ReceiptSigningException> failed) {
    Runnable task =
        () -> {
          List<List<AppendReceipt>> receipts;
          try {
            receipts = signer.sign(answers);
          } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "signing a group's receipts failed", e);
            failed.accept(failure(answers, e));
            return;
          }
          signed.accept(receipts);
        };
    thread.execute(task);
  }

  /** The typed failure of a group whose receipts could not be signed. */
  static ReceiptSigningException failure(List<List<EventRecord>> answers, Throwable cause) {
    long first = Long.MAX_VALUE;
    long last = -1;
    for (List<EventRecord> events : answers) {
      for (EventRecord e : events) {
        first = Math.min(first, e.globalSequence());
        last = Math.max(last, e.globalSequence());
      }
    }
    return new ReceiptSigningException(
        "the events at global sequences "
            + first
            + " to "
            + last
            + " are committed, but signing their receipts failed ("
            + cause
            + "), and this store hands out signed receipts only. The store is not poisoned."
            + " Read the events back to confirm them; retry only with the same idempotency key"
            + " (the retry is answered by the stored events, with a signed receipt).",
        cause);
  }
}
