-- POST /oauth/token grant_type=refresh_token WITH rotation: every request presents a refresh
-- token that has never been used.
--
-- Token chains: run.sh and side_by_side.sh seed $BENCH_SEEDS with refresh tokens from password
-- grants (at least one per connection). Thread k takes seed lines k, k+T, k+2T, ... onto its
-- stack. request() pops a token; response() takes the rotated `refresh_token` out of the 200 answer and pushes
-- it back, so the token a connection sends next is always the newest of its chain. wrk keeps
-- one request in flight per connection and calls response() before that connection's next
-- request(), so the stack never runs dry unless a response fails.
--
-- Before the run wrk calls request() once on thread 0's state to check the request format
-- (script_verify_request); the token it pops is never sent, so the seeds must outnumber the
-- connections (both scripts mint 2 per connection; side_by_side.sh one more per thread).
--
-- A non-200 answer (or one without a refresh token) ends that chain and counts in `bad`; a
-- request made with an empty stack sends a dead token (the server answers 400, counted by wrk
-- as non-2xx) and counts in `dry`. Both scripts reject any run where either is non-zero.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
local headers = {
   ["Content-Type"] = "application/x-www-form-urlencoded",
   ["Authorization"] = "Basic " .. os.getenv("BENCH_CLIENT_BASIC"),
}
refresh_chains(function(tok)
   return wrk.format("POST", "/oauth/token", headers, "grant_type=refresh_token&refresh_token=" .. tok)
end, '"refresh_token":"([^"]+)"')
