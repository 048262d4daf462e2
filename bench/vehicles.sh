# Sourced by the query and subscription benchmarks: builds the release targets given as
# arguments, makes a work directory (removed on exit, with every background job killed) and
# writes BENCH_N (default 100,000) Vehicle entities as 1,000-entity batches into $work/batches.
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target "$@" >/dev/null
n=${BENCH_N:-100000}
duration=${BENCH_SECONDS:-10}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/batches"
/usr/bin/python3 bench/gen_vehicles.py "$n" 1000 "$work/batches"

# Starts dejima on core 0 (one thread, durable, no access control) on $work/data; sets pid and url.
start_dejima() {
  taskset -c 0 "${DEJIMA:-./build/release/dejima}" serve --port 0 --threads 1 --data-dir "$work/data" --log-level warn \
    --auth off >"$work/out" 2>"$work/err" &
  pid=$!
  for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
  url="http://$(awk '/listening/ {print $2}' "$work/out")"
}
