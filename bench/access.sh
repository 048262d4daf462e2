#!/usr/bin/env bash
# The cost of access control (issue 24): GET by id and a durable one-attribute PATCH, each with
# --auth off and with --auth on and each kind of credential — a service's API key in X-API-Key
# (read+write scope), a signed-in editor's session token and an identity provider's RS256 JWT
# (bench/oidc_provider.py on loopback), both as Authorization: Bearer — on the same machine in
# one run, the four in turn, BENCH_ROUNDS times (default 3; the machines drift within a run), with
# each ratio and its median. Server on core 0
# (--threads 1), wrk on core 1 (-t1 -c50), N entities preloaded (default 1000). Then the
# gate and metering micro-benchmarks (bench/access_bench.cpp). Prints Markdown; bench/RESULTS.md keeps
# the figures with the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake --preset release >/dev/null
cmake --build --preset release --target dejima access_bench >/dev/null
n=${BENCH_N:-1000}
duration=${BENCH_SECONDS:-10}
operator=bench-operator-key-0123456789
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
"${PYTHON:-/usr/bin/python3}" bench/oidc_provider.py >"$work/oidc" &
for _ in $(seq 100); do [ "$(wc -l <"$work/oidc")" -ge 2 ] && break; sleep 0.1; done
issuer=$(sed -n 1p "$work/oidc")
jwt=$(sed -n 2p "$work/oidc")

# shellcheck source=wrk/row.sh
source bench/wrk/row.sh

echo "| workload (N=$n) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
rounds=${BENCH_ROUNDS:-3}
for round in $(seq "$rounds"); do
  for mode in off key session jwt; do
    auth=on
    [ "$mode" = off ] && auth=off
    data="$work/data-$round-$mode"
    taskset -c 0 "${DEJIMA:-./build/release/dejima}" serve --port 0 --threads 1 --data-dir "$data" --log-level warn \
      --auth "$auth" --bootstrap-operator-key "$operator" --oidc-issuer "$issuer" >"$work/out" 2>"$work/err" &
    pid=$!
    for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
    url="http://$(awk '/listening/ {print $2}' "$work/out")"
    key=()
    label=""
    case $mode in
      key)
        apikey=$(curl -sf -X POST "$url/dejima/v1/tenants/default/services" -H "X-API-Key: $operator" \
          -H 'Content-Type: application/json' -d '{"name":"bench","scopes":[{"operations":["read","write"]}]}' |
          python3 -c 'import json,sys; print(json.load(sys.stdin)["apiKey"])')
        key=(-H "X-API-Key: $apikey")
        label=" (API key)"
        ;;
      session)
        curl -sf -X POST "$url/dejima/v1/tenants/default/users" -H "X-API-Key: $operator" \
          -H 'Content-Type: application/json' -d '{"name":"bench","password":"bench-password","role":"editor"}' \
          >/dev/null
        token=$(curl -sf -X POST "$url/dejima/v1/login" -H 'Content-Type: application/json' \
          -d '{"user":"bench","password":"bench-password"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
        key=(-H "Authorization: Bearer $token")
        label=" (session token)"
        ;;
      jwt)
        key=(-H "Authorization: Bearer $jwt")
        label=" (OIDC JWT)"
        ;;
    esac
    BENCH_N=$n BENCH_ENTITY=bench/entity.json taskset -c 1 wrk -t1 -c50 -d$((n / 10000 + 3))s "${key[@]}" \
      -s bench/wrk/create.lua "$url" >"$work/preload"
    BENCH_N=$n taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency "${key[@]}" -s bench/wrk/get.lua "$url" >"$work/get"
    row "GET by id, auth $auth$label, round $round" "$work/get"
    echo "GET $mode $round $(awk '/Requests\/sec/ {print $2}' "$work/get")" >>"$work/figures"
    BENCH_N=$n taskset -c 1 wrk -t1 -c50 -d"${duration}s" --latency "${key[@]}" -s bench/wrk/patch.lua "$url" \
      >"$work/patch"
    row "PATCH one attribute (durable), auth $auth$label, round $round" "$work/patch"
    echo "PATCH $mode $round $(awk '/Requests\/sec/ {print $2}' "$work/patch")" >>"$work/figures"
    kill -TERM $pid
    wait $pid
  done
done
echo
echo "Each credential against --auth off in the same round (its ratios, round by round, and their median):"
echo
awk '{ rps[$1 " " $2 " " $3] = $4; workloads[$1] = 1; modes[$2] = 1; if ($3 > n) n = $3 }
  END {
    for (w in workloads) for (m in modes) {
      if (m == "off") continue
      k = 0; list = ""
      for (r = 1; r <= n; r++) { v[++k] = rps[w " " m " " r] / rps[w " off " r]; list = list sprintf(" %.1f %%", 100 * v[k]) }
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      med = k % 2 ? v[(k + 1) / 2] : (v[k / 2] + v[k / 2 + 1]) / 2
      printf "- %s with %s:%s; median %.1f %%\n", w, m, list, 100 * med
    }
  }' "$work/figures" | sort
echo
./build/release/access_bench --benchmark_min_time=2 2>/dev/null | grep '^BM_'
