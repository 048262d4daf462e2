#!/usr/bin/env bash
# The write path (issue 27): durable writes against GET by id in the same run, for two builds
# side by side (BEFORE and AFTER, default: the release build for both), alternating, ROUNDS
# times. Per build and round, a fresh server on core 0 (--threads 1, --sync full, --auth off)
# and wrk on core 1 (-t1, BENCH_SECONDS each):
#   - preload 10,000 bench/gen_vehicles.py Vehicles (100 upserts of 100);
#   - GET by id of random entities (-c50)                       -> req/s
#   - PATCH one attribute (speed) of random entities (-c50)     -> req/s, p99
#   - batch upsert of 100 of the entities per request (-c50)    -> entities/s, p99
#   - then how long until /health says the history caught up (builds that report it).
# BURST=60 adds, for AFTER only, a 60 s batch-upsert burst and its catch-up time.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target dejima >/dev/null
before=${BEFORE:-./build/release/dejima}
after=${AFTER:-./build/release/dejima}
rounds=${ROUNDS:-2}
duration=${BENCH_SECONDS:-10}
n=10000
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/batches"
/usr/bin/python3 bench/gen_vehicles.py "$n" 100 "$work/batches"
# shellcheck source=wrk/row.sh
source bench/wrk/row.sh

start() {  # start BINARY NAME: a fresh server; sets pid and url
  rm -rf "$work/data-$2"
  taskset -c 0 "$1" serve --port 0 --threads 1 --data-dir "$work/data-$2" --log-level warn --auth off \
    >"$work/out-$2" 2>"$work/err-$2" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$work/out-$2" 2>/dev/null && break; sleep 0.1; done
  url="http://$(awk '/listening/ {print $2}' "$work/out-$2")"
}

caught_up() {  # seconds until /health reports no underived record (or "-" when not reported)
  local t0 h
  t0=$(date +%s.%N)
  h=$(curl -s "$url/health")
  case "$h" in *'"derive"'*) ;; *) echo "-"; return ;; esac
  until curl -s "$url/health" | grep -q '"records":0,'; do sleep 0.05; done
  awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f s", b - a}'
}

echo "| build, round | GET by id | PATCH | PATCH/GET | PATCH p99 | upsert entities/s | upsert/GET | upsert p99 | caught up after the upsert |"
echo "|---|---|---|---|---|---|---|---|---|"
for round in $(seq "$rounds"); do
  for side in before after; do
    bin=$before
    [ "$side" = after ] && bin=$after
    start "$bin" "$side"
    BENCH_DIR="$work/batches" BENCH_BATCHES=100 taskset -c 1 wrk -t1 -c1 -d60s -s bench/wrk/batch.lua "$url" \
      >/dev/null &
    wrk_pid=$!
    until [ "$(curl -s -D - -o /dev/null "$url/ngsi-ld/v1/entities?type=Vehicle&limit=0&count=true" |
      awk -F': ' 'tolower($1)=="ngsild-results-count" {print $2}' | tr -d '\r')" = "$n" ]; do sleep 0.2; done
    kill $wrk_pid 2>/dev/null || true
    wait $wrk_pid 2>/dev/null || true
    BENCH_N=$((n - 2)) taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/get.lua "$url" >"$work/get"
    BENCH_N=$((n - 2)) taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency -s bench/wrk/patch.lua "$url" >"$work/patch"
    BENCH_DIR="$work/batches" BENCH_BATCHES=100 taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency \
      -s bench/wrk/batch.lua "$url" >"$work/batch"
    lag=$(caught_up)
    get=$(awk '/Requests\/sec/ {print int($2)}' "$work/get")
    patch=$(awk '/Requests\/sec/ {print int($2)}' "$work/patch")
    ups=$(awk '/Requests\/sec/ {print int($2 * 100)}' "$work/batch")
    echo "| $side, $round | $get | $patch | $(awk -v a="$patch" -v b="$get" 'BEGIN {printf "%.2f", a/b}') |" \
      "$(awk '$1=="99%" {print $2}' "$work/patch") | $ups | $(awk -v a="$ups" -v b="$get" 'BEGIN {printf "%.2f", a/b}') |" \
      "$(awk '$1=="99%" {print $2}' "$work/batch") | $lag |"
    for f in get patch batch; do
      grep -q "unexpected status" "$work/$f" && echo "  ($f: $(grep -c 'unexpected status' "$work/$f") unexpected statuses)"
    done
    kill -TERM $pid
    wait $pid || true
  done
done

if [ -n "${BURST:-}" ]; then
  start "$after" burst
  BENCH_DIR="$work/batches" BENCH_BATCHES=100 taskset -c 1 wrk -t1 -c50 -d"${BURST}s" --latency \
    -s bench/wrk/batch.lua "$url" >"$work/burst"
  lag=$(caught_up)
  echo "| after, ${BURST} s upsert burst | | | | | $(awk '/Requests\/sec/ {print int($2 * 100)}' "$work/burst") | |" \
    "$(awk '$1=="99%" {print $2}' "$work/burst") | $lag |"
  echo "RSS after the burst: $(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status) MB"
  kill -TERM $pid
  wait $pid || true
fi
