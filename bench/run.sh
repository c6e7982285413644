#!/usr/bin/env bash
# Berth beside the reference registry (Distribution 2.8.2, Debian's docker-registry), same machine,
# same S3 server (S3Proxy on loopback), same images, same CloudFront key; scenarios run alternately.
#   bench/run.sh                 all scenarios
#   bench/run.sh redirect head   some of: startup redirect head manifest pushpull rss mirror s3-latency
#   S3_PORT=9200 BERTH_PORT=5200 REF_PORT=5201 UPSTREAM_PORT=5202 bench/run.sh mirror
#                                other ports (another bench on the machine holds the defaults)
#   SKIP_BUILD=1 bench/run.sh mirror   reuses target/ and bench/out/ from an earlier run's build
#   MIRROR_WARMUP=1 bench/run.sh mirror   cold pulls on a running mirror (another image pulled through it first)
#   MIRROR_WARMUP=large bench/run.sh mirror   the same with a 256 MiB image first (a JIT-compiled byte path);
#                                with a warm-up, each mirror is left to go idle before the cold and the warm pull;
#                                MIRROR_WARMUP_FILLS=n: n cache misses of 256 MiB blobs (curl) before that image;
#                                MIRROR_WARMUP_PULLS=n (up to 8): n cold pulls of images like the measured one first;
#                                each run also pulls the image from a registry that is not a mirror (pushed first),
#                                mirror-normal, the warm pull's target (MIRROR_NORMAL=0 leaves it out); each run records
#                                the CPU of the mirror (and of its JIT compiler threads), upstream and skopeo during the
#                                cold pull, and of the mirror and S3Proxy until the layer is stored (mirror-stored)
#   bench/run.sh s3-latency      push and pull of the 1 GiB layer through a relay that adds S3_LATENCY_MS
#                                (default 30) to every S3 request, redirects off (not in the default set;
#                                S3_READAHEAD=n sets Berth's storage.s3.readahead; S3_RATE=bytes/s caps each
#                                S3 connection, as a long round trip does with a TCP window; S3_WARMUP=1: each
#                                registry pushes a 256 MiB image and pulls it twice, unmeasured, before the measured copies;
#                                then the layer alone with curl, s3-latency-get; each records the CPU per GiB of the
#                                registry, S3Proxy, the relay and the client)
#   bench/run.sh s3-latency-layers   push of an image of ten 256 KiB layers through the same relay (RUNS <= 4)
#   MIRROR_UPSTREAM_LATENCY_MS=20 MIRROR_UPSTREAM_RATE=62914560 bench/run.sh mirror   a distant upstream (held back
#                                20 ms a request, 60 MiB/s a connection), as a hub across the internet is
#   MIRROR_S3_LATENCY_MS=20 bench/run.sh mirror   both mirrors' S3 through a relay that holds each request back 20 ms
#   BERTH_JAVA_OPTS="-XX:+PrintCompilation" bench/run.sh mirror   more JVM options for Berth (its log: bench/out/berth*.log)
#   BERTH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java BERTH_APP=DIR BERTH_JAVA_OPTS=-XX:AOTCache=DIR/app.aot bench/run.sh mirror
#                                Berth on another JVM, from another build's quarkus-app directory (e.g. the AOT cache's)
#   BERTH_CMD=target/native-sources/berth-0.1.0-SNAPSHOT-runner bench/run.sh mirror   a native executable instead of the JVM
#   BASELINE_JAR=old/quarkus-run.jar bench/run.sh redirect   another Berth build in the reference's place
#                                (an A/B check of a change; "reference" in the results is then that build)
# Results: bench/out/results.csv, bench/out/*.png, docs/benchmarks.md (REPORT=0: results.csv only, the
# document untouched). Ports: S3_PORT, BERTH_PORT, REF_PORT. Run by hand, not in CI.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
OUT=$ROOT/bench/out
source "$ROOT/bench/push_blob.sh"
source "$ROOT/bench/proc_cpu.sh"
RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-2s} # load before the request-rate scenarios measure; JIT compilation runs meanwhile
S3_PORT=${S3_PORT:-9100} BERTH_PORT=${BERTH_PORT:-5100} REF_PORT=${REF_PORT:-5101} UPSTREAM_PORT=${UPSTREAM_PORT:-5102}
REPORT_DOC=${REPORT_DOC:-$ROOT/docs/benchmarks.md}
mkdir -p "$OUT"
SCENARIOS=("$@")
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=(startup redirect head manifest pushpull rss)
PIDS=()

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
# registries are started in subshells, so their PIDs are also kept in a file
stop_all() {
  for p in "${PIDS[@]:-}" $(cat "$OUT/registry.pids" 2>/dev/null); do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  rm -f "$OUT/registry.pids"
}
trap stop_all EXIT

