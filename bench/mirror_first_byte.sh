#!/usr/bin/env bash
# Time to the first byte of cold blob GETs through a Berth mirror whose S3 is LAT_MS away (bench/run.sh's latency relay
# in front of S3Proxy), upstream a Distribution 2.8 on loopback: what each storage round trip before the upstream fetch
# costs a client. Per run a fresh mirror and new blobs; the first WARM GETs of each size are not counted.
#   bench/mirror_first_byte.sh                                  this build (target/quarkus-app)
#   BASE_APP=/tmp/old/target/quarkus-app bench/mirror_first_byte.sh   that build and this one alternated, ROUNDS times
# Sizes: 64 KiB (held in memory) and 4 MiB (spooled). Knobs: LAT_MS (30), GETS (12), WARM (4), ROUNDS (3).
# Ports as bench/run.sh's (S3_PORT 9200, BERTH_PORT 5200, UPSTREAM_PORT 5202). Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export BENCH_LIBRARY=1 SKIP_BUILD=1 S3_PORT=${S3_PORT:-9200} BERTH_PORT=${BERTH_PORT:-5200} REF_PORT=${REF_PORT:-5201} \
  UPSTREAM_PORT=${UPSTREAM_PORT:-5202}
# shellcheck source=run.sh
source bench/run.sh
LAT_MS=${LAT_MS:-30} GETS=${GETS:-12} WARM=${WARM:-4} ROUNDS=${ROUNDS:-3}
RESULTS="$OUT/mirror-first-byte.txt"
require_built

start_s3; start_cdn; write_configs; write_mirror_configs
start_relay s3relay "$S3_PORT" "$LAT_MS" 0
cp "$OUT/berth-mirror.yml" "$OUT/berth-mirror-distant.yml"
s3_through_relay s3relay "$OUT/berth-mirror-distant.yml"
start_upstream

first_bytes() { # digests... -> seconds to the first byte of each GET, after the first WARM
  local i=0 d
  for d in "$@"; do
    t=$(curl -sf -o /dev/null -w '%{time_starttransfer}' "http://127.0.0.1:$BERTH_PORT/v2/bench/distant/blobs/$d")
    [ $i -lt "$WARM" ] || printf '%s ' "$t"
    i=$((i + 1)); sleep 0.3
  done
}

builds=(this); [ -z "${BASE_APP:-}" ] || builds=(base this)
: > "$RESULTS"
for round in $(seq 1 "$ROUNDS"); do
  for build in "${builds[@]}"; do
    if [ "$build" = base ]; then export BERTH_APP=$BASE_APP; else unset BERTH_APP; fi
    rm -rf "$OUT/s3/bench/mirror-berth" "$OUT/distant" && mkdir -p "$OUT/distant"
    small=(); large=()
    for i in $(seq 1 $((WARM + GETS))); do
      head -c 65536 /dev/urandom > "$OUT/distant/s$i"; small+=("$(push_blob_file "127.0.0.1:$UPSTREAM_PORT" bench/distant "$OUT/distant/s$i")")
      head -c 4194304 /dev/urandom > "$OUT/distant/l$i"; large+=("$(push_blob_file "127.0.0.1:$UPSTREAM_PORT" bench/distant "$OUT/distant/l$i")")
    done
    pid=$(start_registry berth 512m berth-mirror-distant)
    echo "$build 64KiB $(first_bytes "${small[@]}")" >> "$RESULTS"
    echo "$build 4MiB $(first_bytes "${large[@]}")" >> "$RESULTS"
    stop_pid "$pid"
  done
done
python3 - "$RESULTS" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    build, size, *times = line.split()
    runs.setdefault((build, size), []).extend(float(t) for t in times)
for (build, size), times in sorted(runs.items()):
    times.sort()
    print(f"{build} {size}: first byte median {statistics.median(times):.3f} s "
          f"({times[len(times) // 10]:.3f}-{times[len(times) * 9 // 10]:.3f}, p10-p90, {len(times)} GETs)")
PY
