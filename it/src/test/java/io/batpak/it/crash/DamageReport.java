package io.batpak.it.crash;

import static io.batpak.it.crash.DamageExplorerIT.replay;
import static io.batpak.it.crash.DamageOracle.generic;

import io.batpak.it.crash.DamageOracle.Result;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The damage explorer's tallies, and the JSON of {@code target/damage-report.json}. */
final class DamageReport {
  final long base;
  long cases;
  long violations;
  long millis;
  final Map<String, Long> outcomes = new TreeMap<>();
  final Map<String, Long> byClass = new TreeMap<>();
  final Map<String, String> firstOfClass = new LinkedHashMap<>();
  final Map<String, java.util.TreeSet<String>> fieldsOfClass = new TreeMap<>();
  final Map<String, Long> excusedByField = new TreeMap<>();

  DamageReport(long base) {
    this.base = base;
  }

  void add(Result r) {
    outcomes.merge("read-only " + r.readOnly(), 1L, Long::sum);
    outcomes.merge("mutable " + r.mutable(), 1L, Long::sum);
    if (r.mutable().equals("cut-unprovable-tail")) {
      excusedByField.merge(generic(r.c().field().name()), 1L, Long::sum);
    }
    if (r.violations().isEmpty()) {
      return;
    }
    violations++;
    java.util.Set<String> seen = new java.util.HashSet<>();
    for (String[] v : r.violations()) {
      if (!seen.add(v[0])) {
        continue;
      }
      fieldsOfClass
          .computeIfAbsent(v[0], k -> new java.util.TreeSet<>())
          .add(r.c().store().name().replaceAll("-.*", "") + ":" + generic(r.c().field().name()));
      if (byClass.merge(v[0], 1L, Long::sum) == 1L) {
        firstOfClass.put(
            v[0], r.c().id() + ": " + v[1] + "\n  replay: " + replay(base, r.c().id()));
      }
    }
  }

  String summary() {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Long> e : byClass.entrySet()) {
      sb.append("x")
          .append(e.getValue())
          .append(' ')
          .append(e.getKey())
          .append("\n  first: ")
          .append(firstOfClass.get(e.getKey()))
          .append("\n  fields: ")
          .append(fieldsOfClass.get(e.getKey()))
          .append('\n');
    }
    return sb.toString();
  }

  List<String> fieldsLines() {
    List<String> out = new ArrayList<>();
    for (Map.Entry<String, java.util.TreeSet<String>> e : fieldsOfClass.entrySet()) {
      out.add(e.getKey() + " -- " + e.getValue());
    }
    return out;
  }

  String json() {
    List<String> first = new ArrayList<>();
    for (Map.Entry<String, String> e : firstOfClass.entrySet()) {
      first.add(e.getKey() + " -- " + e.getValue());
    }
    return "{\n  \"baseSeed\": "
        + base
        + ",\n  \"cases\": "
        + cases
        + ",\n  \"outcomes\": "
        + Json.map(outcomes)
        + ",\n  \"casesWithViolations\": "
        + violations
        + ",\n  \"violationsByClass\": "
        + Json.map(byClass)
        + ",\n  \"firstOfEachClass\": "
        + Json.quoteAll(first)
        + ",\n  \"fieldsOfEachClass\": "
        + Json.quoteAll(fieldsLines())
        + ",\n  \"cutUnprovableTailByField\": "
        + Json.map(excusedByField)
        + ",\n  \"elapsedMillis\": "
        + millis
        + ",\n  \"replay\": "
        + Json.quote(replay(base, null))
        + "\n}\n";
  }
}
