#!/usr/bin/env bash
# A 200 MiB blob GET on filesystem storage, no proxy, no redirect: Berth beside Distribution 2.8.2
# (Debian's docker-registry), same disk, alternately. Run by hand, after ./mvnw package.
#   bench/fs_blob_get.sh [quarkus-app dir]      RUNS=9 BERTH_PORT=5210 REF_PORT=5211 H2C=1 (also HTTP/2 cleartext)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
APP=${1:-$PWD/target/quarkus-app}
RUNS=${RUNS:-9} BERTH_PORT=${BERTH_PORT:-5210} REF_PORT=${REF_PORT:-5211}
OUT=$PWD/bench/out/fs
rm -rf "$OUT" && mkdir -p "$OUT"
head -c 209715200 /dev/urandom > "$OUT/blob"
D=sha256:$(sha256sum "$OUT/blob" | cut -d' ' -f1)
for who in berth reference; do
  port=$BERTH_PORT; [ $who = reference ] && port=$REF_PORT
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\n  cache:\n    blobdescriptor: inmemory\nhttp:\n  addr: 127.0.0.1:%s\n  secret: s\n' \
    "$OUT/root-$who" "$port" > "$OUT/$who.yml"
done
[ -z "${H2C:-}" ] || printf '  h2c:\n    enabled: true\n' >> "$OUT/berth.yml"
java -Xmx512m -jar "$APP/quarkus-run.jar" serve "$OUT/berth.yml" > "$OUT/berth.log" 2>&1 & BP=$!
docker-registry serve "$OUT/reference.yml" > "$OUT/reference.log" 2>&1 & RP=$!
trap 'kill $BP $RP 2>/dev/null || true' EXIT
for p in $BERTH_PORT $REF_PORT; do for _ in $(seq 300); do curl -s -o /dev/null "http://127.0.0.1:$p/v2/" && break; sleep 0.2; done; done
source bench/push_blob.sh
for p in $BERTH_PORT $REF_PORT; do push_blob_file "127.0.0.1:$p" bench/blob "$OUT/blob" > /dev/null; done
for run in $(seq "$RUNS"); do
  curl -s -o /dev/null -w "berth http1.1 run$run %{http_code} %{time_total}s\n" "http://127.0.0.1:$BERTH_PORT/v2/bench/blob/blobs/$D"
  curl -s -o /dev/null -w "reference http1.1 run$run %{http_code} %{time_total}s\n" "http://127.0.0.1:$REF_PORT/v2/bench/blob/blobs/$D"
  [ -z "${H2C:-}" ] || curl -s --http2-prior-knowledge -o /dev/null -w "berth h2c run$run %{http_code} %{time_total}s\n" "http://127.0.0.1:$BERTH_PORT/v2/bench/blob/blobs/$D"
done
