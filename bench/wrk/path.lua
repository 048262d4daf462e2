-- One fixed request (BENCH_PATH; with BENCH_BODY_FILE, a POST of that file's content; with
-- BENCH_TENANT, to that tenant).
local path = os.getenv("BENCH_PATH")
local body_file = os.getenv("BENCH_BODY_FILE")
if body_file then
  local f = assert(io.open(body_file, "r"))
  wrk.method = "POST"
  wrk.body = f:read("*a")
  f:close()
  wrk.headers["Content-Type"] = "application/json"
end
wrk.path = path
if os.getenv("BENCH_TENANT") then wrk.headers["NGSILD-Tenant"] = os.getenv("BENCH_TENANT") end
function response(status)
  if status ~= 200 then print("unexpected status " .. status) end
end