install_tools() {
  local missing=()
  for p in docker-registry skopeo wrk hey gnuplot-nox openssl python3; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

build() {
  if [ -n "${SKIP_BUILD:-}" ]; then log "reusing the last build (SKIP_BUILD)"; return; fi
  log "building Berth"
  ./mvnw -q -B package -DskipTests
  ./mvnw -q -B test-compile dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/test.classpath"
  ./mvnw -q -B dependency:copy -Dartifact=org.gaul:s3proxy:4.1.0:jar:jar-with-dependencies -DoutputDirectory="$OUT" -Dmdep.stripVersion=false
}

wait_http() { # url
  for _ in $(seq 1 600); do curl -s -o /dev/null "$1" && return 0; sleep 0.1; done
  log "no answer from $1"; return 1
}

start_s3() {
  rm -rf "$OUT/s3" && mkdir -p "$OUT/s3"
  cat > "$OUT/s3proxy.properties" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$S3_PORT
s3proxy.authorization=none
s3proxy.ignore-unknown-headers=true
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$OUT/s3
PROPS
  java -Xmx1g -jar "$OUT/s3proxy-4.1.0-jar-with-dependencies.jar" --properties "$OUT/s3proxy.properties" > "$OUT/s3proxy.log" 2>&1 &
  S3_PID=$!; PIDS+=($!)
  wait_http "http://127.0.0.1:$S3_PORT/"
  curl -s -X PUT "http://127.0.0.1:$S3_PORT/bench" > /dev/null
}

start_cdn() {
  # one key for both registries; PKCS#1, the only form Distribution reads
  openssl genrsa -traditional -out "$OUT/cf.pem" 2048 2>/dev/null
  openssl rsa -in "$OUT/cf.pem" -pubout -out "$OUT/cf.pub.pem" 2>/dev/null
  rm -f "$OUT/cdn.url"
  java -cp "$ROOT/target/test-classes:$(cat "$OUT/test.classpath")" dev.berth.bench.CloudFrontStandInMain \
    "$OUT/cf.pub.pem" BENCHKEY "http://127.0.0.1:$S3_PORT/bench/" "$OUT/cdn.url" > "$OUT/cdn.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$OUT/cdn.url" ] && break; sleep 0.1; done
}

write_configs() {
  local cdn; cdn=$(cat "$OUT/cdn.url")
  for who in berth reference; do
    local port=$BERTH_PORT; [ $who = reference ] && port=$REF_PORT
    cat > "$OUT/$who.yml" <<YAML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  s3:
    accesskey: bench
    secretkey: benchsecret
    region: us-east-1
    regionendpoint: http://127.0.0.1:$S3_PORT
    forcepathstyle: true
    bucket: bench
    rootdirectory: /registry
    secure: false
    chunksize: 10485760
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: bench-secret
middleware:
  storage:
    - name: cloudfront
      options:
        baseurl: $cdn
        privatekey: $OUT/cf.pem
        keypairid: BENCHKEY
        duration: 3000s
YAML
  done
  # Distribution 2.8 does not know forcepathstyle (it forces path style with regionendpoint)
  [ -n "${BASELINE_JAR:-}" ] || sed -i '/forcepathstyle/d' "$OUT/reference.yml"
}

start_registry() { # who heap [config name] -> pid on stdout
  local who=$1 heap=${2:-512m} port=$BERTH_PORT cfg=${3:-$1}
  [ "$who" = reference ] && port=$REF_PORT
  if [ "$who" = berth ]; then
    # shellcheck disable=SC2086 # BERTH_JAVA_OPTS: more JVM options for Berth, split on spaces
    if [ -n "${BERTH_CMD:-}" ]; then
      "$BERTH_CMD" -Xmx"$heap" ${BERTH_JAVA_OPTS:-} serve "$OUT/$cfg.yml" > "$OUT/$cfg.log" 2>&1 &
    else
      "${BERTH_JAVA:-java}" -Xmx"$heap" ${BERTH_JAVA_OPTS:-} -jar "${BERTH_APP:-$ROOT/target/quarkus-app}/quarkus-run.jar" serve "$OUT/$cfg.yml" > "$OUT/$cfg.log" 2>&1 &
    fi
  else
    if [ -n "${BASELINE_JAR:-}" ]; then
      java -Xmx"$heap" -jar "$BASELINE_JAR" serve "$OUT/$cfg.yml" > "$OUT/$cfg.log" 2>&1 &
    else
      env -u AWS_CA_BUNDLE docker-registry serve "$OUT/$cfg.yml" > "$OUT/$cfg.log" 2>&1 &
    fi
  fi
  local pid=$!
  echo "$pid" >> "$OUT/registry.pids"
  wait_http "http://127.0.0.1:$port/v2/"
  echo "$pid"
}

# registries run in subshells, not children that wait can wait for: a registry still writing its shutdown
# state (a mirror's scheduler state) into S3 made the next "rm -rf" of its storage fail
stop_pid() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; while kill -0 "$1" 2>/dev/null; do sleep 0.1; done; }

url_of() { [ "$1" = berth ] && echo "127.0.0.1:$BERTH_PORT" || echo "127.0.0.1:$REF_PORT"; }

record() { # scenario registry run metric value
  echo "$1,$2,$3,$4,$5" >> "$OUT/results.csv"
}

