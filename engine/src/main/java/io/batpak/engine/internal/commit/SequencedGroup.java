package io.batpak.engine.internal.commit;

import io.batpak.AppendReceipt;
import io.batpak.StoreException;
import io.batpak.engine.internal.format.EventRecord;
import io.batpak.engine.internal.sign.GroupSigner;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What the sequencer made of a group, and how each of its appends completes: new events in frames,
 * retries answered by events already stored, and refusals. Every append of the group is in exactly
 * one of the three lists and completes exactly once. Confined to the committing thread.
 */
final class SequencedGroup {
  /** An append answered by the events its keys name, and whether they are of this group. */
  private record Retry(AppendRequest request, List<EventRecord> events, boolean ofThisGroup) {}

  /** An append the sequencer refused, and why. */
  private record Refusal(AppendRequest request, StoreException reason) {}

  private final long firstGlobal;
  private long endGlobal;
  private final List<GroupFrame> frames;
  private List<Retry> retries = List.of(); // an ArrayList once there is one (rare)
  private List<Refusal> refusals = List.of();

  /** The signing {@link #startSigning} began, or null. */
  private CompletableFuture<List<List<AppendReceipt>>> signedEarly;

  /** A group whose first new event gets {@code firstGlobal}, of at most {@code appends} frames. */
  SequencedGroup(long firstGlobal, int appends) {
    this.firstGlobal = firstGlobal;
    this.endGlobal = firstGlobal;
    this.frames = new ArrayList<>(appends);
  }

  void placed(GroupFrame frame) {
    frames.add(frame);
    endGlobal += frame.records.size();
  }

  void retried(AppendRequest request, List<EventRecord> events) {
    boolean ofThisGroup = false;
    for (EventRecord e : events) {
      ofThisGroup |= e.globalSequence() >= firstGlobal;
    }
    if (retries.isEmpty()) {
      retries = new ArrayList<>();
    }
    retries.add(new Retry(request, events, ofThisGroup));
  }

  void refused(AppendRequest request, StoreException reason) {
    if (refusals.isEmpty()) {
      refusals = new ArrayList<>();
    }
    refusals.add(new Refusal(request, reason));
  }

  /** The global sequence of the group's first new event. */
  long firstGlobal() {
    return firstGlobal;
  }

  /** One past the global sequence of the group's last new event. */
  long endGlobal() {
    return endGlobal;
  }

  /** The new events, one frame per append. */
  List<GroupFrame> frames() {
    return frames;
  }

  /**
   * Completes the retries answered by events committed before this group: their answer stands
   * whatever happens to the group. Signed by {@code signing} when it is not null.
   */
  void answerEarlierRetries(Executor completions, GroupSigner signing) {
    if (retries.isEmpty()) {
      return;
    }
    List<AppendRequest> requests = new ArrayList<>();
    List<List<EventRecord>> answers = new ArrayList<>();
    for (Retry r : retries) {
      if (!r.ofThisGroup()) {
        requests.add(r.request());
        answers.add(r.events());
      }
    }
    answer(requests, answers, completions, signing);
  }

  /**
   * Completes {@code requests} with the receipts of {@code answers}: here when nothing is signed,
   * else once the signing thread signed them (ADR 0019).
   */
  private static void answer(
      List<AppendRequest> requests,
      List<List<EventRecord>> answers,
      Executor completions,
      GroupSigner signing) {
    if (requests.isEmpty()) {
      return;
    }
    if (signing == null) {
      for (int i = 0; i < requests.size(); i++) {
        requests.get(i).succeed(receipts(answers.get(i)), completions);
      }
      return;
    }
    signing.sign(
        answers,
        signed -> {
          for (int i = 0; i < requests.size(); i++) {
            requests.get(i).succeed(signed.get(i), completions);
          }
        },
        failure -> {
          for (AppendRequest r : requests) {
            r.fail(failure, completions);
          }
        });
  }

  /**
   * The group committed (or had nothing to write): every append gets its answer, signed by {@code
   * signing} when it is not null.
   */
  void succeed(Executor completions, GroupSigner signing) {
    int n = frames.size() + retries.size();
    List<AppendRequest> requests = new ArrayList<>(n);
    List<List<EventRecord>> answers = new ArrayList<>(n);
    answers(requests, answers);
    if (signedEarly != null) {
      List<List<AppendReceipt>> signed =
          GroupSigner.await(
              signedEarly,
              failure -> {
                for (AppendRequest r : requests) {
                  r.fail(failure, completions);
                }
              });
      for (int i = 0; signed != null && i < requests.size(); i++) {
        requests.get(i).succeed(signed.get(i), completions);
      }
    } else {
      answer(requests, answers, completions, signing);
    }
    for (Refusal r : refusals) {
      r.request().fail(r.reason(), completions);
    }
  }

  /** The appends this group answers with its own events, and those events, in order. */
  private void answers(List<AppendRequest> requests, List<List<EventRecord>> answers) {
    for (int i = 0; i < frames.size(); i++) { // indexed: no iterator per group
      GroupFrame f = frames.get(i);
      requests.add(f.request);
      answers.add(f.records);
    }
    for (Retry r : retries) {
      if (r.ofThisGroup()) {
        requests.add(r.request());
        answers.add(r.events());
      }
    }
  }

  /**
   * Starts signing the group's answers on the signing thread while the committer writes and syncs
   * the group (ADR 0019); {@link #succeed} waits for it. A group that fails drops the signatures.
   */
  void startSigning(GroupSigner signing) {
    List<List<EventRecord>> answers = new ArrayList<>();
    answers(new ArrayList<>(), answers);
    signedEarly = signing.start(answers);
  }

  /**
   * The group failed: its appends, and the retries answered by its events, fail with {@code
   * failure}. So do its refusals, since the state a refusal rested on may never have existed.
   */
  void fail(StoreException failure, Executor completions) {
    for (GroupFrame f : frames) {
      f.request.fail(failure, completions);
    }
    for (Retry r : retries) {
      if (r.ofThisGroup()) {
        r.request().fail(failure, completions);
      }
    }
    for (Refusal r : refusals) {
      r.request().fail(failure, completions);
    }
  }

  private static List<AppendReceipt> receipts(List<EventRecord> events) {
    if (events.size() == 1) {
      return List.of(events.get(0).toReceipt()); // immutable already: no copy when it completes
    }
    List<AppendReceipt> out = new ArrayList<>(events.size());
    for (EventRecord e : events) {
      out.add(e.toReceipt());
    }
    return out;
  }
}
