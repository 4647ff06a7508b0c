-- POST /oauth/introspect with a valid access token, authenticated as the resource-server client.
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = "/oauth/introspect"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_RS_BASIC")
wrk.body = "token=" .. os.getenv("BENCH_ACCESS_TOKEN")
