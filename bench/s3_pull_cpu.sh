#!/usr/bin/env bash
# CPU of streamed S3 reads in one warm Berth process: S3Proxy on loopback (no relay), redirects off, no
# middleware; a random blob is pushed, then fetched GETS times with curl; per GET the registry's CPU seconds
# per GiB (/proc/PID/stat) and MB/s, and for the GETs after the first WARM the CPU split by thread group.
#   bench/s3_pull_cpu.sh                      uses target/quarkus-app and bench/out's S3Proxy jar (bench/run.sh builds both)
#   APP=/tmp/old-quarkus-app bench/s3_pull_cpu.sh   another build, for an A/B (alternate the two)
#   JFR=file.jfr bench/s3_pull_cpu.sh         records the GETs after WARM with JFR's profile settings
# Ports: S3_PORT (default 9500), BERTH_PORT (5500). Size: BLOB_MIB (512). Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD APP=${APP:-$ROOT/target/quarkus-app} GETS=${GETS:-6} WARM=${WARM:-3} BLOB_MIB=${BLOB_MIB:-512}
S3_PORT=${S3_PORT:-9500} BERTH_PORT=${BERTH_PORT:-5500}
W=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$W"' EXIT
mkdir -p "$W/s3"
printf '%s\n' "s3proxy.endpoint=http://127.0.0.1:$S3_PORT" s3proxy.authorization=none s3proxy.ignore-unknown-headers=true \
  jclouds.provider=filesystem-nio2 "jclouds.filesystem.basedir=$W/s3" > "$W/s3proxy.properties"
java -Xmx1g -jar "$ROOT/bench/out/s3proxy-4.1.0-jar-with-dependencies.jar" --properties "$W/s3proxy.properties" > "$W/s3proxy.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" && break; sleep 0.1; done
curl -s -X PUT "http://127.0.0.1:$S3_PORT/bench" > /dev/null
cat > "$W/berth.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  s3: {accesskey: bench, secretkey: benchsecret, region: us-east-1, regionendpoint: "http://127.0.0.1:$S3_PORT",
       forcepathstyle: true, bucket: bench, rootdirectory: /registry, secure: false, chunksize: 10485760}
  redirect:
    disable: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$BERTH_PORT
  secret: bench-secret
YAML
java -Xmx512m ${JFR:+-XX:+FlightRecorder} -jar "$APP/quarkus-run.jar" serve "$W/berth.yml" > "$W/berth.log" 2>&1 &
PID=$!
PIDS+=($PID)
for _ in $(seq 1 300); do curl -s -o /dev/null "http://127.0.0.1:$BERTH_PORT/v2/" && break; sleep 0.1; done
head -c $((BLOB_MIB << 20)) /dev/urandom > "$W/blob"
source bench/push_blob.sh
source bench/proc_cpu.sh
DIGEST=$(push_blob_file "127.0.0.1:$BERTH_PORT" bench/cpu "$W/blob")
BLOB=http://127.0.0.1:$BERTH_PORT/v2/bench/cpu/blobs/$DIGEST
rm -f "$W/blob"

for g in $(seq 1 "$GETS"); do
  if [ "$g" = $((WARM + 1)) ]; then
    thread_ticks "$PID" > "$W/threads.before"
    [ -z "${JFR:-}" ] || jcmd "$PID" JFR.start name=pull settings=profile filename="$(realpath -m "$JFR")" > /dev/null
  fi
  c0=$(cpu_ms "$PID") t0=$(date +%s%N)
  got=$(curl -s -f "$BLOB" | sha256sum | cut -d' ' -f1)
  t1=$(date +%s%N) c1=$(cpu_ms "$PID")
  [ "sha256:$got" = "$DIGEST" ] || { echo "GET $g: wrong digest $got" >&2; exit 1; }
  python3 -c "print('GET $g: %.2f CPU s/GiB, %.0f MB/s' % (($c1-$c0)/1000*1024/$BLOB_MIB, ($BLOB_MIB<<20)/1e6/(($t1-$t0)/1e9)))"
done
[ -z "${JFR:-}" ] || jcmd "$PID" JFR.stop name=pull > /dev/null
thread_ticks "$PID" > "$W/threads.after"
echo "GETs $((WARM + 1))-$GETS, CPU s/GiB by thread group (user, system):"
LC_ALL=C join -t $'\t' "$W/threads.before" "$W/threads.after" | awk -F'\t' -v hz="$(getconf CLK_TCK)" -v gib="$(python3 -c "print(($GETS-$WARM)*$BLOB_MIB/1024)")" \
  '{u=($4-$2)/hz/gib; s=($5-$3)/hz/gib; if (u+s >= 0.01) printf "  %-24s %.2f %.2f\n", $1, u, s; tu+=u; ts+=s} END {printf "  %-24s %.2f %.2f = %.2f\n", "all", tu, ts, tu+ts}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
