package io.batpak.it.kill;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoreConfig;
import io.batpak.engine.FrameLocation;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link SigkillIT}: opens a durable store over the {@code posix} backend and
 * appends until it is killed, printing one line per receipt and flushing it, so every line the
 * parent reads is an acknowledged (fsynced) event. The event at global sequence {@code g} always
 * carries {@link #payload(long)}, so the parent can check every byte.
 *
 * <p>Arguments: the store directory and a seed.
 */
public final class KillChild {
  private KillChild() {}

  /** The payload of the event at global sequence {@code g}. */
  static byte[] payload(long g) {
    StringBuilder b = new StringBuilder("kill-").append(g).append('-');
    int n = (int) (g * 7919 % 600);
    for (int i = 0; i < n; i++) {
      b.append((char) ('a' + (g + i) % 26));
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  static Coordinate coordinate(long g) {
    return Coordinate.of("kill-" + (g % 5), "sigkill");
  }

  /** One receipt as a line: g, id, sequences, where its frame lies, and hashes. */
  static String line(AppendReceipt r, FrameLocation frame) {
    HexFormat hex = HexFormat.of();
    return "R "
        + r.globalSequence()
        + " "
        + r.eventId()
        + " "
        + r.streamSequence()
        + " "
        + frame.segmentId()
        + " "
        + frame.offset()
        + " "
        + frame.length()
        + " "
        + hex.formatHex(r.contentHash().toByteArray())
        + " "
        + hex.formatHex(r.eventHash().toByteArray())
        + " "
        + hex.formatHex(r.prevHash().toByteArray());
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    SplittableRandom rnd = new SplittableRandom(Long.parseLong(args[1]));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    try (Store store =
        Store.open(StoreConfig.builder(dir).fsBackend("posix").segmentMaxBytes(64 << 10).build())) {
      long next = store.stats().eventCount();
      out.println("OPEN " + next + " " + store.openReport().tornTail().isPresent());
      out.flush();
      EventKind kind = EventKind.custom(1, 7);
      while (true) {
        List<AppendReceipt> receipts;
        if (rnd.nextInt(4) == 0) {
          int n = 2 + rnd.nextInt(3);
          List<BatchItem> items = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            items.add(BatchItem.of(coordinate(next + i), kind, Bytes.of(payload(next + i))));
          }
          receipts = store.appendBatch(items);
        } else {
          receipts = List.of(store.append(coordinate(next), kind, Bytes.of(payload(next))));
        }
        for (AppendReceipt r : receipts) {
          out.println(line(r, FrameLocation.of(store, r.eventId())));
        }
        out.flush();
        next += receipts.size();
      }
    }
  }
}
