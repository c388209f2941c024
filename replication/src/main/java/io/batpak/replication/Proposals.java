package io.batpak.replication;

import io.batpak.StoreClosedException;
import io.batpak.port.StoreClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.jspecify.annotations.Nullable;

/**
 * A member's group commit of proposals (ADR 0042). Appends from many threads wait here, and one
 * sender thread proposes whatever is waiting as one Raft entry: a {@link Entries#GROUP} of several
 * appends, or the append itself when it is alone. One entry is in flight at a time; while it is,
 * new appends gather into the next. Every member applies a group's parts in order, each with its
 * own outcome, so grouping changes no append's meaning, only how many Raft entries (and their fixed
 * costs: a client request, a log record, a replication round trip, an apply) carry them.
 *
 * <p>Why one in flight: on loopback a second entry in flight made each entry's commit take about
 * twice as long (Ratis spaces a follower's appendEntries calls and batches its log flushes), so two
 * smaller groups moved fewer appends than one larger one (docs/performance.md).
 *
 * <p>Why a group waits a little: the threads whose appends the last entry carried usually append
 * again at once. Sent without them, the next entry would carry only the appends that came while the
 * last one was in flight, and the member's writers would settle into two halves taking turns, each
 * entry carrying half of them. So, after an entry's outcome, the next group waits until as many
 * appends wait as were waiting then plus the ones the entry carried, for at most a quarter of the
 * entry's commit time and never more than {@value #MAX_LINGER_NANOS} ns. A lone writer (or one
 * whose next append comes later) is never kept waiting by it.
 *
 * <p>An entry whose outcome does not arrive within the request timeout stops holding the sender:
 * its appends fail as unconfirmed and the next group goes out, so a request Ratis keeps retrying
 * never stalls the member's later appends.
 *
 * <p>Thread-safe. Futures complete on Ratis's threads, on the sender thread (a timeout) or on the
 * thread that closes.
 */
final class Proposals implements AutoCloseable {
  /** The most bytes one group entry carries (its parts' entries, encoded). */
  static final int MAX_GROUP_BYTES = 1 << 20;

  /** The longest a group waits for the last entry's threads to append again. */
  static final long MAX_LINGER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

  private record Pending(byte[] entry, CompletableFuture<Entries.Reply> reply) {}

  private final String memberId;
  private final Function<Message, CompletableFuture<RaftClientReply>> send;
  private final Duration timeout;
  private final StoreClock clock;

  /** Sender thread only: an append that did not fit in the last group, to start the next. */
  private @Nullable Pending carried;

  /** Sender thread only: how many appends the next group waits for, up to {@link #lingerUntil}. */
  private int expected;

  /** Sender thread only: until when the next group waits for {@link #expected} appends. */
  private long lingerUntil;

  private final LinkedBlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final Thread sender;
  private volatile boolean closed;

  /**
   * @param send sends one entry to the Raft leader and completes with its reply
   * @param timeout how long the sender waits for an entry's outcome before it sends the next
   * @param clock measures that time and the wait for a group to fill
   */
  Proposals(
      String memberId,
      Function<Message, CompletableFuture<RaftClientReply>> send,
      Duration timeout,
      StoreClock clock) {
    this.memberId = memberId;
    this.send = send;
    this.timeout = timeout;
    this.clock = clock;
    this.sender = new Thread(this::run, "batpak-replication-propose-" + memberId);
    sender.setDaemon(true);
    sender.start();
  }

  /**
   * Queues one encoded append entry; the future completes with its own outcome, or fails with why
   * its entry's commit was not confirmed ({@link StoreClosedException} when the member closed
   * before it was proposed).
   */
  CompletableFuture<Entries.Reply> submit(byte[] appendEntry) {
    CompletableFuture<Entries.Reply> reply = new CompletableFuture<>();
    Pending p = new Pending(appendEntry, reply);
    queue.add(p);
    if (closed && queue.remove(p)) {
      reply.completeExceptionally(closedException());
    }
    return reply;
  }

