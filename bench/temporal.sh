#!/usr/bin/env bash
# Temporal API benchmark (issue: history). Builds the release binary, starts dejima on core 0
# (--threads 1, durable, --temporal-max-instances 2000 so that one day fits one response), and
#   - ingests 10 entities x 100,000 instances (one a minute, ~69 days) with
#     POST /temporal/entities of 5,000 instances per request, one client -> instances/s;
#   - then runs wrk -t1 on core 1 for 10 s per query, on one entity:
#       lastN=100 (temporalValues), between one day (1,440 instances, temporalValues),
#       aggrMethods=avg,max&aggrPeriodDuration=PT1H over all 100,000 instances (1,667 periods);
#     with one connection (latency of one request at a time) -> req/s, p50, p99.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target dejima >/dev/null
duration=${BENCH_SECONDS:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/batches"
/usr/bin/python3 - "$work/batches" <<'PY'
import json, sys, math
from datetime import datetime, timedelta, timezone
out = sys.argv[1]
t0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
k = 0
for e in range(10):
    for b in range(20):
        inst = []
        for i in range(b * 5000, (b + 1) * 5000):
            t = (t0 + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            inst.append({"type": "Property", "value": round(15 + 10 * math.sin(i / 720) + e, 2), "observedAt": t})
        with open(f"{out}/b{k}.json", "w") as f:
            json.dump({"id": f"urn:ngsi-ld:WeatherObserved:bench-{e}", "type": "WeatherObserved", "temperature": inst}, f)
        k += 1
PY

taskset -c 0 "${DEJIMA:-./build/release/dejima}" serve --port 0 --threads 1 --data-dir "$work/data" --log-level warn --auth off \
  --temporal-max-instances 2000 >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url="http://$(awk '/listening/ {print $2}' "$work/out")"

start=$(date +%s.%N)
for f in "$work"/batches/*.json; do
  curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$f" "$url/ngsi-ld/v1/temporal/entities"
done
end=$(date +%s.%N)
rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)
db=$(du -sm "$work/data" | cut -f1)

# shellcheck source=wrk/row.sh
source bench/wrk/row.sh
echo "| workload (10 entities x 100,000 instances) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
printf '| ingest: 200 POST /temporal/entities of 5,000 instances, one client | %s instances/s | | |\n' \
  "$(awk -v s="$start" -v e="$end" 'BEGIN {print int(1000000/(e-s))}')"
echo "| RSS after ingest / data directory | ${rss} MB / ${db} MB | | |"
e="/ngsi-ld/v1/temporal/entities/urn:ngsi-ld:WeatherObserved:bench-3"
for q in "lastN=100|$e?lastN=100&options=temporalValues" \
         "between one day (1,440 instances)|$e?timerel=between&timeAt=2026-01-20T00:00:00Z&endTimeAt=2026-01-21T00:00:00Z&options=temporalValues" \
         "avg,max per PT1H over 100,000 instances|$e?options=aggregatedValues&aggrMethods=avg,max&aggrPeriodDuration=PT1H"; do
  BENCH_PATH="${q#*|}" taskset -c 1 wrk -t1 -c1 -d"${duration}s" --latency -s bench/wrk/path.lua "$url" >"$work/q.out"
  row "${q%%|*}" "$work/q.out"
done
