package io.batpak.cli;

import io.batpak.AppendOptions;
import io.batpak.AppendReceipt;
import io.batpak.Bytes;
import io.batpak.ConcurrencyConflictException;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.IdempotencyConflictException;
import io.batpak.IdempotencyKey;
import io.batpak.OutcomeUnknownException;
import io.batpak.StoreException;
import io.batpak.replication.ReplicaHead;
import io.batpak.replication.ReplicatedReceipt;
import io.batpak.replication.ReplicatedStore;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/**
 * The line console of {@code batpak serve --console}: one command per line on stdin, one reply line
 * per command on stdout ({@code dump} answers several lines ending with {@code end}). Replies are
 * {@code key=value} words after a first word that says what happened, so scripts split on spaces.
 */
final class ServeConsole {

  /** The kind of the events {@code append} writes: custom category 1, type 1. */
  static final EventKind KIND = EventKind.custom(1, 1);

  /** The scope of the coordinates {@code append} writes to. */
  static final String SCOPE = "console";

  /** The domain of {@link IdempotencyKey#forOperation} for {@code append}'s key. */
  static final String KEY_DOMAIN = "batpak.serve.append";

  static final String HELP =
      "console commands (one per line; replies on stdout, after a first line 'ready ID'\n"
          + "once the member runs):\n"
          + "  append <entity> <text> [key]  append text (one word) to entity; with key, a retry\n"
          + "                                lands once. Replies: ok global=G stream=S id=ID\n"
          + "                                hash=H term=T index=I | conflict <why> |\n"
          + "                                unknown <why> (retry with the same key) | error <why>\n"
          + "  head                          head index=I next=G hash=H (this member's chain head\n"
          + "                                as applied here, no read barrier: on a follower it\n"
          + "                                can lag the ok of an append just made)\n"
          + "  leader                        leader yes|no (whether this member leads now)\n"
          + "  dump                          read barrier, then 'event global=G id=ID entity=E\n"
          + "                                stream=S hash=H' lines and 'end count=N'\n"
          + "  members                       members ids=n1,n2,n3 (the current configuration)\n"
          + "  members set <peers>           change the members to id=host:port,... (new\n"
          + "                                members run 'batpak serve --join' first)\n"
          + "  help                          this list\n"
          + "  stop                          stop the member cleanly (so does end of input)\n";

  private final ReplicatedStore member;
  private final PrintStream out;
  private final Duration timeout;

  ServeConsole(ReplicatedStore member, PrintStream out, Duration timeout) {
    this.member = member;
    this.out = out;
    this.timeout = timeout;
  }

  /**
   * Answers one line; returns false when it asks the member to stop. A failure of one command is
   * its reply; it never ends the console.
   */
  boolean handle(String line) {
    String[] w = line.strip().split("\\s+");
    try {
      switch (w[0]) {
        case "" -> {
          return true;
        }
        case "append" -> append(w);
        case "head" -> out.println("head " + head(member.head()));
        case "leader" -> out.println("leader " + (member.isLeader() ? "yes" : "no"));
        case "dump" -> dump();
        case "members" -> members(w);
        case "help" -> out.print(HELP);
        case "stop" -> {
          out.println("stopping");
          return false;
        }
        default ->
            out.println(
                "error unknown console command '"
                    + w[0]
                    + "'; commands: append, head, leader, dump, members, help, stop");
      }
    } catch (UsageException e) {
      out.println("error " + oneLine(e.getMessage()));
    } catch (OutcomeUnknownException e) {
      out.println("unknown " + oneLine(e.getMessage()));
    } catch (StoreException e) {
      out.println("error " + oneLine(e.getMessage()));
    } finally {
      out.flush();
    }
    return true;
  }

  private void append(String[] w) throws UsageException {
    if (w.length < 3 || w.length > 4) {
      throw new UsageException(
          "append takes <entity> <text> [key] (text one word), got '" + String.join(" ", w) + "'");
    }
    AppendOptions options = AppendOptions.defaults();
    if (w.length == 4) {
      options = options.withIdempotencyKey(IdempotencyKey.forOperation(KEY_DOMAIN, w[3]));
    }
    ReplicatedReceipt r;
    try {
      r = member.appendReplicated(Coordinate.of(w[1], SCOPE), KIND, Bytes.utf8(w[2]), options);
    } catch (ConcurrencyConflictException | IdempotencyConflictException e) {
      out.println("conflict " + oneLine(e.getMessage()));
      return;
    } catch (OutcomeUnknownException e) { // the message names the store's form of the key
      out.println(
          "unknown "
              + oneLine(e.getMessage())
              + (w.length == 4
                  ? " (on this console: retry 'append " + w[1] + " " + w[2] + " " + w[3] + "')"
                  : " (no key was given: a retry may append it twice)"));
      return;
    }
    AppendReceipt a = r.receipt();
    out.println(
        "ok global="
            + a.globalSequence()
            + " stream="
            + a.streamSequence()
            + " id="
            + a.eventId()
            + " hash="
            + a.eventHash().toHex()
            + " term="
            + r.term()
            + " index="
            + r.index());
  }

  private void dump() {
    member.awaitLeaderHead(timeout);
    long[] count = {0};
    CommandSupport.forEachEvent(
        member,
        -1,
        h -> {
          out.println(event(h));
          count[0]++;
          return true;
        });
    out.println("end count=" + count[0]);
  }

  private void members(String[] w) throws UsageException {
    if (w.length == 3 && w[1].equals("set")) {
      member.setMembers(ServeOptions.parsePeers(w[2]));
    } else if (w.length != 1) {
      throw new UsageException("members takes nothing, or 'set id=host:port,...'");
    }
    out.println("members ids=" + String.join(",", List.copyOf(member.members())));
  }

  static String head(ReplicaHead h) {
    return "index="
        + h.appliedIndex()
        + " next="
        + h.nextGlobalSequence()
        + " hash="
        + h.lastEventHash().toHex();
  }

  static String event(EventHeader h) {
    return "event global="
        + h.globalSequence()
        + " id="
        + h.eventId()
        + " entity="
        + h.entity()
        + " stream="
        + h.streamSequence()
        + " hash="
        + h.eventHash().toHex();
  }

  private static String oneLine(String message) {
    return String.valueOf(message).replace('\n', ' ');
  }
}
