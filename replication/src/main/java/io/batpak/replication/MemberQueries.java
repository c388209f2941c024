package io.batpak.replication;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * Read-only queries to one member's state machine, for a snapshot fetch ({@link SnapshotFetch}), on
 * a Raft client of their own that is closed with this object. They are unordered reads aimed at
 * that member: Ratis's ordered requests keep one sequence per client, which requests aimed at a
 * named member (rather than at whichever is leader) break, and a fetch must not stall the member's
 * own client behind it.
 *
 * <p>One fetch at a time uses it (not thread-safe).
 */
final class MemberQueries implements SnapshotFetch.Source {
  private final RaftClient client;
  private final RaftPeerId member;
  private final Duration timeout;

  MemberQueries(RaftClient client, RaftPeerId member, ReplicationConfig config) {
    this.client = client;
    this.member = member;
    this.timeout = config.requestTimeout();
  }

  @Override
  public byte[] ask(byte[] query) throws IOException {
    Message m = Message.valueOf(ByteString.copyFrom(query));
    try {
      RaftClientReply reply =
          client
              .async()
              .sendReadOnlyUnordered(m, member)
              .get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      if (!reply.isSuccess()) {
        throw new IOException("member " + member + " refused the query: " + reply.getException());
      }
      return reply.getMessage().getContent().toByteArray();
    } catch (ExecutionException e) {
      throw new IOException(
          "member " + member + " failed the query: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("member " + member + " did not answer within " + timeout, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted asking member " + member);
    }
  }

  @Override
  public void close() throws IOException {
    client.close();
  }
}
