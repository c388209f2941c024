package io.batpak.bench.harness;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Draws {@code bench-results.svg}: events/s of every row, grouped by workload. Stateless. */
final class ResultsChart {
  private ResultsChart() {}

  private static final Map<String, String> COLORS =
      Map.of(
          "batpak-durable", "#1f77b4",
          "batpak-visible", "#17becf",
          "raw-disk", "#7f7f7f",
          "raw-disk-paired", "#4d4d4d",
          "raw-cpu", "#c7c7c7",
          "sqlite", "#ff7f0e",
          "h2", "#2ca02c",
          "axon", "#9467bd",
          "axon-batpak", "#8c564b",
          "rocksdb", "#d62728");

  /** One bar group per workload, one bar per system, events/s on a log scale. */
  static String render(List<Result> rs, String title) {
    List<String> groups = new ArrayList<>(Report.workloads(rs));
    groups.removeIf(w -> rs.stream().noneMatch(r -> r.workload().equals(w) && r.ok()));
    List<String> systems = new ArrayList<>();
    List<String> known = new ArrayList<>(Settings.ALL);
    known.add(2, Report.PAIRED);
    for (String s : known) {
      if (rs.stream().anyMatch(r -> r.system().equals(s))) {
        systems.add(s);
      }
    }
    double max =
        rs.stream().filter(Result::ok).mapToDouble(Result::eventsPerSecond).max().orElse(10);
    double lo = 1;
    int top = (int) Math.ceil(Math.log10(Math.max(max, 10)));
    int bar = 9;
    int gap = 22;
    int left = 70;
    int plotTop = 60;
    int plotH = 320;
    List<Integer> widths = new ArrayList<>();
    for (String w : groups) {
      long n = rs.stream().filter(r -> r.workload().equals(w)).count();
      widths.add((int) (Math.max(n, 1) * bar + gap));
    }
    int width = left + widths.stream().mapToInt(Integer::intValue).sum() + 180;
    int height = plotTop + plotH + 110;
    StringBuilder b = new StringBuilder();
    b.append(
        Report.fmt(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d"
                + " %d\" font-family=\"sans-serif\" font-size=\"11\">\n",
            width, height, width, height));
    b.append(Report.fmt("<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n", width, height));
    b.append(
        Report.fmt(
            "<text x=\"%d\" y=\"24\" font-size=\"15\" font-weight=\"bold\">%s</text>\n",
            left, esc(title)));
    b.append(
        Report.fmt(
            "<text x=\"%d\" y=\"42\" fill=\"#555\">events/s (log scale), one bar group per"
                + " workload; failed or n/a rows have no bar</text>\n",
            left));
    for (int d = 0; d <= top; d++) {
      double y = plotTop + plotH - plotH * (d - Math.log10(lo)) / top;
      b.append(
          Report.fmt(
              "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#ddd\"/>"
                  + "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\" fill=\"#555\">%s</text>\n",
              left,
              width - 170,
              y,
              y,
              left - 6,
              y + 4,
              d >= 6
                  ? Report.fmt("%dM", (int) Math.pow(10, d - 6))
                  : d >= 3
                      ? Report.fmt("%dk", (int) Math.pow(10, d - 3))
                      : Report.fmt("%d", (int) Math.pow(10, d))));
    }
    int x = left + gap / 2;
    for (int gi = 0; gi < groups.size(); gi++) {
      String w = groups.get(gi);
      int gx = x;
      for (Result r : rs) {
        if (!r.workload().equals(w)) {
          continue;
        }
        if (r.ok() && r.eventsPerSecond() > lo) {
          double h = plotH * Math.log10(r.eventsPerSecond() / lo) / top;
          b.append(
              Report.fmt(
                  "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"><title>%s %s:"
                      + " %s events/s</title></rect>\n",
                  x,
                  plotTop + plotH - h,
                  bar - 1,
                  h,
                  COLORS.getOrDefault(r.system(), "#333"),
                  esc(r.system()),
                  esc(w),
                  Report.num(r.eventsPerSecond())));
        }
        x += bar;
      }
      int mid = (gx + x) / 2;
      b.append(
          Report.fmt(
              "<text transform=\"translate(%d,%d) rotate(40)\" fill=\"#222\">%s</text>\n",
              mid - 4, plotTop + plotH + 14, esc(w)));
      x += gap;
    }
    b.append(
        Report.fmt(
            "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"#333\"/>\n",
            left, width - 170, plotTop + plotH, plotTop + plotH));
    int ly = plotTop;
    for (String sys : systems) {
      b.append(
          Report.fmt(
              "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\""
                  + " y=\"%d\">%s</text>\n",
              width - 160, ly, COLORS.getOrDefault(sys, "#333"), width - 142, ly + 10, esc(sys)));
      ly += 18;
    }
    b.append("</svg>\n");
    return b.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
