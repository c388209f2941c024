package io.batpak.replication;

import io.batpak.AppendReceipt;
import io.batpak.EventHeader;
import io.batpak.EventId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a {@link History} of appends against the events each member holds after the run:
 *
 * <ul>
 *   <li>the history is well formed (every completion follows its invocation, once);
 *   <li>every {@code OK} append is on every member, with the receipt's sequences and hashes;
 *   <li>no {@code FAIL} append is on any member;
 *   <li>nothing is on a member that no client invoked, and no event appears twice;
 *   <li>each member's global sequence is dense from 0, each stream's sequence is dense from 0 in
 *       global order, and all members agree event by event (one may only lag, as a prefix).
 * </ul>
 *
 * It returns every violation it finds, as text naming the operation, member and sequence.
 */
final class HistoryChecker {
  private HistoryChecker() {}

  static List<String> check(List<History.Op> history, Map<String, List<EventHeader>> members) {
    List<String> violations = new ArrayList<>();
    Map<Long, History.Op> invoked = new HashMap<>();
    Map<Long, History.Op> completed = new HashMap<>();
    for (History.Op op : history) {
      if (op.type() == History.Type.INVOKE) {
        if (invoked.put(op.opId(), op) != null) {
          violations.add("op " + op.opId() + " was invoked twice");
        }
      } else if (!invoked.containsKey(op.opId())) {
        violations.add("op " + op.opId() + " completed (" + op.type() + ") before its invocation");
      } else if (completed.put(op.opId(), op) != null) {
        violations.add("op " + op.opId() + " completed twice");
      }
    }
    Set<EventId> invokedEvents = new HashSet<>();
    for (History.Op op : invoked.values()) {
      invokedEvents.add(op.event());
    }
    Map<String, Map<EventId, EventHeader>> byId = new HashMap<>();
    for (Map.Entry<String, List<EventHeader>> m : members.entrySet()) {
      Map<EventId, EventHeader> ids = new HashMap<>();
      Map<String, Long> nextInStream = new HashMap<>();
      long expectedGlobal = 0;
      for (EventHeader h : m.getValue()) {
        if (h.globalSequence() != expectedGlobal) {
          violations.add(
              "member "
                  + m.getKey()
                  + ": global sequence "
                  + h.globalSequence()
                  + " where "
                  + expectedGlobal
                  + " comes next");
        }
        expectedGlobal = h.globalSequence() + 1;
        long next = nextInStream.getOrDefault(h.entity(), 0L);
        if (h.streamSequence() != next) {
          violations.add(
              "member "
                  + m.getKey()
                  + ": stream '"
                  + h.entity()
                  + "' has sequence "
                  + h.streamSequence()
                  + " at global "
                  + h.globalSequence()
                  + " where "
                  + next
                  + " comes next");
        }
        nextInStream.put(h.entity(), h.streamSequence() + 1);
        if (ids.put(h.eventId(), h) != null) {
          violations.add("member " + m.getKey() + ": event " + h.eventId() + " appears twice");
        }
        if (!invokedEvents.contains(h.eventId())) {
          violations.add(
              "member "
                  + m.getKey()
                  + ": event "
                  + h.eventId()
                  + " at global "
                  + h.globalSequence()
                  + " was never appended by a client");
        }
      }
      byId.put(m.getKey(), ids);
    }
    for (History.Op op : completed.values()) {
      for (Map.Entry<String, Map<EventId, EventHeader>> m : byId.entrySet()) {
        EventHeader h = m.getValue().get(op.event());
        if (op.type() == History.Type.OK) {
          AppendReceipt r = op.receipt();
          if (h == null) {
            violations.add(
                "op " + op.opId() + " was acknowledged but member " + m.getKey() + " lacks it");
          } else if (r == null || !h.toReceipt().equals(r.unsigned())) {
            violations.add(
                "op "
                    + op.opId()
                    + ": member "
                    + m.getKey()
                    + " holds "
                    + h.toReceipt()
                    + " but the client got "
                    + r);
          }
        } else if (op.type() == History.Type.FAIL && h != null) {
          violations.add(
              "op "
                  + op.opId()
                  + " failed but member "
                  + m.getKey()
                  + " holds it at global "
                  + h.globalSequence());
        }
      }
    }
    List<Map.Entry<String, List<EventHeader>>> list = new ArrayList<>(members.entrySet());
    for (int i = 1; i < list.size(); i++) {
      List<EventHeader> a = list.get(0).getValue();
      List<EventHeader> b = list.get(i).getValue();
      for (int k = 0; k < Math.min(a.size(), b.size()); k++) {
        if (!a.get(k).equals(b.get(k))) {
          violations.add(
              "members "
                  + list.get(0).getKey()
                  + " and "
                  + list.get(i).getKey()
                  + " differ at position "
                  + k
                  + ": "
                  + a.get(k).eventId()
                  + " vs "
                  + b.get(k).eventId());
          break;
        }
      }
    }
    return violations;
  }
}
