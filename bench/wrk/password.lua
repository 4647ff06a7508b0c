-- POST /oauth/token grant_type=password (client_secret_basic). Each request runs one argon2id
-- verification and issues an access token (RS256) plus a refresh token (one INSERT).
dofile(os.getenv("BENCH_WRK_DIR") .. "/common.lua")
wrk.method = "POST"
wrk.path = "/oauth/token"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. os.getenv("BENCH_CLIENT_BASIC")
wrk.body = "grant_type=password&username=" .. os.getenv("BENCH_USER") ..
   "&password=" .. os.getenv("BENCH_PASSWORD")
