package io.batpak.engine.internal.sign;

import io.batpak.AppendReceipt;
import io.batpak.ReceiptSigningException;
import io.batpak.engine.internal.format.EventRecord;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Signs each group commit's receipts off the committing thread (ADR 0019). In DURABLE mode the
 * committer starts a group's signing ({@link #start}) before it writes and syncs the group, so the
 * signature is made while the fsync runs, and completes the appends itself once the group is
 * visible ({@link #await}). Otherwise (VISIBLE mode, a group of retries only) it hands the group's
 * answers over once they are visible ({@link #sign}) and moves on; the signing thread builds the
 * group's receipt tree, signs its root once and completes the group's appends. Groups are signed,
 * and so complete, in commit order (one signing thread). A signing failure fails that group's
 * appends with {@link ReceiptSigningException} and nothing else: signing touches no file, so it
 * never poisons the store. Thread-safe: {@link #sign} may be called from any thread; the signer
 * itself runs only on the executor's single thread.
 */
public final class GroupSigner {
  private static final System.Logger LOG = System.getLogger(GroupSigner.class.getName());

  private final Function<List<List<EventRecord>>, List<List<AppendReceipt>>> signer;
  private final Executor thread;

  /**
   * Signs with the ring's signing key on {@code thread}, which must run one task at a time in
   * submission order (a single-thread executor, or the caller's thread in deterministic mode).
   */
  public GroupSigner(KeyRing keys, Executor thread) {
    this(new ReceiptSigner(keys)::sign, thread);
  }

  /** Signs with {@code signer} (tests give one that fails). */
  GroupSigner(
      Function<List<List<EventRecord>>, List<List<AppendReceipt>>> signer, Executor thread) {
    this.signer = signer;
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
    start(answers)
        .whenComplete(
            (receipts, e) -> {
              if (e == null) {
                signed.accept(receipts);
              } else {
                failed.accept((ReceiptSigningException) e);
              }
            });
  }

  /**
   * Starts signing the receipts of {@code answers} on the signing thread and returns at once: the
   * committer starts a DURABLE group's signing before its write and fsync, and awaits it with
   * {@link #await} once the group is visible, so the signature costs no time on the committing
   * thread while the fsync takes longer. The future fails only with a {@link
   * ReceiptSigningException}.
   */
  public CompletableFuture<List<List<AppendReceipt>>> start(List<List<EventRecord>> answers) {
    CompletableFuture<List<List<AppendReceipt>>> f = new CompletableFuture<>();
    thread.execute(
        () -> {
          try {
            f.complete(signer.apply(answers));
          } catch (RuntimeException | Error e) {
            LOG.log(System.Logger.Level.ERROR, "signing a group's receipts failed", e);
            f.completeExceptionally(failure(answers, e));
          }
        });
    return f;
  }

  /**
   * Waits for a signing {@link #start} began: the signed receipts, or {@code failed} is called with
   * the failure and null is returned.
   */
  public static List<List<AppendReceipt>> await(
      CompletableFuture<List<List<AppendReceipt>>> started,
      Consumer<ReceiptSigningException> failed) {
    try {
      return started.join();
    } catch (CompletionException e) {
      failed.accept((ReceiptSigningException) e.getCause());
      return null;
    }
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