make_images() {
  local missing=()
  for image in small big medium mirror; do [ -f "$OUT/images/$image/index.json" ] || missing+=("$image"); done
  [ -f "$OUT/images/layers-8/index.json" ] || missing+=(layers)
  [ ${#missing[@]} -gt 0 ] || return 0
  log "making test images ${missing[*]} (deterministic; big has a 1 GiB layer)"
  python3 "$ROOT/bench/make_images.py" "$OUT/images" "${missing[@]}"
}

scenario_startup() {
  for run in $(seq 1 "$RUNS"); do
    for who in berth reference; do
      local t0 t1 pid
      t0=$(date +%s%N); pid=$(start_registry "$who"); t1=$(date +%s%N)
      record startup "$who" "$run" ms_to_first_200 $(( (t1 - t0) / 1000000 ))
      stop_pid "$pid"
    done
  done
}

# wrk against one URL; records req/s, p50 and p99 (ms) and server CPU ms per request
load() { # scenario who run pid url connections [wrk args...]
  local scenario=$1 who=$2 run=$3 pid=$4 url=$5 conns=$6; shift 6
  local before after out
  before=$(cpu_ms "$pid")
  out=$(wrk -t2 -c"$conns" -d"$DURATION" --latency "$@" "$url")
  after=$(cpu_ms "$pid")
  local rps p50 p99 requests
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out" | python3 "$ROOT/bench/to_ms.py")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out" | python3 "$ROOT/bench/to_ms.py")
  grep -q "Non-2xx" <<<"$out" && ! grep -q "^ *3[0-9][0-9]" <<<"$out" && log "$scenario/$who: $(grep Non-2xx <<<"$out")"
  record "$scenario-c$conns" "$who" "$run" req_per_s "$rps"
  record "$scenario-c$conns" "$who" "$run" p50_ms "$p50"
  record "$scenario-c$conns" "$who" "$run" p99_ms "$p99"
  record "$scenario-c$conns" "$who" "$run" cpu_us_per_req $(( (after - before) * 1000 / (requests > 0 ? requests : 1) ))
}

push_small() { # who repo
  skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/small:v1" "docker://$(url_of "$1")/$2:v1"
}

layer_digest() { # image name under $OUT/images -> the digest of its first layer
  python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['layers'][0]['digest'])" "$OUT/images/$1/manifest.json"
}

# the small image in each registry's repository, for the request-rate scenarios
ensure_small() {
  [ -n "${SMALL_PUSHED:-}" ] && return
  for who in berth reference; do local p; p=$(start_registry $who); push_small $who bench/small-$who; stop_pid "$p"; done
  SMALL_PUSHED=1
}

scenario_redirect() {
  ensure_small
  local digest; digest=$(layer_digest small)
  for run in $(seq 1 "$RUNS"); do
    for who in berth reference; do
      local pid; pid=$(start_registry $who)
      local url="http://$(url_of $who)/v2/bench/small-$who/blobs/$digest"
      curl -s -o /dev/null -w "%{http_code}" "$url" | grep -q 307 || { log "$who: blob GET is not a 307"; }
      wrk -t2 -c32 -d"$WARMUP" "$url" > /dev/null # warm-up
      for c in 32 256; do load redirect $who "$run" "$pid" "$url" $c; done
      stop_pid "$pid"
    done
  done
}

scenario_head() {
  ensure_small
  local digest; digest=$(layer_digest small)
  for run in $(seq 1 "$RUNS"); do
    for who in berth reference; do
      local pid; pid=$(start_registry $who)
      local url="http://$(url_of $who)/v2/bench/small-$who/blobs/$digest"
      hey -z 2s -c 32 -m HEAD "$url" > /dev/null
      local before after out
      before=$(cpu_ms "$pid"); out=$(hey -z "$DURATION" -c 32 -m HEAD "$url"); after=$(cpu_ms "$pid")
      record head-c32 $who "$run" req_per_s "$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
      record head-c32 $who "$run" p50_ms "$(awk '/50%% in/ || /50% in/ {print $3*1000}' <<<"$out")"
      record head-c32 $who "$run" p99_ms "$(awk '/99%% in/ || /99% in/ {print $3*1000}' <<<"$out")"
      local n; n=$(awk '/\[200\]/ {print $2}' <<<"$out")
      record head-c32 $who "$run" cpu_us_per_req $(( (after - before) * 1000 / (${n:-1} > 0 ? ${n:-1} : 1) ))
      stop_pid "$pid"
    done
  done
}

scenario_manifest() {
  ensure_small
  local digest; digest=$(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['manifests'][0]['digest'])" "$OUT/images/small/index.json")
  printf 'wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json"\n' > "$OUT/accept.lua"
  for run in $(seq 1 "$RUNS"); do
    for who in berth reference; do
      local pid; pid=$(start_registry $who)
      local base="http://$(url_of $who)/v2/bench/small-$who/manifests"
      wrk -t2 -c32 -d"$WARMUP" -s "$OUT/accept.lua" "$base/v1" > /dev/null
      load manifest-tag $who "$run" "$pid" "$base/v1" 32 -s "$OUT/accept.lua"
      load manifest-digest $who "$run" "$pid" "$base/$digest" 32 -s "$OUT/accept.lua"
      stop_pid "$pid"
    done
  done
}

scenario_pushpull() {
  local mib=$(( $(cat "$OUT/images/big/layer.size") / 1048576 ))
  for run in $(seq 1 "$RUNS"); do
    for who in berth reference; do
      local pid; pid=$(start_registry $who)
      local repo="bench/big-$who-$run-$RANDOM" t0 t1
      forget_blob_locations
      t0=$(date +%s%N)
      skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/big:v1" "docker://$(url_of $who)/$repo:v1"
      t1=$(date +%s%N)
      record push-1g $who "$run" seconds "$(python3 -c "print(round(($t1-$t0)/1e9,2))")"
      record push-1g $who "$run" mib_per_s "$(python3 -c "print(round($mib/(($t1-$t0)/1e9),1))")"
      rm -rf "$OUT/pulled"
      t0=$(date +%s%N)
      skopeo copy -q --src-tls-verify=false "docker://$(url_of $who)/$repo:v1" "oci:$OUT/pulled:v1"
      t1=$(date +%s%N)
      record pull-1g $who "$run" seconds "$(python3 -c "print(round(($t1-$t0)/1e9,2))")"
      record pull-1g $who "$run" mib_per_s "$(python3 -c "print(round($mib/(($t1-$t0)/1e9),1))")"
      stop_pid "$pid"
    done
  done
  rm -rf "$OUT/pulled"
}

