-- GET /ngsi-ld/v1/entities/{id} for random ids among the N preloaded entities.
local total = tonumber(os.getenv("BENCH_N") or "100000")
math.randomseed(42)
function request()
  return wrk.format("GET", "/ngsi-ld/v1/entities/urn:ngsi-ld:Vehicle:" .. math.random(2, total + 1))
end
function response(status)
  if status ~= 200 then print("unexpected status " .. status) end
end
