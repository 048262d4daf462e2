#!/usr/bin/env bash
# Subscriptions benchmark (issue: subscriptions and notifications). Builds the release binary and
# bench/notify_receiver.cpp, starts dejima on core 0 (--threads 1, durable) and the receiver on
# core 1, loads 100,000 Vehicle entities, then for 1,000 and then 10,000 subscriptions (each on
# one vehicle: entities [{id, type}], watchedAttributes [speed], attributes [speed], sysAttrs):
#   - saturation: wrk -t1 -c50 (core 1) PATCHes speed of random subscribed vehicles for 10 s;
#   - below saturation: the same with -c2;
# and reports updates/s, notifications received/s, latency from the attribute's modifiedAt (set
# when the update is accepted, before its commit) to arrival at the receiver (p50/p99/max), and
# lost = notifications dejima sent (timesSent: handed to the sender, whatever the outcome) or
# dropped (timesDropped: queue full, never sent) minus those the receiver got.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/vehicles.sh dejima notify_receiver

taskset -c 1 ./build/release/notify_receiver >"$work/recv.out" &
taskset -c 0 "${DEJIMA:-./build/release/dejima}" serve --port 0 --threads 1 --data-dir "$work/data" --log-level warn --auth off \
  >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && grep -q listening "$work/recv.out" && break; sleep 0.1; done
url="http://$(awk '/listening/ {print $2}' "$work/out")"
receiver="http://$(awk '/listening/ {print $2}' "$work/recv.out")"
for f in "$work"/batches/*.json; do
  curl -sf -o /dev/null -H 'Content-Type: application/json' --data-binary @"$f" "$url/ngsi-ld/v1/entityOperations/upsert"
done

# Creates subscriptions for vehicles [from, to); prints nothing.
subscribe() {
  /usr/bin/python3 - "$url" "$receiver" "$1" "$2" <<'PY'
import sys, requests
url, receiver, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
s = requests.Session()
for k in range(first, last):
    r = s.post(url + "/ngsi-ld/v1/subscriptions", json={
        "type": "Subscription", "entities": [{"id": f"urn:ngsi-ld:Vehicle:{k}", "type": "Vehicle"}],
        "watchedAttributes": ["speed"],
        "notification": {"attributes": ["speed"], "sysAttrs": True, "endpoint": {"uri": receiver + "/notify"}}})
    r.raise_for_status()
PY
}
# Sums of timesSent, timesFailed and timesDropped over all subscriptions.
counted() {
  /usr/bin/python3 - "$url" <<'PY'
import sys, requests
url, sent, failed, dropped, offset = sys.argv[1], 0, 0, 0, 0
while True:
    page = requests.get(url + f"/ngsi-ld/v1/subscriptions?limit=1000&offset={offset}").json()
    if not page:
        break
    for s in page:
        sent += s["notification"]["timesSent"]
        failed += s["notification"]["timesFailed"]
        dropped += s["notification"].get("timesDropped", 0)
    offset += len(page)
print(sent, failed, dropped)
PY
}

echo "| subscriptions | clients | updates/s | notifications/s | latency p50 | p99 | max | sent / failed (dejima) | received | lost |"
echo "|---|---|---|---|---|---|---|---|---|---|"
have=0
for subs in 1000 10000; do
  subscribe "$have" "$subs"
  have=$subs
  for clients in 50 2; do
    read -r sent0 failed0 dropped0 < <(counted)
    curl -sf "$receiver/stats" >/dev/null
    BENCH_COUNT=$subs taskset -c 1 wrk -t1 -c"$clients" -d"${duration}s" -s bench/wrk/patch_speed.lua "$url" >"$work/w.out"
    sleep 2  # let the queues drain
    read -r got p50 p99 max < <(curl -sf "$receiver/stats")
    read -r sent1 failed1 dropped1 < <(counted)
    rps=$(awk '/Requests\/sec/ {print int($2)}' "$work/w.out")
    sent=$((sent1 - sent0)); failed=$((failed1 - failed0)); dropped=$((dropped1 - dropped0))
    printf '| %s | %s | %s | %s | %s ms | %s ms | %s ms | %s / %s | %s | %s |\n' "$subs" "$clients" "$rps" \
      "$((got / duration))" "$p50" "$p99" "$max" "$sent" "$failed" "$got" "$((sent + dropped - got))"
    if grep -q "unexpected status" "$work/w.out"; then echo "  (errors: $(grep -c 'unexpected status' "$work/w.out"))"; fi
  done
done
echo "RSS: $(awk '/VmRSS/ {print int($2/1024)}' /proc/$pid/status) MB"
