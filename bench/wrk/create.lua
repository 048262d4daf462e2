-- Creates entities urn:ngsi-ld:Vehicle:<n> with increasing n. With BENCH_N set, the thread
-- stops after N successful creates (wrk then idles until -d ends); without, it runs for -d.
-- NGSILD-Tenant comes from BENCH_TENANT when set. (wrk calls request() once before sending,
-- so the first id used is 2; BENCH_SKIP=k starts at k + 2 instead.)
local n, done = tonumber(os.getenv("BENCH_SKIP") or "0"), 0
local total = tonumber(os.getenv("BENCH_N") or "0")
local template = io.open(os.getenv("BENCH_ENTITY")):read("*a")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if os.getenv("BENCH_TENANT") then wrk.headers["NGSILD-Tenant"] = os.getenv("BENCH_TENANT") end
function request()
  n = n + 1
  return wrk.format(nil, "/ngsi-ld/v1/entities", nil, (template:gsub("__ID__", tostring(n))))
end
function response(status)
  if status ~= 201 then print("unexpected status " .. status) end
  done = done + 1
  if total > 0 and done >= total then wrk.thread:stop() end
end
