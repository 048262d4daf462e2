#!/usr/bin/env bash
# NGSIv2 (/v2) against NGSI-LD (/ngsi-ld/v1) over the same entities (issue: NGSIv2 API; target:
# each /v2 figure within 10 % of its NGSI-LD figure). Builds the release binary, starts ONE
# server on core 0 (--threads 1, durable --sync full, --auth off), preloads N Vehicle entities
# (default 10,000; bench/gen_vehicles.py, ids urn:ngsi-ld:Vehicle:0 .. N-1, brands A-D, speed
# 0-120) with 1,000-entity NGSI-LD batch upserts, then runs wrk on core 1 (-t1 -c50, 10 s each)
# for four workloads, each through both APIs back to back:
#   - GET by id of random entities: /ngsi-ld/v1/entities/{id} | /v2/entities/{id}
#   - PATCH one attribute (durable): /ngsi-ld/v1/entities/{id}/attrs {"speed":{"type":"Property",
#     "value":N}} | /v2/entities/{id}/attrs {"speed":{"value":N}}
#   - batch upserts of 100 of the same entities (-c10): /ngsi-ld/v1/entityOperations/upsert
#     ?options=update (merge, as v2's append does) | /v2/op/update {"actionType":"append"} with
#     the same entities in NGSIv2 form (metadata for unitCode/observedAt, geo:json, Relationship)
#   - a q query, limit 20: type=Vehicle&q=speed>50;brand=="A" | type=Vehicle&q=speed>50;brand==A
# BENCH_ROUNDS rounds (default 3), LD first in odd rounds and v2 first in even ones (the machine
# drifts by up to 20 % within a run, so each ratio is taken within its round). Prints Markdown:
# a row per workload and round (req/s and p99 of each API, v2/LD), then each ratio's median.
# bench/RESULTS.md keeps the figures with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target dejima >/dev/null
n=${BENCH_N:-10000}
duration=${BENCH_SECONDS:-10}
rounds=${BENCH_ROUNDS:-3}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/load" "$work/ld" "$work/v2"
/usr/bin/python3 bench/gen_vehicles.py "$n" 1000 "$work/load"
/usr/bin/python3 bench/gen_vehicles.py "$n" 100 "$work/ld"
# The same 100-entity batches in NGSIv2 form, as op/update bodies.
/usr/bin/python3 - "$work/ld" "$work/v2" <<'PY'
import json, pathlib, sys
def v2(a):
    if a["type"] == "Relationship":
        return {"type": "Relationship", "value": a["object"]}
    if a["type"] == "GeoProperty":
        return {"type": "geo:json", "value": a["value"]}
    v = a["value"]
    out = {"type": "Text" if isinstance(v, str) else "Number", "value": v}
    meta = {}
    if "unitCode" in a:
        meta["unitCode"] = {"type": "Text", "value": a["unitCode"]}
    if "observedAt" in a:
        meta["observedAt"] = {"type": "DateTime", "value": a["observedAt"]}
    if meta:
        out["metadata"] = meta
    return out
for f in pathlib.Path(sys.argv[1]).glob("batch-*.json"):
    entities = [{k: (v if k in ("id", "type") else v2(v)) for k, v in e.items()} for e in json.loads(f.read_text())]
    pathlib.Path(sys.argv[2], f.name).write_text(json.dumps({"actionType": "append", "entities": entities},
                                                            separators=(",", ":")))
PY
batches=$(find "$work/ld" -name 'batch-*.json' | wc -l)

taskset -c 0 "${DEJIMA:-./build/release/dejima}" serve --port 0 --threads 1 --data-dir "$work/data" --log-level warn \
  --auth off >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url="http://$(awk '/listening/ {print $2}' "$work/out")"
for f in "$work"/load/batch-*.json; do
  curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$f" "$url/ngsi-ld/v1/entityOperations/upsert"
done
have=$(curl -s -D - -o /dev/null "$url/ngsi-ld/v1/entities?type=Vehicle&limit=0&count=true" |
  awk -F': ' 'tolower($1)=="ngsild-results-count" {print $2}' | tr -d '\r')
