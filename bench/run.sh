#!/usr/bin/env bash
# Entity CRUD load benchmark (issue: foundation). Builds the release binary, then for each
# preload size N (default: 100 and 100000):
#   - starts dejima on core 0 (--threads 1, durable --sync full, fresh data dir),
#   - preloads N entities with wrk (-t1 -c50 on core 1), then reads the server's RSS,
#   - GET by id of random entities for 10 s               -> req/s, p50/p99
#   - PATCH one attribute of random entities for 10 s     -> req/s, p50/p99 (each acknowledged
#     write is committed and fsynced; concurrent writes share one fsync)
#   - creates new entities (in another tenant) for 10 s  -> req/s, p50/p99
# And nginx serving the same entity JSON as a static file, same wrk settings, for the ratio.
# Prints a Markdown table; bench/RESULTS.md keeps the figures of a run with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target dejima >/dev/null
sizes=("${@:-100 100000}")
[ $# -gt 0 ] || sizes=(100 100000)
duration=${BENCH_SECONDS:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

# shellcheck source=wrk/row.sh
source bench/wrk/row.sh

echo "| workload | req/s | p50 | p99 |"
echo "|---|---|---|---|"
for n in "${sizes[@]}"; do
  data="$work/data-$n"
  taskset -c 0 "${DEJIMA:-./build/release/dejima}" serve --port 0 --threads 1 --data-dir "$data" --log-level warn --auth off \
    >"$work/out-$n" 2>"$work/err-$n" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$work/out-$n" 2>/dev/null && break; sleep 0.1; done
  url="http://$(awk '/listening/ {print $2}' "$work/out-$n")"
  # Preload (wrk idles after the N-th create until -d ends: its rate is not the create figure).
  # A run bounded in time can end before N on a slow machine: further runs create the rest.
  have=0
  for _ in $(seq 10); do
    BENCH_SKIP=$have BENCH_N=$((n - have)) BENCH_ENTITY=bench/entity.json taskset -c 1 wrk -t1 -c50 \
      -d$((n / 10000 + 3))s -s bench/wrk/create.lua "$url" >"$work/preload-$n"
    have=$(curl -s -D - -o /dev/null "$url/ngsi-ld/v1/entities?type=Vehicle&limit=0&count=true" |
      awk -F': ' 'tolower($1)=="ngsild-results-count" {print $2}' | tr -d '\r')
    [ "$have" -lt "$n" ] || break
  done
  [ "$have" -ge "$n" ] || echo "  (preload created only $have of $n entities)"
  rss=$(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status)
  BENCH_N=$n taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/get.lua "$url" >"$work/get-$n"
  row "GET by id, N=$n" "$work/get-$n"
  BENCH_N=$n taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/patch.lua "$url" >"$work/patch-$n"
  row "PATCH one attribute (durable), N=$n" "$work/patch-$n"
  BENCH_TENANT=create BENCH_ENTITY=bench/entity.json taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency \
    -s bench/wrk/create.lua "$url" >"$work/create-$n"
  row "create (durable), N=$n preloaded" "$work/create-$n"
  echo "| RSS after preloading N=$n | ${rss} MB | | |"
  curl -s "$url/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:2" >"$work/entity.json"
  kill -TERM $pid
  wait $pid
done

# nginx: the same entity JSON as a static file, one worker on core 0.
mkdir -p "$work/nginx/html" "$work/nginx/logs"
cp "$work/entity.json" "$work/nginx/html/entity.json"
cat >"$work/nginx/nginx.conf" <<CONF
user root;
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18999; root $work/nginx/html; default_type application/json; }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
sleep 0.5
taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/static.lua http://127.0.0.1:18999/entity.json >"$work/nginx.out"
row "nginx static file ($(wc -c <"$work/entity.json") B, same JSON)" "$work/nginx.out"
kill %% 2>/dev/null || true
