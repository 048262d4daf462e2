-- One fixed request (BENCH_PATH; with BENCH_BODY_FILE, a POST of that file's content).
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
function response(status)
  if status ~= 200 then print("unexpected status " .. status) end
end