[ "$have" -ge "$n" ] || echo "  (preload created only $have of $n entities)"
# Both APIs see the entity (a check, not a figure).
curl -sf -o /dev/null "$url/v2/entities/urn:ngsi-ld:Vehicle:0" || { echo "GET /v2/entities/... failed" >&2; exit 1; }

# run WORKLOAD API: one wrk run; its output in $work/<workload>-<api>-<round>.
run() {
  local out="$work/$1-$2-$round" ld=""
  [ "$2" != ld ] || ld=1
  case $1 in
    get)
      BENCH_N=$n BENCH_PATH=$([ "$ld" ] && echo "/ngsi-ld/v1/entities/{id}" || echo "/v2/entities/{id}") \
        taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/entity_id.lua "$url" >"$out"
      ;;
    patch)
      local body='{"speed":{"value":{n}}}'
      [ "$ld" ] && body='{"speed":{"type":"Property","value":{n}}}'
      BENCH_N=$n BENCH_METHOD=PATCH BENCH_STATUS=204 BENCH_BODY=$body \
        BENCH_PATH=$([ "$ld" ] && echo "/ngsi-ld/v1/entities/{id}/attrs" || echo "/v2/entities/{id}/attrs") \
        taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/entity_id.lua "$url" >"$out"
      ;;
    batch)
      BENCH_DIR="$work/$2" BENCH_BATCHES=$batches \
        BENCH_PATH=$([ "$ld" ] && echo "/ngsi-ld/v1/entityOperations/upsert?options=update" || echo "/v2/op/update") \
        taskset -c 1 wrk -t1 -c10 -d"${duration}s" --latency --timeout 30s -s bench/wrk/batch.lua "$url" >"$out"
      ;;
    query)
      BENCH_PATH=$([ "$ld" ] && echo '/ngsi-ld/v1/entities?type=Vehicle&q=speed>50;brand=="A"&limit=20' ||
        echo '/v2/entities?type=Vehicle&q=speed>50;brand==A&limit=20') \
        taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/path.lua "$url" >"$out"
      ;;
  esac
  echo "$1 $2 $round $(awk '/Requests\/sec/ {print $2}' "$out") $(awk '$1=="99%" {print $2}' "$out")" >>"$work/figures"
  if grep -q "unexpected status" "$out"; then
    echo "  ($1 $2 round $round: $(grep -c 'unexpected status' "$out") unexpected statuses)" >>"$work/errors"
  fi
}

for round in $(seq "$rounds"); do
  apis=(ld v2)
  [ $((round % 2)) = 0 ] && apis=(v2 ld)
  for workload in get patch batch query; do
    for api in "${apis[@]}"; do run "$workload" "$api"; done
  done
done
kill -TERM $pid
wait $pid

echo "| workload (N=$n), round | LD req/s | v2 req/s | v2/LD | LD p99 | v2 p99 |"
echo "|---|---|---|---|---|---|"
awk '
  BEGIN { split("get patch batch query", order, " ")
          name["get"] = "GET by id"; name["patch"] = "PATCH one attribute (durable)"
          name["batch"] = "batch upsert / op/update append, 100 entities (req/s)"; name["query"] = "q=speed>50;brand==A, limit=20" }
  { rps[$1 " " $2 " " $3] = $4; p99[$1 " " $2 " " $3] = $5; if ($3 > n) n = $3 }
  END {
    for (w = 1; w <= 4; w++) for (r = 1; r <= n; r++) {
      k = order[w] " ld " r; j = order[w] " v2 " r
      printf "| %s, round %d | %d | %d | %.1f %% | %s | %s |\n", name[order[w]], r, rps[k], rps[j], 100 * rps[j] / rps[k], p99[k], p99[j]
    }
    print ""
    print "v2/LD, median of the rounds:"
    print ""
    for (w = 1; w <= 4; w++) {
      m = 0; list = ""
      for (r = 1; r <= n; r++) { v[++m] = rps[order[w] " v2 " r] / rps[order[w] " ld " r]; list = list sprintf(" %.1f %%", 100 * v[m]) }
      for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      med = m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2
      printf "- %s:%s; median %.1f %%\n", name[order[w]], list, 100 * med
    }
  }' "$work/figures"
[ ! -s "$work/errors" ] || cat "$work/errors"
