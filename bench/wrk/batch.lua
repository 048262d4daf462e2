-- POST /ngsi-ld/v1/entityOperations/upsert of pre-generated 1,000-entity batches, in rotation.
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
  return wrk.format("POST", "/ngsi-ld/v1/entityOperations/upsert", nil, body)
end
function response(status)
  if status ~= 204 and status ~= 201 then print("unexpected status " .. status) end
end
