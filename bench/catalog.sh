#!/usr/bin/env bash
# Data catalog benchmark (issue 28). Builds the release binary, starts dejima on core 0 (--threads
# 1, durable), loads BENCH_N (default 100,000) Vehicle entities and 1,000 more entity types of one
# entity each (1,001 datasets, every tenth with keywords and a theme), then on core 1:
#   GET by id (the comparison), package_search?q=<a keyword>&rows=20 and
#   package_search?fq=tags:...&facet.field=["tags","res_format"] with wrk -t1 -c50;
#   datastore_search over the Vehicle type's 100,000 rows (first page, a deep page, a filter);
#   first (on a quiet server), the Vehicle type's data.csv twice and data.geojson (one client,
#   curl): MB/s, and the server's peak RSS (VmHWM) before and after each download — a streamed
#   download keeps it flat.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/vehicles.sh dejima
batches=$(ls "$work/batches" | wc -l)

start_dejima
# shellcheck source=wrk/row.sh
source bench/wrk/row.sh

for ((k = 0; k < batches; k++)); do
  curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/batches/batch-$k.json" \
    "$url/ngsi-ld/v1/entityOperations/upsert"
done
/usr/bin/python3 - "$work/types.json" <<'PY'
import json, sys
json.dump([{"id": f"urn:ngsi-ld:T{i:04d}:1", "type": f"T{i:04d}", "n": {"type": "Property", "value": i}}
           for i in range(1000)], open(sys.argv[1], "w"))
PY
curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$work/types.json" \
  "$url/ngsi-ld/v1/entityOperations/upsert"
for ((i = 0; i < 1000; i += 10)); do
  t=$(printf 'T%04d' "$i")
  curl -sf -o /dev/null -X PATCH -H 'Content-Type: application/json' \
    -d "{\"titleJa\": \"データ $t\", \"keywords\": [\"k$((i % 100))\", \"bench\"], \"themes\": [\"防災\"]}" \
    "$url/dejima/v1/datasets/default/$t"
done

echo "| download of the $n Vehicles | bytes | seconds | MB/s | peak RSS before → after |"
echo "|---|---|---|---|---|"
for f in data.csv data.csv data.geojson; do  # the first CSV also finds the columns (cached after)
  before=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status)
  out=$(taskset -c 1 curl -sf -o /dev/null -w '%{size_download} %{time_total}' "$url/dejima/v1/datasets/default/Vehicle/$f")
  after=$(awk '/VmHWM/ {print int($2/1024)}' /proc/$pid/status)
  read -r bytes secs <<<"$out"
  printf '| %s | %s | %s | %s | %s → %s MB |\n' "$f" "$bytes" "$secs" \
    "$(awk -v b="$bytes" -v s="$secs" 'BEGIN {printf "%.1f", b / s / 1e6}')" "$before" "$after"
done

echo
echo "| workload (N=$n Vehicles, 1,001 datasets) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
BENCH_PATH="/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:42" taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency \
  -s bench/wrk/path.lua "$url" >"$work/q.out"
row "GET /entities/{id} (comparison)" "$work/q.out"
BENCH_PATH="/api/3/action/package_search?q=k42&rows=20" taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency \
  -s bench/wrk/path.lua "$url" >"$work/q.out"
row "package_search?q=k42&rows=20" "$work/q.out"
BENCH_PATH='/api/3/action/package_search?fq=tags:bench&rows=20&facet.field=%5B%22tags%22,%22res_format%22%5D' \
  taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/path.lua "$url" >"$work/q.out"
row 'package_search?fq=tags:bench&rows=20&facet.field=["tags","res_format"]' "$work/q.out"
for q in "limit=100" "offset=90000&limit=100" "filters=%7B%22brand%22:%22A%22%7D&limit=100"; do
  BENCH_PATH="/api/3/action/datastore_search?resource_id=default-vehicle-csv&$q" \
    taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/path.lua "$url" >"$work/q.out"
  row "datastore_search?$q (over $n rows)" "$work/q.out"
done

