package io.batpak.replication;

import io.batpak.port.StoreClock;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;

/**
 * A member's Raft client, replaced when Ratis stops taking its requests. A Ratis client whose
 * ordered requests once ran out of retries refuses every later one with {@link
 * AlreadyClosedException}, so a single lost quorum would leave the member unable to write or read
 * for good: on that refusal the client is replaced and the request sent again, as often as a new
 * client refuses it too, until the request's time is up (appends carry idempotency keys and queries
 * change nothing, so another send is safe). A new client can refuse as well: Ratis starts each
 * client with a "dummy" request of its own, first in the client's window, and when the group is
 * still without a leader that request can run out of retries too, taking every request behind it
 * down with it.
 *
 * <p>Thread-safe.
 */
final class MemberClient implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(MemberClient.class.getName());

  private final String memberId;
  private final Supplier<RaftClient> clients;
  private final StoreClock clock;
  private volatile RaftClient client;
  private boolean closed;

  /**
   * @param clients makes a new client (called once now, and once per replacement)
   * @param clock measures the time a request may still take after a replacement
   */
  MemberClient(String memberId, Supplier<RaftClient> clients, StoreClock clock) {
    this.memberId = memberId;
    this.clients = clients;
    this.clock = clock;
    this.client = clients.get();
  }

  /**
   * Sends one request and waits up to {@code timeout}, replacing each client that refuses it while
   * time is left.
   */
  RaftClientReply send(
      Function<RaftClient, CompletableFuture<RaftClientReply>> request, Duration timeout)
      throws ExecutionException, TimeoutException, InterruptedException {
    long deadline = Waits.deadline(clock.monoNanos(), timeout);
    return sendAsync(request, deadline).get(deadline - clock.monoNanos(), TimeUnit.NANOSECONDS);
  }

  /**
   * Sends one request without waiting, replacing each client that refuses it while {@code timeout}
   * has not passed.
   */
  CompletableFuture<RaftClientReply> sendAsync(
      Function<RaftClient, CompletableFuture<RaftClientReply>> request, Duration timeout) {
    return sendAsync(request, Waits.deadline(clock.monoNanos(), timeout));
  }

  private CompletableFuture<RaftClientReply> sendAsync(
      Function<RaftClient, CompletableFuture<RaftClientReply>> request, long deadline) {
    RaftClient c = client;
    return request
        .apply(c)
        .handle(
            (reply, error) ->
                error == null
                    ? CompletableFuture.completedFuture(reply)
                    : refused(error) && clock.monoNanos() - deadline < 0 && renew(c)
                        ? sendAsync(request, deadline)
                        : CompletableFuture.<RaftClientReply>failedFuture(error))
        .thenCompose(f -> f);
  }

  /** The client requests go through now (a test makes it run out of retries). */
  RaftClient current() {
    return client;
  }

  private static boolean refused(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof AlreadyClosedException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Replaces {@code failed} with a new client, unless another thread did so already.
   *
   * @return false if this member's client is closed: the refusal stands
   */
  private synchronized boolean renew(RaftClient failed) {
    if (closed) {
      return false;
    }
    if (client == failed) {
      client = clients.get();
      try {
        failed.close();
      } catch (IOException e) {
        LOG.log(
            System.Logger.Level.WARNING,
            "member {0}: closing its refused Raft client failed: {1}",
            memberId,
            e.toString());
      }
      LOG.log(
          System.Logger.Level.INFO,
          "member {0}: its Raft client ran out of retries and refused further requests; it now"
              + " uses a new one",
          memberId);
    }
    return true;
  }

  @Override
  public synchronized void close() throws IOException {
    closed = true;
    client.close();
  }
}
