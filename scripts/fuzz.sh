#!/usr/bin/env bash
# Builds the libFuzzer targets (the fuzz preset: clang 16 with ASan + UBSan) and runs each for
# SECONDS (default 60): the connector formats on the real files of ../shared/data, the NGSI-LD
# request parsers on tests/fuzz/seeds/ngsild, the access model's (credentials, registry bodies) on
# tests/fuzz/seeds/access. A finding (crash, sanitizer report, leak, an input
# slower than 10 s) leaves its input in build/fuzz/findings/ and fails the script.
# clang 16 implements what libstdc++ 12's <expected> needs but reports an older __cpp_concepts,
# so the preset redefines that macro; clang 14 (Debian's default) cannot build the code.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shared=$(cd .. && pwd)/shared/data
jobs=$(nproc)

cmake --preset fuzz >/dev/null
targets=(csv geojson amedas jmaxml gtfs ckan ngsild access)
cmake --build --preset fuzz -j "$jobs" --target "${targets[@]/#/fuzz_}"

declare -A seeds=(
  [csv]="$shared/opendata/*.csv $shared/opendata/*/*.csv"
  [geojson]="$shared/shelters/*/*"
  [amedas]="$shared/jma/amedas/20210224150000.json"
  [jmaxml]="$shared/jma/*.xml $shared/jma/live/*.xml"
  [gtfs]="$shared/gtfs/*.zip"
  [ckan]="$shared/ckan/*.json"
  [ngsild]="tests/fuzz/seeds/ngsild/*"
  [access]="tests/fuzz/seeds/access/*"
)
mkdir -p build/fuzz/findings
# One target per core at a time: each still gets SECONDS, the stage takes SECONDS × targets / cores.
fuzz_one() {
  local t=$1 corpus=build/fuzz/corpus/$1 log=build/fuzz/$1.log status=0
  mkdir -p "$corpus"
  # shellcheck disable=SC2086  # the seed patterns are globs
  cp -n ${seeds[$t]} "$corpus/"
  ASAN_OPTIONS=detect_leaks=1 ASAN_SYMBOLIZER_PATH=/usr/lib/llvm-16/bin/llvm-symbolizer \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:suppressions=tests/fuzz/ubsan.supp \
    "build/fuzz/fuzz_$t" "$corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="build/fuzz/findings/$t-" -print_final_stats=1 >"$log" 2>&1 || status=$?
  echo "$status" >"build/fuzz/$t.status"
}
running=0
for t in "${targets[@]}"; do
  if [ "$running" -ge "$jobs" ]; then wait -n || true; running=$((running - 1)); fi
  fuzz_one "$t" &
  running=$((running + 1))
done
wait
failed=0
for t in "${targets[@]}"; do
  log=build/fuzz/$t.log
  status=$(cat "build/fuzz/$t.status")
  echo "== fuzz_$t: ${seconds}s on $(ls "build/fuzz/corpus/$t" | wc -l) inputs =="
  grep -E "^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+ +DONE" "$log" || true
  if [ "$status" -ne 0 ]; then
    grep -E -A40 "ERROR|runtime error" "$log" | head -60
    echo "fuzz_$t: finding (exit $status); input in build/fuzz/findings/, log in $log"
    failed=1
  fi
done
exit $failed
