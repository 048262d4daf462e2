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
