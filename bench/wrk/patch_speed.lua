-- PATCH speed of random entities among urn:ngsi-ld:Vehicle:0 .. BENCH_COUNT-1 (durable writes).
local count = tonumber(os.getenv("BENCH_COUNT") or "1000")
math.randomseed(11)
wrk.headers["Content-Type"] = "application/json"
function request()
  local body = string.format('{"value":%d}', math.random(0, 120))
  return wrk.format("PATCH", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:" .. math.random(0, count - 1) .. "/attrs/speed", nil, body)
end
function response(status)
  if status ~= 204 then print("unexpected status " .. status) end
end
