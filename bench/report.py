"""Medians (with min and max) of bench/out/results.csv, PNG bar charts, and docs/benchmarks.md."""
import csv
import os
import platform
import statistics
import subprocess
import sys
from collections import defaultdict

results, out, doc, command = sys.argv[1:5]
rows = defaultdict(list)
with open(results) as f:
    for scenario, who, run, metric, value in csv.reader(f):
        try:
            rows[(scenario, metric, who)].append(float(value))
        except ValueError:
            pass

scenarios = sorted({k[0] for k in rows}, key=lambda s: (s.split("-")[0], s))
metrics = defaultdict(set)
for s, m, _ in rows:
    metrics[s].add(m)


def cell(values):
    if not values:
        return "n/a"
    return f"{statistics.median(values):g} ({min(values):g}–{max(values):g})"


charts = os.path.join(os.path.dirname(doc), "benchmarks")
os.makedirs(charts, exist_ok=True)


def chart(scenario, metric):
    data = f"{out}/{scenario}-{metric}.dat"
    png = f"{charts}/{scenario}-{metric}.png"
    with open(data, "w") as f:
        for who in ("berth", "reference"):
            v = rows.get((scenario, metric, who))
            if v:
                f.write(f"{who} {statistics.median(v)} {min(v)} {max(v)}\n")
    script = (f"set terminal pngcairo size 480,300; set output '{png}'; set style fill solid 0.6; "
              f"set boxwidth 0.5; set yrange [0:*]; set title '{scenario}: {metric}' noenhanced; unset key; "
              f"plot '{data}' using 0:2:xtic(1) with boxes, '' using 0:2:3:4 with yerrorbars lc rgb 'black'")
    try:
        subprocess.run(["gnuplot", "-e", script], check=True, capture_output=True)
        return os.path.relpath(png, os.path.dirname(doc))
    except (OSError, subprocess.CalledProcessError):
        return None


def version(cmd):
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
        return (out.stdout + out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "unknown"


lines = ["# Benchmarks", "",
         "Berth beside the reference registry (CNCF Distribution 2.8.2, Debian's `docker-registry`) on the same",
         "machine, the same S3 server (S3Proxy 4.1.0 on loopback, filesystem store), the same images and the same",
         "CloudFront key (a stand-in that verifies the signature proxies objects from S3Proxy). Scenarios run",
         "alternately, Berth then the reference, so machine drift hits both. Each figure is the median of the runs,",
         "with (min–max).", "",
         f"- Command: `{command}` (a scenario can be rerun alone, e.g. `bench/run.sh rss`; it replaces only its own rows)",
         "- Written by `bench/report.py`: the tables from `bench/out/results.csv`, the text from \"Start time and memory\" on",
         "  from `bench/notes.md` (edit it there)",
         f"- Machine: {os.cpu_count()} cores, {platform.machine()}, {platform.platform()}, "
         f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB",
         f"- Berth: Quarkus 3.33.2 on `{version(['java', '-version'])}`; reference: "
         f"`{version(['docker-registry', '--version'])}`; S3Proxy 4.1.0; clients: `{version(['skopeo', '--version'])}`, wrk, hey",
         "- Configurations: `bench/out/berth.yml`, `bench/out/reference.yml` (written by the script: same bucket,",
         "  root directory, chunk size and CloudFront middleware; the reference has its in-memory blob descriptor cache on)",
         ""]
for s in scenarios:
    lines.append(f"## {s}")
    lines.append("")
    lines.append("| metric | Berth | reference | ratio |")
    lines.append("|---|---|---|---|")
    for m in sorted(metrics[s]):
        b, r = rows.get((s, m, "berth"), []), rows.get((s, m, "reference"), [])
        ratio = ""
        if b and r and statistics.median(r) and statistics.median(b):
            ratio = f"{statistics.median(b) / statistics.median(r):.2f}x"
        lines.append(f"| {m} | {cell(b)} | {cell(r)} | {ratio} |")
    lines.append("")
    for m in sorted(metrics[s]):
        png = chart(s, m)
        if png:
            lines.append(f"![{s} {m}]({png})")
    lines.append("")
for who in ("berth", "reference"):
    path = os.path.join(out, f"{who}.yml")
    if os.path.exists(path):
        with open(path) as f:
            text = f.read()
        lines += [f"### Configuration: {who}", "", "```yaml", text.replace(out, "bench/out").rstrip(), "```", ""]
notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "notes.md")
if os.path.exists(notes):
    with open(notes) as f:
        lines.append(f.read())
with open(doc, "w") as f:
    f.write("\n".join(lines) + "\n")
