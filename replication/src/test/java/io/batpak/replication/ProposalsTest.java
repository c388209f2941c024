package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.StoreClosedException;
import io.batpak.port.StoreClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import org.apache.ratis.protocol.RaftClientReply;
import org.junit.jupiter.api.Test;

/**
 * A member's group commit (ADR 0042) without Ratis: every append it took completes when the member
 * closes, wherever the append was at that moment: in an entry in flight, in the group being
 * gathered, or in the queue. An append lost on the way would leave its thread waiting out the whole
 * request timeout for an outcome nobody will give.
 */
class ProposalsTest {
  private static final long TIMEOUT_SECONDS = 5;

  /**
   * A clock that runs 40 ms between the sender's first two readings (so the next group waits, up to
   * 1 ms, for more appends) and parks the sender at its third, inside that wait, until the sender
   * is interrupted.
   */
  private static final class ParkingClock implements StoreClock {
    final CountDownLatch parked = new CountDownLatch(1);
    private final AtomicInteger readings = new AtomicInteger();

    @Override
    public long wallMicros() {
      return 0;
    }

    @Override
    public long wallNanos() {
      return 0;
    }

    @Override
    public long monoNanos() {
      int n = readings.incrementAndGet();
      if (n == 3) {
        parked.countDown();
        try {
          Thread.sleep(Long.MAX_VALUE);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt(); // the close; the wait that follows sees it
        }
      }
      return n == 1 ? 0 : TimeUnit.MILLISECONDS.toNanos(40);
    }

    @Override
    public long awaitNanos(Condition condition, long nanos) throws InterruptedException {
      return StoreClock.system().awaitNanos(condition, nanos);
    }

    @Override
    public void sleepNanos(long nanos) throws InterruptedException {
      StoreClock.system().sleepNanos(nanos);
    }
  }

  /**
   * Proposals of member n1 whose every entry Ratis answers with {@code answer}; {@code sent} counts
   * the entries sent.
   */
  private static Proposals answeringWith(
      CompletableFuture<RaftClientReply> answer, CountDownLatch sent, StoreClock clock) {
    return new Proposals(
        "n1",
        entry -> {
          sent.countDown();
          return answer;
        },
        Duration.ofSeconds(60),
        clock);
  }

  private static void assertClosedPromptly(CompletableFuture<Entries.Reply> reply)
      throws Exception {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> reply.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
    assertInstanceOf(StoreClosedException.class, e.getCause(), e.getCause().toString());
  }

  @Test
  void closingWhileTheNextGroupGathersFailsEveryAppendItTookAtOnce() throws Exception {
    ParkingClock clock = new ParkingClock();
    CompletableFuture<RaftClientReply> inFlight = new CompletableFuture<>();
    CountDownLatch sent = new CountDownLatch(1);
    Proposals proposals = answeringWith(inFlight, sent, clock);
    try {
      CompletableFuture<Entries.Reply> first = proposals.submit(new byte[] {1});
      assertTrue(sent.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the first entry is sent");
      // Two appends wait while it is in flight; its outcome makes the next group wait for a third.
      List<CompletableFuture<Entries.Reply>> gathered =
          List.of(proposals.submit(new byte[] {2}), proposals.submit(new byte[] {3}));
      IOException lost = new IOException("the leader went away");
      inFlight.completeExceptionally(lost);
      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> first.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      assertSame(lost, e.getCause());
      assertTrue(clock.parked.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the next group gathers");
      CompletableFuture<Entries.Reply> queued = proposals.submit(new byte[] {4});

      proposals.close();

      for (CompletableFuture<Entries.Reply> r : gathered) {
        assertClosedPromptly(r);
      }
      assertClosedPromptly(queued);
    } finally {
      proposals.close();
    }
  }

  @Test
  void closingWhileAnEntryIsInFlightFailsItsAppendsAndTheQueuedOnesAtOnce() throws Exception {
    CountDownLatch sent = new CountDownLatch(1);
    Proposals proposals =
        answeringWith(new CompletableFuture<>(), sent, StoreClock.system()); // Ratis never answers
    try {
      CompletableFuture<Entries.Reply> inFlight = proposals.submit(new byte[] {1});
      assertTrue(sent.await(TIMEOUT_SECONDS, TimeUnit.SECONDS), "the entry is sent");
      CompletableFuture<Entries.Reply> queued = proposals.submit(new byte[] {2});

      proposals.close();

      ExecutionException e =
          assertThrows(
              ExecutionException.class, () -> inFlight.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
      assertTrue(e.getCause().getMessage().contains("closed while the Raft entry was in flight"));
      assertClosedPromptly(queued);
    } finally {
      proposals.close();
    }
  }
}
