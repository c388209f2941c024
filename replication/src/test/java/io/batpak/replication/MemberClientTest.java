package io.batpak.replication;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.batpak.port.StoreClock;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.function.Function;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.junit.jupiter.api.Test;

/**
 * {@link MemberClient} replaces a Raft client that refuses a request ({@link
 * AlreadyClosedException}) and sends the request again, through as many new clients as refuse it,
 * while the request's time lasts. The clients here are stand-ins: each answers with what the test
 * gives it, and records its close.
 */
class MemberClientTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(2);

  private static final RaftClientReply REPLY =
      RaftClientReply.newBuilder()
          .setClientId(ClientId.randomId())
          .setServerId(RaftPeerId.valueOf("n1"))
          .setGroupId(RaftGroupId.randomId())
          .setCallId(1)
          .setSuccess()
          .build();

  /** A monotonic clock the test moves. */
  private static final class ManualClock implements StoreClock {
    final AtomicLong mono = new AtomicLong(1_000);

    @Override
    public long wallMicros() {
      return mono.get() / 1_000;
    }

    @Override
    public long wallNanos() {
      return mono.get();
    }

    @Override
    public long monoNanos() {
      return mono.get();
    }

    @Override
    public long awaitNanos(Condition condition, long nanos) {
      throw new UnsupportedOperationException("MemberClient does not wait on the clock");
    }

    @Override
    public void sleepNanos(long nanos) {
      throw new UnsupportedOperationException("MemberClient does not sleep");
    }
  }

  /** The clients a {@link MemberClient} made, in order, and which of them were closed. */
  private static final class Clients {
    final List<RaftClient> made = new ArrayList<>();
    final List<RaftClient> closed = new ArrayList<>();

    RaftClient next() {
      RaftClient[] self = new RaftClient[1];
      int number = made.size();
      self[0] =
          (RaftClient)
              Proxy.newProxyInstance(
                  RaftClient.class.getClassLoader(),
                  new Class<?>[] {RaftClient.class},
                  (proxy, method, args) ->
                      switch (method.getName()) {
                        case "close" -> {
                          closed.add(self[0]);
                          yield null;
                        }
                        case "toString" -> "client-" + number;
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                      });
      made.add(self[0]);
      return self[0];
    }
  }

  private static CompletableFuture<RaftClientReply> refusal() {
    return CompletableFuture.failedFuture(
        new AlreadyClosedException("SlidingWindow$Client:client->RAFT is closed."));
  }

  /** The first {@code refusing} clients refuse the request; the next one answers it. */
  private static Function<RaftClient, CompletableFuture<RaftClientReply>> refusedBy(
      Clients clients, int refusing) {
    return c ->
        clients.made.indexOf(c) < refusing ? refusal() : CompletableFuture.completedFuture(REPLY);
  }

  @Test
  void aRequestGoesThroughAsManyNewClientsAsRefuseItWhileTimeIsLeft() throws Exception {
    Clients clients = new Clients();
    try (MemberClient client = new MemberClient("n1", clients::next, new ManualClock())) {
      assertSame(REPLY, client.send(refusedBy(clients, 2), TIMEOUT));
      assertEquals(3, clients.made.size(), "the first client and two replacements");
      assertEquals(clients.made.subList(0, 2), clients.closed, "each refusing client is closed");
      assertSame(clients.made.get(2), client.current());
    }
  }

  @Test
  void anAsyncRequestGoesThroughAsManyNewClientsAsRefuseItWhileTimeIsLeft() throws Exception {
    Clients clients = new Clients();
    try (MemberClient client = new MemberClient("n1", clients::next, new ManualClock())) {
      assertSame(REPLY, client.sendAsync(refusedBy(clients, 2), TIMEOUT).get(1, TimeUnit.MINUTES));
      assertEquals(3, clients.made.size(), "the first client and two replacements");
      assertEquals(clients.made.subList(0, 2), clients.closed, "each refusing client is closed");
    }
  }

  @Test
  void aRefusalAfterTheRequestsTimeIsUpStands() throws Exception {
    Clients clients = new Clients();
    ManualClock clock = new ManualClock();
    try (MemberClient client = new MemberClient("n1", clients::next, clock)) {
      Function<RaftClient, CompletableFuture<RaftClientReply>> lateRefusal =
          c -> {
            clock.mono.addAndGet(TIMEOUT.toNanos());
            return refusal();
          };
      ExecutionException sync =
          assertThrows(ExecutionException.class, () -> client.send(lateRefusal, TIMEOUT));
      assertInstanceOf(AlreadyClosedException.class, sync.getCause());
      ExecutionException async =
          assertThrows(
              ExecutionException.class,
              () -> client.sendAsync(lateRefusal, TIMEOUT).get(1, TimeUnit.MINUTES));
      assertInstanceOf(AlreadyClosedException.class, async.getCause());
      assertEquals(1, clients.made.size(), "no client is made for a request whose time is up");
    }
  }

  @Test
  void otherFailuresAreNotResent() throws Exception {
    Clients clients = new Clients();
    try (MemberClient client = new MemberClient("n1", clients::next, new ManualClock())) {
      int[] sends = new int[1];
      Function<RaftClient, CompletableFuture<RaftClientReply>> exhausted =
          c -> {
            sends[0]++;
            return CompletableFuture.failedFuture(
                new RaftRetryFailureException(null, 20, null, null));
          };
      assertThrows(ExecutionException.class, () -> client.send(exhausted, TIMEOUT));
      assertThrows(
          ExecutionException.class,
          () -> client.sendAsync(exhausted, TIMEOUT).get(1, TimeUnit.MINUTES));
      assertEquals(2, sends[0], "each request was sent once");
      assertEquals(1, clients.made.size());
    }
  }

  @Test
  void twoRequestsRefusedByTheSameClientReplaceItOnce() throws Exception {
    Clients clients = new Clients();
    try (MemberClient client = new MemberClient("n1", clients::next, new ManualClock())) {
      RaftClient first = client.current();
      Map<RaftClient, List<CompletableFuture<RaftClientReply>>> pending = new HashMap<>();
      Function<RaftClient, CompletableFuture<RaftClientReply>> held =
          c -> {
            CompletableFuture<RaftClientReply> f = new CompletableFuture<>();
            pending.computeIfAbsent(c, k -> new ArrayList<>()).add(f);
            return f;
          };
      CompletableFuture<RaftClientReply> one = client.sendAsync(held, TIMEOUT);
      CompletableFuture<RaftClientReply> two = client.sendAsync(held, TIMEOUT);
      for (CompletableFuture<RaftClientReply> f : List.copyOf(pending.get(first))) {
        f.completeExceptionally(new AlreadyClosedException("closed"));
      }
      assertEquals(2, clients.made.size(), "one replacement for both refusals");
      RaftClient second = clients.made.get(1);
      assertEquals(2, pending.get(second).size(), "both requests went to the replacement");
      pending.get(second).forEach(f -> f.complete(REPLY));
      assertSame(REPLY, one.get(1, TimeUnit.MINUTES));
      assertSame(REPLY, two.get(1, TimeUnit.MINUTES));
    }
  }

  @Test
  void aClosedMemberClientMakesNoNewClient() throws Exception {
    Clients clients = new Clients();
    MemberClient client = new MemberClient("n1", clients::next, new ManualClock());
    client.close();
    ExecutionException refused =
        assertThrows(
            ExecutionException.class, () -> client.send(c -> refusal(), Duration.ofDays(1)));
    assertInstanceOf(AlreadyClosedException.class, refused.getCause());
    assertThrows(
        ExecutionException.class,
        () -> client.sendAsync(c -> refusal(), Duration.ofDays(1)).get(1, TimeUnit.MINUTES));
    assertEquals(1, clients.made.size(), "a closed member does not replace its client");
    assertTrue(clients.closed.contains(clients.made.get(0)));
  }
}
