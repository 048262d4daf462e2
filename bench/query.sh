#!/usr/bin/env bash
# Query and batch benchmark (issue: query, batch, geo). Builds the release binary, starts
# dejima on core 0 (--threads 1, durable), generates 100,000 Vehicle entities, loads them with
# 1,000-entity batch upserts, then runs wrk -t1 -c50 on core 1 for 10 s per workload:
#   type=Vehicle&limit=20; type=Vehicle&q=speed>50;brand=="A"&limit=20;
#   georel=near;maxDistance==500 around Nagasaki Station; within Nagasaki City's N03 polygon
#   (POST /entityOperations/query, the polygon is too large for a URL);
# and batch upserts (replace) of 1,000-entity batches with 2 connections -> entities/s.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/vehicles.sh dejima
batches=$(ls "$work/batches" | wc -l)

start_dejima

# shellcheck source=wrk/row.sh
source bench/wrk/row.sh

start=$(date +%s.%N)
for ((k = 0; k < batches; k++)); do
  curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/batches/batch-$k.json" \
    "$url/ngsi-ld/v1/entityOperations/upsert"
done
end=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)

echo "| workload (N=$n) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
printf '| initial load: %d batch upserts of 1,000, one client | %s entities/s | | |\n' "$batches" \
  "$(awk -v n="$n" -v s="$start" -v e="$end" 'BEGIN {print int(n/(e-s))}')"
echo "| RSS after load | ${rss} MB | | |"

bench_path() {  # name, path, [body file]
  BENCH_PATH="$2" BENCH_BODY_FILE="${3:-}" taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency \
    -s bench/wrk/path.lua "$url" >"$work/q.out"
  row "$1" "$work/q.out"
}
unset BENCH_BODY_FILE
BENCH_PATH="/ngsi-ld/v1/entities?type=Vehicle&limit=20" taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency \
  -s bench/wrk/path.lua "$url" >"$work/q.out"
row "type=Vehicle&limit=20" "$work/q.out"
BENCH_PATH='/ngsi-ld/v1/entities?type=Vehicle&q=speed>50;brand=="A"&limit=20' taskset -c 1 wrk -t1 -c50 \
  -d"${duration}s" --latency -s bench/wrk/path.lua "$url" >"$work/q.out"
row 'type=Vehicle&q=speed>50;brand=="A"&limit=20' "$work/q.out"
BENCH_PATH='/ngsi-ld/v1/entities?type=Vehicle&georel=near;maxDistance==500&geometry=Point&coordinates=[129.8707,32.7521]&limit=20' \
  taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/path.lua "$url" >"$work/q.out"
row "near;maxDistance==500 (Nagasaki Station), limit=20" "$work/q.out"
/usr/bin/python3 - "$work/within.json" <<'PY'
import json, pathlib, sys
shared = pathlib.Path("..").resolve() / "shared" / "data" / "boundaries" / "N03-21_42_210101.json"
f = next(f for f in json.loads(shared.read_text(encoding="utf-8"))["features"] if f["properties"]["N03_007"] == "42201")
g = f["geometry"]
json.dump({"type": "Query", "entities": [{"type": "Vehicle"}],
           "geoQ": {"georel": "within", "geometry": g["type"], "coordinates": g["coordinates"]}}, open(sys.argv[1], "w"))
PY
BENCH_PATH="/ngsi-ld/v1/entityOperations/query?limit=20" BENCH_BODY_FILE="$work/within.json" \
  taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/path.lua "$url" >"$work/q.out"
row "within Nagasaki City (N03 MultiPolygon, $(wc -c <"$work/within.json") B body), limit=20" "$work/q.out"
matches=$(curl -s -D - -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/within.json" \
  "$url/ngsi-ld/v1/entityOperations/query?limit=0&count=true" | awk -F': ' 'tolower($1)=="ngsild-results-count" {print $2}' | tr -d '\r')
echo "  (within Nagasaki City: $matches of $n entities)"
BENCH_DIR="$work/batches" BENCH_BATCHES=$batches taskset -c 1 wrk -t1 -c2 -d"${duration}s" --latency --timeout 30s \
  -s bench/wrk/batch.lua "$url" >"$work/batch.out"
row "batch upsert (replace), 1,000 entities per request, 2 connections" "$work/batch.out" 1000
kill -TERM $pid
wait $pid
