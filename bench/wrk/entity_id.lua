-- One request per call to a random entity among urn:ngsi-ld:Vehicle:0 .. BENCH_N-1:
-- BENCH_METHOD (default GET) to BENCH_PATH with "{id}" replaced by the entity's id; with
-- BENCH_BODY (JSON), that body with "{n}" replaced by a random number 0..120. Answers other than
-- BENCH_STATUS (default 200) are printed as unexpected. Same seed for every run, so two APIs
-- measured with it address the same sequence of entities.
local total = tonumber(os.getenv("BENCH_N") or "10000")
local method = os.getenv("BENCH_METHOD") or "GET"
local path = assert(os.getenv("BENCH_PATH"), "BENCH_PATH")
local body = os.getenv("BENCH_BODY")
local expected = tonumber(os.getenv("BENCH_STATUS") or "200")
math.randomseed(13)
if body then wrk.headers["Content-Type"] = "application/json" end
function request()
  local p = path:gsub("{id}", "urn:ngsi-ld:Vehicle:" .. math.random(0, total - 1))
  local b = nil
  if body then b = body:gsub("{n}", tostring(math.random(0, 120))) end
  return wrk.format(method, p, nil, b)
end
function response(status)
  if status ~= expected then print("unexpected status " .. status) end
end
