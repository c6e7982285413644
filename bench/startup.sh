#!/usr/bin/env bash
# Start time and idle memory of a Berth build, as docs/benchmarks.md "Start time and memory" reports them.
#
# usage: bench/startup.sh [-n RUNS] COMMAND...
#   COMMAND is how to start Berth; the script appends `serve CONFIG`, e.g.
#     bench/startup.sh java -jar target/quarkus-app/quarkus-run.jar
#     bench/startup.sh -n 5 java -XX:AOTCache=target/quarkus-app/app.aot -jar target/quarkus-app/quarkus-run.jar
#     bench/startup.sh target/berth-0.1.0-SNAPSHOT-runner
#
# Each run writes a config for filesystem storage in a fresh temporary directory, listening on a free
# loopback port, starts COMMAND from a Python poller that asks `GET /v2/` every 5 ms, and takes the time from the start to the first
# 200 (first_200_ms) and the CPU time the process used until then (cpu_ms, user + system), then waits 5 s
# and reads its resident memory (idle_rss_kib, VmRSS). It prints one line per run and the medians, with
# the load average: other work on the machine makes first_200_ms longer, cpu_ms hardly.
set -euo pipefail

runs=5
if [ "${1:-}" = -n ]; then runs=$2; shift 2; fi
[ $# -gt 0 ] || { sed -n '4,8p' "$0" >&2; exit 2; }

source "$(dirname "$0")/fs_config.sh"

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

# one run: prints "first_200_ms idle_rss_kib cpu_ms started_in"
run_once() {
  local dir port started
  dir=$(mktemp -d)
  port=$(free_port)
  write_fs_config "$dir" "$port" info
  # one Python process starts the command and polls it: the clock starts when the poller is ready, and no client
  # is forked per try (a curl every 10 ms took CPU from the start it measured)
  local result
  if ! result=$(python3 - "$port" "$dir/log" "$@" serve "$dir/config.yml" <<'PY'
import os, socket, subprocess, sys, time
port, log, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
ticks = os.sysconf("SC_CLK_TCK")
t0 = time.monotonic()
process = subprocess.Popen(command, stdout=open(log, "w"), stderr=subprocess.STDOUT)
try:
    ok = False
    while process.poll() is None and time.monotonic() - t0 < 60:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if s.recv(12)[9:12] == b"200":
                    ok = True
                    break
        except OSError:
            pass
        time.sleep(0.005)
    ms = int((time.monotonic() - t0) * 1000)
    if not ok:
        sys.exit(1)
    # CPU time (user + system) the process used up to the first 200: unlike wall time, other work on the machine barely changes it
    with open(f"/proc/{process.pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    cpu_ms = (int(fields[11]) + int(fields[12])) * 1000 // ticks
    time.sleep(5)
    with open(f"/proc/{process.pid}/status") as f:
        rss = next(line.split()[1] for line in f if line.startswith("VmRSS:"))
    print(ms, rss, cpu_ms)
finally:
    # whatever happened (no answer, the process gone, an interrupt), the command does not outlive the run
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
PY
  ); then
    echo "no 200 from: $*" >&2; tail -20 "$dir/log" >&2; rm -rf "$dir"; return 1
  fi
  started=$(sed -n 's/.*started in \([0-9.]*s\).*/\1/p' "$dir/log" | head -1)
  rm -rf "$dir"
  echo "$result $started"
}

echo "command: $*"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
results=()
for i in $(seq 1 "$runs"); do
  r=$(run_once "$@")
  read -r ms rss cpu started <<< "$r"
  echo "run $i: first_200_ms=$ms idle_rss_kib=$rss cpu_ms=$cpu (Quarkus: started in ${started:-?})"
  results+=("$ms $rss $cpu")
done
ms_median=$(printf '%s\n' "${results[@]}" | cut -d' ' -f1 | median)
rss_median=$(printf '%s\n' "${results[@]}" | cut -d' ' -f2 | median)
cpu_median=$(printf '%s\n' "${results[@]}" | cut -d' ' -f3 | median)
echo "median of $runs: first_200_ms=$ms_median idle_rss_mib=$(( rss_median / 1024 )) cpu_ms=$cpu_median"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
