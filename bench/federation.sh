#!/usr/bin/env bash
# Federation benchmark (issue 29): what a query that fans out to two context sources costs
# Dejima beyond the sources' own response time, against the same query on local data, and that
# sources are asked in parallel. Release build. Broker A on core 0 (--threads 1); sources B and
# C (two more Dejima servers, 500 of BENCH_N=1000 Vehicles each) and wrk on core 1; one client
# at a time (wrk -t1 -c1), so latencies add up and are not queued:
#   - at A, tenant "local": the query over the same 1,000 Vehicles held locally (the comparison);
#   - at B: the query as A forwards it (the source's response time; C answers the same shape);
#   - at A: the query fanning out to B and C (inclusive registrations on type Vehicle).
# Three workloads: one entity by id (small answers); type=Vehicle&limit=20 (each source is asked
# for the page's end and one more, 21 entities); the same with count=true (each source answers all of its
# 500, every id is merged and counted, only the page's 20 entities are read in full).
# Then two fake sources that wait 50 ms before answering [] (python3): asked one after the other
# the query would take >= 100 ms.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_N=${BENCH_N:-1000}
source bench/vehicles.sh dejima
source bench/wrk/row.sh
# bench/vehicles.sh wrote $n entities in 1,000-entity batches; split them in two halves.
/usr/bin/python3 - "$work/batches/batch-0.json" "$work" <<'PY'
import json, sys
es = json.load(open(sys.argv[1]))
half = len(es) // 2
json.dump(es[:half], open(f"{sys.argv[2]}/b.json", "w"))
json.dump(es[half:], open(f"{sys.argv[2]}/c.json", "w"))
PY
start_dejima
a=$url
source_server() {  # name core
  taskset -c "$2" ./build/release/dejima serve --port 0 --threads 1 --data-dir "$work/$1" --log-level warn \
    --auth off >"$work/$1.out" 2>&1 &
  for _ in $(seq 100); do grep -q listening "$work/$1.out" 2>/dev/null && break; sleep 0.1; done
  echo "http://$(awk '/listening/ {print $2}' "$work/$1.out")"
}
b=$(source_server b 1)
c=$(source_server c 1)
post() { curl -sf -o /dev/null -H 'Content-Type: application/json' "$@"; }
post --data-binary @"$work/b.json" "$b/ngsi-ld/v1/entityOperations/upsert"
post --data-binary @"$work/c.json" "$c/ngsi-ld/v1/entityOperations/upsert"
post --data-binary @"$work/batches/batch-0.json" -H 'NGSILD-Tenant: local' "$a/ngsi-ld/v1/entityOperations/upsert"
for s in "$b" "$c"; do
  post -d "{\"type\":\"ContextSourceRegistration\",\"information\":[{\"entities\":[{\"type\":\"Vehicle\"}]}],\"endpoint\":\"$s\"}" \
    "$a/ngsi-ld/v1/csourceRegistrations"
done

measure() {  # label server path [tenant]
  BENCH_PATH="$3" BENCH_TENANT="${4:-}" taskset -c 1 wrk -t1 -c1 -d"${duration}s" --latency -s bench/wrk/path.lua "$2" \
    >"$work/q.out"
  row "$1" "$work/q.out"
}
echo "| workload (one client; $n Vehicles) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
one="/ngsi-ld/v1/entities?id=urn:ngsi-ld:Vehicle:7&type=Vehicle"
measure "A local: id=…:7" "$a" "$one" local
measure "B (source) as forwarded: id=…:7" "$b" "$one&limit=1000"
measure "A fan-out to B and C: id=…:7" "$a" "$one"
page="/ngsi-ld/v1/entities?type=Vehicle&limit=20"
measure "A local: type=Vehicle&limit=20" "$a" "$page" local
measure "B (source) as forwarded: type=Vehicle&limit=20" "$b" "$page"
measure "A fan-out to B and C: type=Vehicle&limit=20 (21 asked of each)" "$a" "$page"
measure "A local: type=Vehicle&limit=20&count=true" "$a" "$page&count=true" local
measure "B (source) as forwarded: type=Vehicle&limit=1000 (500 entities)" "$b" "/ngsi-ld/v1/entities?type=Vehicle&limit=1000"
measure "A fan-out to B and C: type=Vehicle&limit=20&count=true (1,000 ids merged)" "$a" "$page&count=true"

# Parallel: two sources that each take 50 ms.
cat >"$work/slow.py" <<'PY'
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(0.05)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"[]")
    def log_message(self, *a):
        pass
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
for k in 1 2; do
  taskset -c 1 /usr/bin/python3 "$work/slow.py" >"$work/slow$k.port" &
  for _ in $(seq 50); do [ -s "$work/slow$k.port" ] && break; sleep 0.1; done
  post -H 'NGSILD-Tenant: slow' \
    -d "{\"type\":\"ContextSourceRegistration\",\"information\":[{\"entities\":[{\"type\":\"Vehicle\"}]}],\"endpoint\":\"http://127.0.0.1:$(cat "$work/slow$k.port")\"}" \
    "$a/ngsi-ld/v1/csourceRegistrations"
done
measure "A fan-out to two 50 ms sources: type=Vehicle" "$a" "$page" slow