  private void run() {
    try {
      while (!closed) {
        Pending first = carried != null ? carried : queue.poll(100, TimeUnit.MILLISECONDS);
        carried = null;
        if (first != null) {
          List<Pending> group = gather(first);
          long sent = clock.monoNanos();
          int waiting = propose(group);
          long answered = clock.monoNanos();
          expected = Math.min(Entries.MAX_GROUP_PARTS, waiting + group.size());
          lingerUntil = answered + Math.min(MAX_LINGER_NANOS, (answered - sent) / 4);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      failWaiting();
    }
  }

  /**
   * {@code first} and the appends waiting behind it, within the group limits; until {@link
   * #lingerUntil}, also those the last entry's threads append next, up to {@link #expected} in all.
   * Interrupted (the member closes) while it waits, it fails the appends it took before it throws:
   * they are in neither the queue nor an entry, and nothing else would ever complete them.
   */
  private List<Pending> gather(Pending first) throws InterruptedException {
    List<Pending> group = new ArrayList<>();
    group.add(first);
    int bytes = first.entry().length;
    while (group.size() < Entries.MAX_GROUP_PARTS) {
      Pending next = queue.poll();
      if (next == null) {
        long left = group.size() < expected ? lingerUntil - clock.monoNanos() : 0;
        try {
          next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : null;
        } catch (InterruptedException e) {
          fail(group, closedException());
          throw e;
        }
        if (next == null) {
          break;
        }
      }
      if (bytes + next.entry().length > MAX_GROUP_BYTES) {
        carried = next;
        break;
      }
      group.add(next);
      bytes += next.entry().length;
    }
    return group;
  }

  /**
   * Sends {@code group} as one entry and waits, up to the timeout, for its outcome. The thread that
   * completes the entry first lets the sender go on to the next group, then completes the group's
   * appends (waking each waiting thread costs a system call, and the next entry need not wait for
   * them). An entry without an outcome by the timeout fails its appends as unconfirmed.
   */
  private int propose(List<Pending> group) throws InterruptedException {
    byte[] entry;
    if (group.size() == 1) {
      entry = group.get(0).entry();
    } else {
      List<byte[]> parts = new ArrayList<>(group.size());
      for (Pending p : group) {
        parts.add(p.entry());
      }
      entry = Entries.encodeGroup(parts);
    }
    CompletableFuture<Integer> answered = new CompletableFuture<>();
    try {
      send.apply(Message.valueOf(ByteString.copyFrom(entry)))
          .whenComplete(
              (reply, error) -> {
                answered.complete(queue.size());
                deliver(group, reply, error);
              });
    } catch (RuntimeException e) {
      fail(group, e);
      return 0;
    }
    try {
      return answered.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      fail(
          group,
          new TimeoutException(
              "member " + memberId + ": no outcome of the Raft entry within " + timeout));
      return queue.size();
    } catch (ExecutionException e) {
      throw new IllegalStateException("answered is only ever completed normally", e);
    } catch (InterruptedException e) {
      fail(
          group,
          new IllegalStateException(
              "member " + memberId + " closed while the Raft entry was in flight"));
      throw e;
    }
  }

  private static void deliver(
      List<Pending> group, @Nullable RaftClientReply reply, @Nullable Throwable error) {
    if (error != null) {
      fail(group, error);
      return;
    }
    if (reply == null || !reply.isSuccess()) {
      Throwable why =
          reply == null || reply.getException() == null
              ? new IllegalStateException("the Raft leader answered without success")
              : reply.getException();
      fail(group, why);
      return;
    }
    Entries.Reply r;
    try {
      r = Entries.decodeReply(reply.getMessage().getContent().toByteArray());
    } catch (RuntimeException e) {
      fail(group, e);
      return;
    }
    if (group.size() == 1) {
      group.get(0).reply().complete(r);
    } else if (r instanceof Entries.Grouped g && g.parts().size() == group.size()) {
      for (int i = 0; i < group.size(); i++) {
        group.get(i).reply().complete(g.parts().get(i));
      }
    } else {
      fail(group, new IllegalStateException("a group of " + group.size() + " got the reply " + r));
    }
  }

  private static void fail(List<Pending> group, Throwable why) {
    for (Pending p : group) {
      p.reply().completeExceptionally(why);
    }
  }

  private void failWaiting() {
    List<Pending> left = new ArrayList<>();
    Pending c = carried;
    if (c != null) {
      carried = null;
      left.add(c);
    }
    queue.drainTo(left);
    fail(left, closedException());
  }

  private StoreClosedException closedException() {
    return new StoreClosedException(
        "replicated store member " + memberId + " closed before the append was proposed");
  }

  /** Stops the sender; appends still waiting fail with {@link StoreClosedException}. */
  @Override
  public void close() {
    closed = true;
    sender.interrupt();
    try {
      sender.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    failWaiting();
  }
}