scenario_rss() {
  for run in $(seq 1 "$RUNS"); do
    for image in medium big; do
      local label=4x1g; [ $image = medium ] && label=4x256m
      for who in berth reference; do
        local pid; pid=$(start_registry $who 128m)
        local ok=0 jobs=()
        forget_blob_locations $image
        for i in 1 2 3 4; do
          skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/$image:v1" "docker://$(url_of $who)/bench/rss-$who-$run-$i-$RANDOM:v1" &
          jobs+=($!)
        done
        for j in "${jobs[@]}"; do wait "$j" && ok=$((ok + 1)); done
        record rss-$label $who "$run" peak_rss_mib $(( $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024 ))
        record rss-$label $who "$run" pushes_ok "$ok"
        stop_pid "$pid"
      done
    done
  done
}

# Pull-through cache: an upstream Distribution 2.8.2 (filesystem, access log on) holds an image with a
# 200 MiB layer; Berth and the reference in proxy mode on the same S3 with CloudFront pull it with skopeo
# into a directory: cold (mirror storage emptied before), warm (the second pull), and 10 cold pulls at
# once. Upstream transfers of the layer are counted in the upstream's access log (GETs and bytes).
write_mirror_configs() {
  for who in berth reference; do
    sed "s|rootdirectory: /registry|rootdirectory: /mirror-$who|" "$OUT/$who.yml" > "$OUT/$who-mirror.yml"
    printf 'proxy:\n  remoteurl: http://127.0.0.1:%s\n' "$UPSTREAM_PORT" >> "$OUT/$who-mirror.yml"
  done
  cat > "$OUT/upstream.yml" <<YAML
version: 0.1
log:
  level: error
storage:
  filesystem:
    rootdirectory: $OUT/upstream
http:
  addr: 127.0.0.1:$UPSTREAM_PORT
  secret: upstream-secret
YAML
}

# GETs of the layer at the upstream so far, and their bytes (combined log format: status, then size)
upstream_layer_gets() { grep -c "\"GET /v2/bench/mirror/blobs/$1 " "$OUT/upstream.log" || true; }
upstream_layer_bytes() { awk -v d="$1" 'index($0, "\"GET /v2/bench/mirror/blobs/" d " ") && $9 ~ /^2/ {s += $10} END {printf "%.0f\n", s}' "$OUT/upstream.log"; }

rec() { [ "$run" -gt 0 ] && record "$@" || true; }

wait_stored() { # who digest: until the mirror's storage (S3Proxy's files) holds the blob, at most 60 s
  local data="$OUT/s3/bench/mirror-$1/docker/registry/v2/blobs/sha256/${2:7:2}/${2#sha256:}/data"
  for _ in $(seq 1 600); do [ -f "$data" ] && return 0; sleep 0.1; done
  log "$1: the layer was not stored within 60 s"
}

# until the process has used under 5% of a core over half a second (at most 30 s): a mirror that has finished
# what it does in the background after a pull (storing the blob, the JIT compiling what the pull ran)
wait_idle() { # pid
  local before now
  for _ in $(seq 1 60); do
    before=$(cpu_ms "$1"); sleep 0.5; now=$(cpu_ms "$1")
    [ $(( now - before )) -lt 25 ] && return 0
  done
  log "pid $1 still busy after 30 s"
}

push_random_blob() { # n -> digest of a random 256 MiB blob pushed upstream to bench/warmfill
  local f="$OUT/warmfill-$1"
  [ -f "$f" ] || head -c $(( 256 * 1048576 )) /dev/urandom > "$f"
  push_blob_file "127.0.0.1:$UPSTREAM_PORT" bench/warmfill "$f"
}

start_upstream() { # -> UPSTREAM_PID: an empty Distribution 2.8 on UPSTREAM_PORT, the mirrors' upstream
  rm -rf "$OUT/upstream"
  env -u AWS_CA_BUNDLE docker-registry serve "$OUT/upstream.yml" > "$OUT/upstream.log" 2>&1 &
  UPSTREAM_PID=$!; PIDS+=($!)
  wait_http "http://127.0.0.1:$UPSTREAM_PORT/v2/"
}

push_upstream() { # image name under $OUT/images, repository: the image as repository:v1 on the upstream
  skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/$1:v1" "docker://127.0.0.1:$UPSTREAM_PORT/$2:v1"
}

# for the scripts that load these functions (BENCH_LIBRARY=1): what bench/run.sh's build leaves in $OUT
require_built() {
  [ -s "$OUT/test.classpath" ] && [ -f "$OUT/s3proxy-4.1.0-jar-with-dependencies.jar" ] && return 0
  log "run bench/run.sh once first: it fetches S3Proxy and the test classpath into $OUT"; exit 1
}

# a relay (S3LatencyRelayMain) to a loopback port: each request held back LATENCY_MS, each connection's answers capped
# at RATE bytes/s (0: none); its port in $OUT/NAME.port, requests by operation in $OUT/NAME.counts, RELAY_PID
start_relay() { # name target-port latency-ms rate
  rm -f "$OUT/$1.port" "$OUT/$1.counts"
  java -cp "$ROOT/target/test-classes:$(cat "$OUT/test.classpath")" dev.berth.bench.S3LatencyRelayMain \
    "$2" "$3" "$OUT/$1.port" "$OUT/$1.counts" "$4" > "$OUT/$1.log" 2>&1 &
  RELAY_PID=$!; PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$OUT/$1.counts" ] && return 0; sleep 0.1; done
  log "relay $1 did not start (see $OUT/$1.log)"; return 1
}

