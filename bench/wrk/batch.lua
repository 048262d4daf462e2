-- POST /ngsi-ld/v1/entityOperations/upsert (or BENCH_PATH) of pre-generated batches
-- (BENCH_DIR/batch-<k>.json, 1,000 entities each in bench/query.sh), in rotation.
local path = os.getenv("BENCH_PATH") or "/ngsi-ld/v1/entityOperations/upsert"
local dir = os.getenv("BENCH_DIR")
local count = tonumber(os.getenv("BENCH_BATCHES") or "100")
local bodies = {}
for k = 0, count - 1 do
  local f = assert(io.open(dir .. "/batch-" .. k .. ".json", "r"))
  bodies[k] = f:read("*a")
  f:close()
end
local next_batch = 0
wrk.headers["Content-Type"] = "application/json"
function request()
  local body = bodies[next_batch]
  next_batch = (next_batch + 1) % count
  return wrk.format("POST", path, nil, body)
end
function response(status)
  if status ~= 204 and status ~= 201 then print("unexpected status " .. status) end
end
