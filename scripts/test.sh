#!/usr/bin/env bash
# README command 2 (and CI): install dependencies, then check and build and run every test:
#  0. lint (scripts/lint.sh): formatting, third-party headers in their own modules, clang-tidy;
#  1. dev preset (Debug + AddressSanitizer + UndefinedBehaviorSanitizer): GoogleTest unit tests
#     and the end-to-end suite against the real binary over HTTP (two pytest-xdist workers, here
#     and in step 2; one process under TSan), then FIWARE's client libraries from npm (tests/clients/: the IoT agent library
#     in NGSIv2 mode, WireCloud's ngsijs) against it;
#  2. release preset (the binary scripts/start.sh runs: -O2, LTO, jemalloc with huge pages): the
#     end-to-end suite again, then the web app's browser tests (web/, tests/web/: Playwright
#     driving Debian's Chromium against the release binary with the demo data);
#  3. tsan preset (ThreadSanitizer): unit tests, the concurrency end-to-end tests and the
#     subscription tests (notifier and timer threads), the NGSIv2 registration tests (forwarding
#     threads), the NGSIv2 transient entities (expiry thread), the temporal tests (read pool, retention)
#     the import tests (conversion overlapping commits) and the connector tests (worker thread);
#  4. fuzz preset (clang 16 + libFuzzer + ASan/UBSan): each parser fuzzed for 30 s, one per core
#     at a time (scripts/fuzz.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
jobs=$(nproc)

echo "== lint =="
bash scripts/lint.sh

echo "== dev (ASan + UBSan) =="
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --preset dev -j 2

echo "== FIWARE client libraries (npm) against the dev binary =="
(cd tests/clients && npm ci --no-audit --no-fund --loglevel=error &&
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    DEJIMA_BIN="$PWD/../../build/dev/dejima" npm test --silent)

echo "== release (-O2, LTO, jemalloc) =="
cmake --preset release >/dev/null
cmake --build --preset release -j "$jobs" --target dejima
DEJIMA_BIN=build/release/dejima /usr/bin/python3 -m pytest -q -p no:cacheprovider -n 2 tests/e2e

echo "== web app (Playwright + Debian's Chromium, against the release binary) =="
bash scripts/build-web.sh
(cd web && DEJIMA_BIN="$PWD/../build/release/dejima" npm run test:browser --silent)

echo "== tsan (ThreadSanitizer) =="
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs"
TSAN_OPTIONS=halt_on_error=1 PYTEST_ADDOPTS="-k 'concurrency or subscriptions or registrations or transient or temporal or import or connectors'" \
  ctest --preset tsan -j 2

echo "== fuzz (libFuzzer, 30 s per target) =="
bash scripts/fuzz.sh 30
