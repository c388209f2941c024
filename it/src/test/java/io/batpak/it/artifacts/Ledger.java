package io.batpak.it.artifacts;

import io.batpak.AppendReceipt;
import io.batpak.BatchItem;
import io.batpak.Bytes;
import io.batpak.Coordinate;
import io.batpak.EventHeader;
import io.batpak.EventKind;
import io.batpak.Store;
import io.batpak.StoredEvent;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a test appended and what the store answered: each event whose append returned a receipt
 * (acknowledged, so durable: the stores here run in {@code DURABLE} mode), and each event of a call
 * that failed or was cut short by a crash (in flight: it may be in the journal or not). Every
 * payload starts with a unique tag ({@code s<session>c<call>i<item>;}), so an event found in a
 * store maps back to the call that wrote it.
 */
final class Ledger {
  /** One event a test asked for. */
  record Intent(String tag, Coordinate coordinate, EventKind kind, Bytes payload) {}

  private final Map<String, Intent> acked = new LinkedHashMap<>();
  private final Map<String, AppendReceipt> receipts = new HashMap<>();
  private final Map<String, Intent> inFlight = new LinkedHashMap<>();
  private int calls;

  /** The intent of item {@code item} of call {@code call} in session {@code session}. */
  static Intent intent(
      int session, int call, int item, Coordinate c, EventKind kind, int size, long fill) {
    String tag = "s" + session + "c" + call + "i" + item + ";";
    byte[] head = tag.getBytes(StandardCharsets.UTF_8);
    byte[] b = new byte[Math.max(size, head.length)];
    long x = fill;
    for (int i = head.length; i < b.length; i++) {
      x = x * 6364136223846793005L + 1442695040888963407L;
      b[i] = (byte) (x >>> 56);
    }
    System.arraycopy(head, 0, b, 0, head.length);
    return new Intent(tag, c, kind, Bytes.of(b));
  }

  /**
   * Appends {@code items} as one call (one item: {@code append}; more: {@code appendBatch}) and
   * records the outcome.
   *
   * @return the failure, or null if the call returned receipts
   */
  RuntimeException call(Store store, List<Intent> items) {
    calls++;
    try {
      List<AppendReceipt> out;
      if (items.size() == 1) {
        Intent i = items.get(0);
        out = List.of(store.append(i.coordinate(), i.kind(), i.payload()));
      } else {
        List<BatchItem> batch = new ArrayList<>();
        for (Intent i : items) {
          batch.add(BatchItem.of(i.coordinate(), i.kind(), i.payload()));
        }
        out = store.appendBatch(batch);
      }
      for (int k = 0; k < items.size(); k++) {
        acked.put(items.get(k).tag(), items.get(k));
        receipts.put(items.get(k).tag(), out.get(k));
      }
      return null;
    } catch (RuntimeException e) {
      for (Intent i : items) {
        inFlight.put(i.tag(), i);
      }
      return e;
    }
  }

  /** How many events were acknowledged. */
  int ackedCount() {
    return acked.size();
  }

  /** How many calls were made. */
  int calls() {
    return calls;
  }

  /**
   * What {@code reads} get wrong: global sequence not dense, a stream's sequence or hash chain
   * broken, an acknowledged event missing or different from its receipt and payload, or an event
   * that no call wrote (or an in-flight one changed).
   */
  List<String> violations(StoreReads reads) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < reads.global().size(); i++) {
      if (reads.global().get(i).globalSequence() != i) {
        out.add("global sequence not dense at " + i + ": " + reads.global().get(i));
        break;
      }
    }
    for (Map.Entry<String, List<EventHeader>> s : reads.streams().entrySet()) {
      Bytes prev = null;
      List<EventHeader> stream = s.getValue();
      for (int i = 0; i < stream.size(); i++) {
        EventHeader h = stream.get(i);
        boolean linked = prev == null ? isZero(h.prevHash()) : h.prevHash().equals(prev);
        if (h.streamSequence() != i || !linked) {
          out.add("stream " + s.getKey() + " broken at " + i + ": " + h);
          break;
        }
        prev = h.eventHash();
      }
    }
    Map<String, StoredEvent> byTag = new HashMap<>();
    for (StoredEvent e : reads.byId().values()) {
      String tag = tagOf(e.payload());
      if (byTag.put(tag, e) != null) {
        out.add("the event tagged " + tag + " is in the store twice");
      }
    }
    for (Intent i : acked.values()) {
      StoredEvent e = byTag.get(i.tag());
      AppendReceipt r = receipts.get(i.tag());
      if (e == null) {
        out.add("acknowledged event " + i.tag() + " (" + r.eventId() + ") is missing");
      } else if (!e.header().toReceipt().equals(r) || !matches(i, e)) {
        out.add("acknowledged event " + i.tag() + " differs: receipt " + r + ", stored " + e);
      }
    }
    for (Map.Entry<String, StoredEvent> e : byTag.entrySet()) {
      if (acked.containsKey(e.getKey())) {
        continue;
      }
      Intent i = inFlight.get(e.getKey());
      if (i == null) {
        out.add("an event no call wrote: " + e.getValue());
      } else if (!matches(i, e.getValue())) {
        out.add("in-flight event " + i.tag() + " stored changed: " + e.getValue());
      }
    }
    return out;
  }

  private static boolean matches(Intent i, StoredEvent e) {
    return e.header().coordinate().equals(i.coordinate())
        && e.header().kind().equals(i.kind())
        && e.payload().equals(i.payload());
  }

  private static boolean isZero(Bytes b) {
    byte[] a = b.toByteArray();
    return a.length == 32 && Arrays.equals(a, new byte[32]);
  }

  private static String tagOf(Bytes payload) {
    byte[] b = payload.toByteArray();
    for (int i = 0; i < b.length; i++) {
      if (b[i] == ';') {
        return new String(b, 0, i + 1, StandardCharsets.UTF_8);
      }
    }
    return "<untagged " + payload + ">";
  }
}