s3_through_relay() { # relay-name config... : the configs reach S3Proxy through that relay (start_relay) instead
  local port; port=$(cat "$OUT/$1.port"); shift
  sed -i "s#regionendpoint: http://127.0.0.1:$S3_PORT#regionendpoint: http://127.0.0.1:$port#" "$@"
}

pull_mirror() { # who dir [repository] -> PULL_SECONDS, PULL_CPU_MS, PULL_JIT_MS (not a subshell: a failed pull stops the script)
  local t0 t1 p
  mkdir -p "$2"
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$OUT/client.time" skopeo copy -q --src-tls-verify=false "docker://$(url_of "$1")/${3:-bench/mirror}:v1" "dir:$2"
  t1=$(date +%s%N)
  # the CPU so far of each process in PULL_PIDS, read at once: a python3 started first can take half a second
  PULL_CPU_MS=(); for p in ${PULL_PIDS:-}; do PULL_CPU_MS+=("$(cpu_ms "$p")"); done
  [ -z "${PULL_PIDS:-}" ] || PULL_JIT_MS=$(jit_cpu_ms "${PULL_PIDS%% *}")
  PULL_SECONDS=$(python3 -c "print(round(($t1-$t0)/1e9,2))")
}

# the mirror image pushed into a registry that is not a mirror (same S3, same CloudFront stand-in), then pulled
normal_pull() { # who (uses run and layer of scenario_mirror)
  local pid
  rm -rf "$OUT/s3/bench/registry"
  pid=$(start_registry "$1" 512m "$1")
  forget_skopeo_blob_cache
  skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/mirror:v1" "docker://$(url_of "$1")/bench/normal:v1"
  wait_idle "$pid"
  pull_mirror "$1" "$OUT/pulled-mirror/normal" bench/normal
  rec mirror-normal "$1" "$run" seconds "$PULL_SECONDS"
  cmp -s "$OUT/pulled-mirror/normal/${layer#sha256:}" "$OUT/images/mirror/blobs/sha256/${layer#sha256:}" || log "$1: normal pull's layer differs"
  stop_pid "$pid"
  rm -rf "$OUT/s3/bench/registry"
}

