#!/usr/bin/env python3
"""Top frames of a JFR recording inside the harness's trial windows.

Record a trial with 1 ms Java sampling, then summarise the samples taken inside the
batpak.bench.Window events of one workload:

  JH=$(dirname $(dirname $(readlink -f $(which java))))
  sed 's/<setting name="period" control="method-sampling-java-interval">[^<]*</<setting name="period" control="method-sampling-java-interval">1 ms</' \
      $JH/lib/jfr/profile.jfc > /tmp/fast.jfc
  BENCH_JAVA_OPTS="-XX:StartFlightRecording=filename=/tmp/w4.jfr,settings=/tmp/fast.jfc" \
      bench/run-bench --quick --systems batpak-durable --workloads W4 --out /tmp/jfr-w4
  bench/profile/jfr-top.py /tmp/w4.jfr W4 [top-n]

Prints the samples per thread, the top frames by self samples and by inclusive samples.
"""
import collections
import datetime
import json
import subprocess
import sys


def load(recording, event):
    out = subprocess.run(["jfr", "print", "--json", "--events", event, recording],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)["recording"]["events"]


def seconds(stamp):
    stamp = stamp.rstrip("Z")
    base, frac = (stamp.split(".") + ["0"])[:2]
    return datetime.datetime.fromisoformat(base).replace(
        tzinfo=datetime.timezone.utc).timestamp() + float("0." + frac)


def duration(text):
    text = text[2:]
    total = 0.0
    if "M" in text and not text.endswith("MS"):
        minutes, text = text.split("M", 1)
        total += float(minutes) * 60
    if text.endswith("S"):
        total += float(text[:-1] or 0)
    return total


def name(frame):
    method = frame["method"]
    return method["type"]["name"].split(".")[-1] + "." + method["name"]


def main():
    recording, workload = sys.argv[1], sys.argv[2]
    top_n = int(sys.argv[3]) if len(sys.argv) > 3 else 20
    windows = []
    for e in load(recording, "batpak.bench.Window"):
        if e["values"]["workload"] == workload:
            start = seconds(e["values"]["startTime"])
            windows.append((start, start + duration(e["values"]["duration"])))
    if not windows:
        sys.exit("no batpak.bench.Window event for workload " + workload)
    self_counts = collections.Counter()
    inclusive = collections.Counter()
    threads = collections.Counter()
    n = 0
    for s in load(recording, "jdk.ExecutionSample"):
        v = s["values"]
        t = seconds(v["startTime"])
        if not any(a <= t <= b for a, b in windows) or not v["stackTrace"]:
            continue
        frames = v["stackTrace"]["frames"]
        if not frames:
            continue
        n += 1
        threads[v["sampledThread"]["javaName"] if v["sampledThread"] else "?"] += 1
        self_counts[name(frames[0])] += 1
        for k in {name(f) for f in frames}:
            inclusive[k] += 1
    print(f"{n} samples in {len(windows)} window(s); threads: {threads.most_common(5)}")
    print("-- self")
    for k, c in self_counts.most_common(top_n):
        print(f"{100 * c / n:5.1f}%  {k}")
    print("-- inclusive")
    for k, c in inclusive.most_common(top_n * 2):
        print(f"{100 * c / n:5.1f}%  {k}")


if __name__ == "__main__":
    main()
