#!/usr/bin/env bash
# Resident memory of a Berth build under a burst of uploads and downloads (README "Container images").
#
# usage: bench/load_rss.sh COMMAND...
#   COMMAND is how to start Berth; the script appends `serve CONFIG`, e.g.
#     bench/load_rss.sh target/berth-0.1.0-SNAPSHOT-runner -Xmx48m -Xmn8m
#     bench/load_rss.sh java -Xmx64m -jar target/quarkus-app/quarkus-run.jar
#
# Filesystem storage in a fresh temporary directory on a free loopback port. Prints the idle VmRSS (2 s after
# the first 200 on /v2/), then pushes eight random 100 MiB blobs at once (monolithic PUTs with curl) and pulls
# them back at once, and prints the peak (VmHWM) after each phase: a push counts when the registry took it
# under its digest, a pull when the bytes hash to it.
set -euo pipefail
[ $# -gt 0 ] || { sed -n '4,7p' "$0" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
source "$(dirname "$0")/fs_config.sh"
port=$(free_port)
source "$(dirname "$0")/push_blob.sh"
write_fs_config "$dir" "$port" warn
"$@" serve "$dir/config.yml" > "$dir/log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 600); do curl -sf -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.05; done
sleep 2
status() { grep "^$1:" "/proc/$pid/status" | awk '{print $2}'; }
echo "idle_rss_kib=$(status VmRSS)"

for i in $(seq 1 8); do head -c $((100 * 1048576)) /dev/urandom > "$dir/blob$i"; done
jobs=()
for i in $(seq 1 8); do push_blob_file "127.0.0.1:$port" load/rss "$dir/blob$i" > "$dir/push$i" & jobs+=($!); done
wait "${jobs[@]}" || true # a failed push leaves its file empty
echo "pushes_ok=$(cat "$dir"/push* | grep -c sha256:) peak_rss_kib=$(status VmHWM)"
jobs=()
for i in $(seq 1 8); do
  d=$(cat "$dir/push$i")
  (curl -sf "http://127.0.0.1:$port/v2/load/rss/blobs/$d" | sha256sum | grep -q "${d#sha256:}" && echo ok || echo bad) > "$dir/pull$i" &
  jobs+=($!)
done
wait "${jobs[@]}"
echo "pulls_ok=$(cat "$dir"/pull* | grep -c ok) peak_rss_kib=$(status VmHWM) rss_after_kib=$(status VmRSS)"
