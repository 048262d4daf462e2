# Sourced by the bench scripts: row NAME WRK_OUTPUT [ENTITIES_PER_REQUEST] prints one Markdown
# table row (req/s, p50, p99 of a `wrk --latency` run) and counts the unexpected statuses the
# wrk scripts printed.
row() {
  local rps p50 p99 per=${3:-1}
  rps=$(awk '/Requests\/sec/ {print $2}' "$2")
  p50=$(awk '$1=="50%" {print $2}' "$2")
  p99=$(awk '$1=="99%" {print $2}' "$2")
  if [ "$per" != 1 ]; then
    printf '| %s | %s req/s = %s entities/s | %s | %s |\n' "$1" "$rps" "$(awk -v r="$rps" -v p="$per" 'BEGIN {print int(r*p)}')" "$p50" "$p99"
  else
    printf '| %s | %s | %s | %s |\n' "$1" "$(awk -v r="$rps" 'BEGIN {print int(r)}')" "$p50" "$p99"
  fi
  if grep -q "unexpected status" "$2"; then echo "  (errors: $(grep -c 'unexpected status' "$2") unexpected statuses)"; fi
}
