-- GET /api/me/ with a Bearer access token, cycling through $BENCH_ACCESS_TOKENS (one per line):
-- what a DRF front end asks on every page. Requests are formatted once in init().
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local requests, n, next_request = {}, 0, 0

function init(args)
   for line in io.lines(os.getenv("BENCH_ACCESS_TOKENS")) do
      n = n + 1
      requests[n] = wrk.format("GET", "/api/me/", { ["Authorization"] = "Bearer " .. line })
   end
   next_request = (id * 7919) % n
end

function request()
   next_request = next_request % n + 1
   return requests[next_request]
end