scenario_mirror() {
  local mib layer
  mib=$(( $(cat "$OUT/images/mirror/layer.size") / 1048576 ))
  layer=$(layer_digest mirror)
  write_mirror_configs
  start_upstream
  local up=$UPSTREAM_PID
  # MIRROR_UPSTREAM_LATENCY_MS, MIRROR_UPSTREAM_RATE: a distant upstream (a hub across the internet), through the relay
  # of s3-latency: each request held back by the latency, each connection's answers capped at RATE bytes/s
  if [ -n "${MIRROR_UPSTREAM_LATENCY_MS:-}${MIRROR_UPSTREAM_RATE:-}" ]; then
    start_relay uprelay "$UPSTREAM_PORT" "${MIRROR_UPSTREAM_LATENCY_MS:-0}" "${MIRROR_UPSTREAM_RATE:-0}"
    sed -i "s#remoteurl: http://127.0.0.1:$UPSTREAM_PORT#remoteurl: http://127.0.0.1:$(cat "$OUT/uprelay.port")#" "$OUT"/{berth,reference}-mirror.yml
  fi
  # MIRROR_S3_LATENCY_MS: both mirrors' S3 that far away (each request held back), as a bucket is from its registries;
  # the CloudFront stand-in still reads S3Proxy directly, as an edge would
  if [ -n "${MIRROR_S3_LATENCY_MS:-}" ]; then
    start_relay mirrors3relay "$S3_PORT" "$MIRROR_S3_LATENCY_MS" 0
    s3_through_relay mirrors3relay "$OUT"/{berth,reference}-mirror.yml
  fi
  push_upstream mirror bench/mirror
  push_upstream small bench/warmup
  local warmup=warmup warmup_layer=""
  if [ "${MIRROR_WARMUP:-0}" = large ]; then
    warmup=warmup-large
    warmup_layer=$(layer_digest medium)
    push_upstream medium bench/warmup-large
  fi
  # MIRROR_WARMUP_FILLS=n: n more cache misses of 256 MiB blobs (curl) before the warm-up image, as on a mirror that
  # has been filling for a while
  local fills=()
  for i in $(seq 1 "${MIRROR_WARMUP_FILLS:-0}"); do fills+=("$(push_random_blob "$i")"); done
  # MIRROR_WARMUP_PULLS=n (at most 8): before those, n cold pulls of images like the measured one (a 200 MiB layer of
  # its own each), each stored before the next: the measured pull's own requests, so the JIT has compiled its path
  # with the types it meets (curl fills alone leave compiled code that the first skopeo pull deoptimizes)
  local warm_pulls=(); mapfile -t warm_pulls < <(seq 0 $(( ${MIRROR_WARMUP_PULLS:-0} - 1 )))
  [ ${#warm_pulls[@]} -le 8 ] || { log "MIRROR_WARMUP_PULLS: at most 8 (bench/make_images.py makes warmpull-0..7)"; return 1; }
  if [ ${#warm_pulls[@]} -gt 0 ]; then
    [ -f "$OUT/images/warmpull-7/index.json" ] || { log "making the warm-up pull images"; python3 "$ROOT/bench/make_images.py" "$OUT/images" warmpulls; }
    for i in "${warm_pulls[@]}"; do
      push_upstream "warmpull-$i" "bench/warmpull-$i"
    done
  fi
  # run 0 is not recorded: it warms S3Proxy and the CloudFront stand-in (JVMs) for whichever registry goes first
  for run in $(seq 0 "$RUNS"); do
    for who in berth reference; do
      rm -rf "$OUT/s3/bench/mirror-$who" "$OUT/pulled-mirror"
      local pid gets bytes s; pid=$(start_registry "$who" 512m "$who-mirror")
      gets=$(upstream_layer_gets "$layer"); bytes=$(upstream_layer_bytes "$layer")
      # MIRROR_WARMUP=1: a cache miss on a running mirror (another image pulled through it first), not
      # the first requests of a fresh process; =large: that image has a 256 MiB layer (the JIT compiles the
      # byte path too), stored before the measured pull starts
      if [ "${MIRROR_WARMUP:-0}" != 0 ]; then
        for i in "${warm_pulls[@]}"; do
          pull_mirror "$who" "$OUT/pulled-mirror/warmpull-$i" "bench/warmpull-$i"; wait_stored "$who" "$(layer_digest "warmpull-$i")"
          rm -rf "$OUT/pulled-mirror/warmpull-$i"
        done
        for d in "${fills[@]}"; do
          curl -sf -o /dev/null "http://$(url_of "$who")/v2/bench/warmfill/blobs/$d"; wait_stored "$who" "$d"
        done
        mkdir -p "$OUT/pulled-mirror/warmup"
        skopeo copy -q --src-tls-verify=false "docker://$(url_of "$who")/bench/$warmup:v1" "dir:$OUT/pulled-mirror/warmup"
        [ -z "$warmup_layer" ] || wait_stored "$who" "$warmup_layer"
        wait_idle "$pid"
      fi
      # CPU during the cold pull (the mirror, upstream, the client) and until it is stored (the mirror, S3Proxy): on
      # two cores the three on the pull's path share them, so what the mirror spends per pull slows the pull
      local m0 u0 s0 j0; m0=$(cpu_ms "$pid"); u0=$(cpu_ms "$up"); s0=$(cpu_ms "$S3_PID"); j0=$(jit_cpu_ms "$pid")
      PULL_PIDS="$pid $up" pull_mirror "$who" "$OUT/pulled-mirror/cold"; s=$PULL_SECONDS
      rec mirror-cold "$who" "$run" mirror_cpu_ms $(( PULL_CPU_MS[0] - m0 ))
      # of which the JVM's compiler threads (a mirror still warming up compiles while it fills)
      rec mirror-cold "$who" "$run" mirror_jit_cpu_ms $(( PULL_JIT_MS - j0 ))
      rec mirror-cold "$who" "$run" upstream_cpu_ms $(( PULL_CPU_MS[1] - u0 ))
      rec mirror-cold "$who" "$run" client_cpu_ms "$(client_cpu_ms)"
      rec mirror-cold "$who" "$run" seconds "$s"
      rec mirror-cold "$who" "$run" mib_per_s "$(python3 -c "print(round($mib/$s,1))")"
      rec mirror-cold "$who" "$run" upstream_layer_gets $(( $(upstream_layer_gets "$layer") - gets ))
      # a warm pull is a cache hit: both mirrors may still be storing the layer after serving the cold pull
      wait_stored "$who" "$layer"
      wait_idle "$pid"
      rec mirror-stored "$who" "$run" mirror_cpu_ms $(( $(cpu_ms "$pid") - m0 ))
      rec mirror-stored "$who" "$run" s3proxy_cpu_ms $(( $(cpu_ms "$S3_PID") - s0 ))
      pull_mirror "$who" "$OUT/pulled-mirror/warm"; s=$PULL_SECONDS
      rec mirror-warm "$who" "$run" seconds "$s"
      rec mirror-warm "$who" "$run" mib_per_s "$(python3 -c "print(round($mib/$s,1))")"
      cmp -s "$OUT/pulled-mirror/cold/${layer#sha256:}" "$OUT/images/mirror/blobs/sha256/${layer#sha256:}" || log "$who: cold pull's layer differs"
      cmp -s "$OUT/pulled-mirror/warm/${layer#sha256:}" "$OUT/images/mirror/blobs/sha256/${layer#sha256:}" || log "$who: warm pull's layer differs"
      stop_pid "$pid"
      cp "$OUT/$who-mirror.log" "$OUT/$who-mirror-run$run.log" # the x10 pulls below start it again on this log

      # the warm pull's target: a normal pull of the same image from the same registry, not a mirror, on the same
      # S3 and CloudFront stand-in (pushed first, unmeasured); MIRROR_NORMAL=0 leaves it out
      [ "${MIRROR_NORMAL:-1}" = 0 ] || normal_pull "$who"

      rm -rf "$OUT/s3/bench/mirror-$who" "$OUT/pulled-mirror"
      pid=$(start_registry "$who" 512m "$who-mirror")
      gets=$(upstream_layer_gets "$layer"); bytes=$(upstream_layer_bytes "$layer")
      local t0 t1 jobs=() ok=0
      mkdir -p "$OUT/pulled-mirror"
      t0=$(date +%s%N)
      for i in $(seq 1 10); do
        skopeo copy -q --src-tls-verify=false "docker://$(url_of "$who")/bench/mirror:v1" "dir:$OUT/pulled-mirror/c$i" &
        jobs+=($!)
      done
      for j in "${jobs[@]}"; do wait "$j" && ok=$((ok + 1)); done
      t1=$(date +%s%N)
      for i in $(seq 1 10); do
        cmp -s "$OUT/pulled-mirror/c$i/${layer#sha256:}" "$OUT/images/mirror/blobs/sha256/${layer#sha256:}" && continue
        ok=$((ok - 1)); log "$who: concurrent pull $i's layer differs or is missing"
      done
      rec mirror-cold-x10 "$who" "$run" seconds "$(python3 -c "print(round(($t1-$t0)/1e9,2))")"
      rec mirror-cold-x10 "$who" "$run" pulls_ok "$ok"
      rec mirror-cold-x10 "$who" "$run" upstream_layer_gets $(( $(upstream_layer_gets "$layer") - gets ))
      rec mirror-cold-x10 "$who" "$run" upstream_layer_mib $(( ($(upstream_layer_bytes "$layer") - bytes) / 1048576 ))
      stop_pid "$pid"
    done
  done
  stop_pid "$up"
  rm -rf "$OUT/pulled-mirror"
}

# S3Proxy behind a relay process that holds every request back by S3_LATENCY_MS (bandwidth unchanged) and
# counts the requests; both registries use it in turn, with redirects off (blobs streamed by the registry)
start_s3_relay() {
  start_relay s3relay "$S3_PORT" "${S3_LATENCY_MS:-30}" "${S3_RATE:-0}"
  for who in berth reference; do
    sed -e 's#^  delete:#  redirect:\n    disable: true\n  delete:#' -e '/^middleware:/,$d' "$OUT/$who.yml" > "$OUT/s3-latency-$who.yml"
  done
  s3_through_relay s3relay "$OUT"/s3-latency-{berth,reference}.yml
  # S3_READAHEAD=1: Berth streams each download in one GetObject (an A/B of its read-ahead)
  [ -z "${S3_READAHEAD:-}" ] || sed -i "s#^    chunksize: .*#&\n    readahead: $S3_READAHEAD#" "$OUT/s3-latency-berth.yml"
}

s3_requests() { # [operation] -> requests relayed so far (the relay rewrites its counts every 200 ms)
  sleep 0.5
  awk -v op="${1:-total}" '$1==op {print $2}' "$OUT/s3relay.counts"
}

s3_counts_since() { # file of earlier counts -> "Operation n" differences on one line
  sleep 0.5
  awk 'NR==FNR {before[$1]=$2; next} $1!="total" && $2-before[$1] > 0 {printf "%s=%d ", $1, $2-before[$1]}' "$1" "$OUT/s3relay.counts"
}

# CPU of the registry, S3Proxy and the relay, and the client's (/usr/bin/time's output in $OUT/client.time),
# per GiB: what the others need bounds what any registry can reach on the machine's cores
cpu_marks() { echo "$(cpu_ms "$1") $(cpu_ms "$S3_PID") $(cpu_ms "$RELAY_PID")"; }
record_cpu() { # scenario who run bytes registry-pid marks-before
  local before now names=(registry s3proxy relay) i
  read -ra before <<< "$6"; read -ra now <<< "$(cpu_marks "$5")"
  for i in 0 1 2; do
    record "$1" "$2" "$3" "${names[$i]}_cpu_s_per_gib" "$(python3 -c "print(round($(( now[i] - before[i] ))/1000*2**30/$4,1))")"
  done
  record "$1" "$2" "$3" client_cpu_s_per_gib "$(python3 -c "print(round($(client_cpu_ms)/1000*2**30/$4,1))")"
}

client_cpu_ms() { # the last timed client's user + system CPU ($OUT/client.time, /usr/bin/time -f '%U %S')
  python3 -c "u,s=open('$OUT/client.time').read().split()[-2:]; print(round((float(u)+float(s))*1000))"
}

# one skopeo copy through the relay, timed: records mb_per_s, the S3 requests it caused (logged by operation)
# and the CPU of each process on the path
distant_copy() { # scenario who run bytes from to registry-pid
  local t0 t1 c0 c1 marks
  cp "$OUT/s3relay.counts" "$OUT/s3relay.before"; c0=$(s3_requests)
  marks=$(cpu_marks "$7")
  t0=$(date +%s%N)
  /usr/bin/time -f '%U %S' -o "$OUT/client.time" skopeo copy -q --src-tls-verify=false --dest-tls-verify=false "$5" "$6"
  t1=$(date +%s%N)
  record_cpu "$1" "$2" "$3" "$4" "$7" "$marks"
  c1=$(s3_requests)
  record "$1" "$2" "$3" mb_per_s "$(python3 -c "print(round($4/1e6/(($t1-$t0)/1e9),1))")"
  record "$1" "$2" "$3" s3_requests_per_gib "$(python3 -c "print(round(($c1-$c0)*2**30/$4))")"
  log "$1 $2: $(s3_counts_since "$OUT/s3relay.before")"
}

# the layer alone with curl into /dev/null: a client that costs almost nothing next to skopeo (which hashes and
# writes every byte), so what the registry, the relay and S3Proxy spend shows
distant_get() { # scenario who run bytes url registry-pid
  local t0 t1 marks got
  marks=$(cpu_marks "$6")
  t0=$(date +%s%N)
  got=$(/usr/bin/time -f '%U %S' -o "$OUT/client.time" curl -s -o /dev/null -w '%{http_code} %{size_download}' "$5")
  t1=$(date +%s%N)
  [ "$got" = "200 $4" ] || { log "$1 $2: curl got '$got', not '200 $4'"; return 1; }
  record "$1" "$2" "$3" mb_per_s "$(python3 -c "print(round($4/1e6/(($t1-$t0)/1e9),1))")"
  record_cpu "$1" "$2" "$3" "$4" "$6" "$marks"
}

scenario_s3-latency() {
  [ -n "${S3_RELAY_STARTED:-}" ] || { start_s3_relay; S3_RELAY_STARTED=1; }
  local bytes; bytes=$(cat "$OUT/images/big/layer.size")
  for run in $(seq 1 "$RUNS"); do
    for who in berth reference; do
      local pid; pid=$(start_registry $who 512m s3-latency-$who)
      local repo="bench/distant-$who-$run-$RANDOM"
      if [ -n "${S3_WARMUP:-}" ]; then
        # a registry that has served before: the 256 MiB image pushed once and pulled twice, unmeasured (another
        # layer than the measured one, which the registry's blob descriptor cache must not know)
        forget_blob_locations medium
        skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/medium:v1" "docker://$(url_of $who)/$repo-warmup:v1"
        for _ in 1 2; do
          rm -rf "$OUT/pulled"
          skopeo copy -q --src-tls-verify=false "docker://$(url_of $who)/$repo-warmup:v1" "oci:$OUT/pulled:v1"
        done
      fi
      forget_blob_locations
      distant_copy s3-latency-push $who "$run" "$bytes" "oci:$OUT/images/big:v1" "docker://$(url_of $who)/$repo:v1" "$pid"
      record s3-latency-push $who "$run" peak_rss_mib $(( $(awk '/VmHWM/ {print $2}' "/proc/$pid/status") / 1024 ))
      rm -rf "$OUT/pulled"
      distant_copy s3-latency-pull $who "$run" "$bytes" "docker://$(url_of $who)/$repo:v1" "oci:$OUT/pulled:v1" "$pid"
      distant_get s3-latency-get $who "$run" "$bytes" "http://$(url_of $who)/v2/$repo/blobs/$(layer_digest big)" "$pid"
      stop_pid "$pid"
    done
  done
  rm -rf "$OUT/pulled"
  log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# an image of ten small layers pushed through the same relay: each blob's POST, PATCH and PUT are all round trips
scenario_s3-latency-layers() {
  [ -n "${S3_RELAY_STARTED:-}" ] || { start_s3_relay; S3_RELAY_STARTED=1; }
  [ "$RUNS" -le 4 ] || { log "s3-latency-layers: at most RUNS=4 (the images layers-1..8)"; return 1; }
  for run in $(seq 1 "$RUNS"); do
    for who in berth reference; do
      local pid; pid=$(start_registry $who 512m s3-latency-$who)
      # the warm-up image is the same for both (unmeasured); the measured ones differ, so that no
      # registry finds the other's blobs already stored
      local image=layers-$(( 2 * run - 1 )); [ "$who" = reference ] && image=layers-$(( 2 * run ))
      forget_skopeo_blob_cache
      skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/layers-0:v1" "docker://$(url_of $who)/bench/layers-warmup-$who-$run-$RANDOM:v1"
      local t0 t1 c0 c1
      cp "$OUT/s3relay.counts" "$OUT/s3relay.before"; c0=$(s3_requests)
      t0=$(date +%s%N)
      skopeo copy -q --dest-tls-verify=false "oci:$OUT/images/$image:v1" "docker://$(url_of $who)/bench/layers-$who-$run-$RANDOM:v1"
      t1=$(date +%s%N); sleep 0.5; c1=$(s3_requests) # the relay writes its counts every 200 ms
      record s3-latency-layers-push $who "$run" seconds "$(python3 -c "print(round(($t1-$t0)/1e9,2))")"
      record s3-latency-layers-push $who "$run" s3_requests $(( c1 - c0 ))
      log "s3-latency-layers-push $who: $(s3_counts_since "$OUT/s3relay.before")"
      stop_pid "$pid"
    done
  done
  log "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
}

# rows of the scenarios about to run are replaced; the others are kept, so one scenario can be rerun
keep_other_results() {
  touch "$OUT/results.csv"
  local pattern=""
  for s in "${SCENARIOS[@]}"; do
    case $s in pushpull) p="push-1g|pull-1g" ;; *) p="$s" ;; esac
    pattern="${pattern:+$pattern|}$p"
  done
  grep -Ev "^($pattern)" "$OUT/results.csv" > "$OUT/results.kept" || true
  mv "$OUT/results.kept" "$OUT/results.csv"
}

# every push must upload and place the layer: skopeo remembers where it saw a blob (and would mount
# it), and a registry skips moving a blob that is already stored, so both are forgotten first
forget_skopeo_blob_cache() { # skopeo would mount a blob it saw elsewhere instead of pushing it
  rm -f /var/lib/containers/cache/blob-info-cache-v1.* "${XDG_CACHE_HOME:-$HOME/.cache}"/containers/blob-info-cache-v1.* 2>/dev/null || true
}

forget_blob_locations() { # [image]
  forget_skopeo_blob_cache
  local hex
  hex=$(layer_digest "${1:-big}"); hex=${hex#sha256:}
  rm -rf "$OUT/s3/bench/registry/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex"
}

main() {
  install_tools
  build
  make_images
  keep_other_results
  start_s3
  start_cdn
  write_configs
  for s in "${SCENARIOS[@]}"; do log "scenario $s"; "scenario_$s"; done
  if [ -n "${BASELINE_JAR:-}" ]; then log "A/B results (berth = this tree, reference = $BASELINE_JAR): $OUT/results.csv"; return; fi
  if [ "${REPORT:-1}" = 0 ]; then log "results: $OUT/results.csv"; return; fi
  python3 "$ROOT/bench/report.py" "$OUT/results.csv" "$OUT" "$REPORT_DOC" "bench/run.sh ${SCENARIOS[*]}"
  log "done: $REPORT_DOC"
}

# BENCH_LIBRARY=1 loads the functions without running (to try one piece by hand)
[ "${BENCH_LIBRARY:-}" = 1 ] || main
