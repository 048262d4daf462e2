-- PATCH one attribute (speed) of random entities among the N preloaded ones; durable writes.
local total = tonumber(os.getenv("BENCH_N") or "100000")
math.randomseed(7)
wrk.headers["Content-Type"] = "application/json"
function request()
  local body = string.format('{"value":%d}', math.random(0, 120))
  return wrk.format("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:" .. math.random(2, total + 1) .. "/attrs/speed", nil, body)
end
function response(status)
  if status ~= 204 then print("unexpected status " .. status) end
end
