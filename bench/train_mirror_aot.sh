#!/usr/bin/env bash
# A JDK 25 AOT cache trained on a mirror's own work: a Berth mirror (S3Proxy storage, upstream a Distribution 2.8 on
# loopback) runs under -XX:AOTCacheOutput while skopeo pulls TRAIN images through it, 16 MiB layers each
# (images/warmsmall-*), then one with a 256 MiB layer (images/medium), each twice: cold, then once stored (a cache
# hit); on exit the JVM writes the cache. None of them is an image bench/run.sh measures. The JDK and the aot-jar must be the ones that run it:
#   JAVA_HOME=/path/to/jdk-25 ./mvnw package -DskipTests -Daot -Dquarkus.package.jar.aot.phase=BUILD
#   JAVA=/path/to/jdk-25/bin/java bench/train_mirror_aot.sh          writes target/quarkus-app/mirror.aot
#   BERTH_JAVA=/path/to/jdk-25/bin/java BERTH_JAVA_OPTS=-XX:AOTCache=target/quarkus-app/mirror.aot bench/run.sh mirror
# After bench/run.sh has run once (S3Proxy and the test classpath in bench/out); its default build would replace the
# aot-jar, so build with -Daot after it. Knobs: APP (target/quarkus-app), TRAIN (12, at most 48), AOT ($APP/mirror.aot).
# Ports as bench/run.sh's. Run by hand.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export BENCH_LIBRARY=1 SKIP_BUILD=1 S3_PORT=${S3_PORT:-9200} BERTH_PORT=${BERTH_PORT:-5200} REF_PORT=${REF_PORT:-5201} \
  UPSTREAM_PORT=${UPSTREAM_PORT:-5202}
# shellcheck source=run.sh
source bench/run.sh
APP=$(cd "${APP:-target/quarkus-app}" && pwd) TRAIN=${TRAIN:-12}
AOT=${AOT:-$APP/mirror.aot}
[ -n "${JAVA:-}" ] || { log "JAVA: the JDK 25 java that will run the mirror"; exit 1; }
require_built
[ -f "$OUT/images/warmsmall-$((TRAIN - 1))/index.json" ] || python3 bench/make_images.py "$OUT/images" warmsmall
[ -f "$OUT/images/medium/index.json" ] || python3 bench/make_images.py "$OUT/images" medium

start_s3; start_cdn; write_configs; write_mirror_configs
rm -rf "$OUT/s3/bench/mirror-berth" "$OUT/pulled-mirror"
start_upstream
images=(); for i in $(seq 0 $((TRAIN - 1))); do images+=("warmsmall-$i"); done; images+=(medium)
for image in "${images[@]}"; do push_upstream "$image" "bench/train-$image"; done

rm -f "$AOT"
pid=$(BERTH_APP=$APP BERTH_JAVA=$JAVA BERTH_JAVA_OPTS="-XX:AOTCacheOutput=$AOT" start_registry berth 512m berth-mirror)
for image in "${images[@]}"; do
  pull_mirror berth "$OUT/pulled-mirror/$image" "bench/train-$image"; cold=$PULL_SECONDS
  wait_stored berth "$(layer_digest "$image")"
  # and again once stored: the cache hit's path (307s to the CloudFront stand-in), compiled from the start too
  pull_mirror berth "$OUT/pulled-mirror/$image-warm" "bench/train-$image"
  rm -rf "$OUT/pulled-mirror/$image" "$OUT/pulled-mirror/$image-warm"
  log "trained: $image pulled in $cold s, then in $PULL_SECONDS s"
done
wait_idle "$pid"
stop_pid "$pid"
[ -s "$AOT" ] || { log "no cache written (see $OUT/berth-mirror.log)"; exit 1; }
log "AOT cache: $AOT ($(du -h "$AOT" | cut -f1))"
