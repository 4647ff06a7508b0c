#!/usr/bin/env bash
# Sesame load benchmark: password grant, refresh grant with rotation, introspection, JWKS.
#
#   bench/run.sh                         # everything (~2-3 min on an idle machine)
#   SCENARIOS="refresh jwks" bench/run.sh
#
# Installs wrk if missing, builds the release binary, starts `sesame serve` on a fresh SQLite
# database and key directory in a temporary directory (RS256 key generated on first start),
# creates the user and clients with the CLI, runs one bounded wrk run per scenario on loopback,
# prints a table and stops the server. See bench/README.md.
#
# Knobs (environment):
#   SCENARIOS="password refresh introspect jwks"   which runs, in this order
#   CONNS=32 THREADS=2 DURATION=12s PASSWORD_DURATION=15s WRK_TIMEOUT=10s
#   INTROSPECT_TOKENS=256      distinct access tokens the introspection run cycles through
#                              (minted along one refresh chain by mint_access_tokens.py)
#   PORT=18080                 loopback port of the server under test
#   QUIET_PCT=15               wait before each run until the machine is < this % busy (15 % of
#   QUIET_MAX_WAIT=240         2 cores = 0.3 core) over 1 s, for at most this many seconds
#   OTHER_MAX=0.25             repeat a run (3 attempts at most) if more than this many cores went
#                              to processes other than the server and wrk during it
#   SKIP_BUILD=1               use the existing binary ($SESAME_BIN, default $CARGO_TARGET_DIR/release/sesame)
#   RESULTS_DIR=...            default bench/results/<timestamp> (raw wrk output, JSONL, table)
#   KEEP_DIR=1                 keep the temporary database, keys and server log
#   SERVER_ENV="SESAME_X=y ..." extra settings for the server (e.g. a pool size experiment)
set -euo pipefail
# The whole script is one compound command, so bash parses it before running it: editing the
# file during a run cannot change the run.
{

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
export BENCH_WRK_DIR="$BENCH_DIR/wrk"

SCENARIOS=${SCENARIOS:-"password refresh introspect jwks"}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-12s}
PASSWORD_DURATION=${PASSWORD_DURATION:-15s}
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
INTROSPECT_TOKENS=${INTROSPECT_TOKENS:-256}
PORT=${PORT:-18080}
QUIET_PCT=${QUIET_PCT:-15}
QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-240}
OTHER_MAX=${OTHER_MAX:-0.25}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results/$(date +%Y%m%d-%H%M%S)}
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
# (kept as BIN: every SESAME_* variable is cleared before the server starts)
BIN=${SESAME_BIN:-$CARGO_TARGET_DIR/release/sesame}
URL="http://127.0.0.1:$PORT"
CLK_TCK=$(getconf CLK_TCK)

# Targets on the 2-core reference machine (issue 2): requests/s.
declare -A TARGET=([password]=90 [refresh]=2000 [introspect]=10000 [jwks]=30000)
declare -A LABEL=(
  [password]="POST /oauth/token grant_type=password"
  [refresh]="POST /oauth/token grant_type=refresh_token (rotation)"
  [introspect]="POST /oauth/introspect (access token)"
  [jwks]="GET /.well-known/jwks.json"
)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "!! $*"; exit 1; }

# ---------------------------------------------------------------- tools and binary
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
fi
for tool in wrk curl jq awk python3 /usr/bin/time; do command -v "$tool" >/dev/null || die "$tool is required"; done

if [ -z "${SKIP_BUILD:-}" ]; then
  log "cargo build --release (CARGO_TARGET_DIR=$CARGO_TARGET_DIR)"
  (cd "$ROOT" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR" cargo build --release --bin sesame)
fi
[ -x "$BIN" ] || die "no binary at $BIN"

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then die "port $PORT is in use"; fi

# ---------------------------------------------------------------- server
WORK=$(mktemp -d /tmp/sesame-bench.XXXXXX)
# The target directory may be shared with other worktrees, whose builds re-link
# target/release/sesame: run a private copy taken right after the build.
cp "$BIN" "$WORK/sesame"
BIN_SHA=$(sha256sum "$WORK/sesame" | cut -c1-16)
BIN_BUILT=$(date -u -r "$BIN" +%Y-%m-%dT%H:%M:%SZ)
SERVER_LOG="$WORK/server.log"
SERVER_PID=""
mkdir -p "$RESULTS_DIR/raw"
RESULTS_FILE="$RESULTS_DIR/results.jsonl"
: >"$RESULTS_FILE"

cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  [ -f "$SERVER_LOG" ] && cp "$SERVER_LOG" "$RESULTS_DIR/server.log"
  if [ -n "${KEEP_DIR:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Only our settings reach the server and the CLI.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^SESAME_' || true)
# An empty settings file: defaults + env only (a file named by --config must exist).
: >"$WORK/empty.toml"
SESAME=("$WORK/sesame" --config "$WORK/empty.toml")
export SESAME_LISTEN="127.0.0.1:$PORT"
export SESAME_ISSUER="$URL"
export SESAME_DATABASE_URL="sqlite://$WORK/sesame.db?mode=rwc"
export SESAME_KEYS_DIR="$WORK/keys"
export SESAME_ALGORITHM=RS256
export RUST_LOG=warn NO_COLOR=1
if [ -n "${SERVER_ENV:-}" ]; then
  for kv in $SERVER_ENV; do export "${kv?}"; done
fi

log "starting sesame serve on $URL (data in $WORK)"
"${SESAME[@]}" serve >"$SERVER_LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
  curl -fs "$URL/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SERVER_LOG" >&2; die "server exited"; }
  sleep 0.1
done
curl -fs "$URL/readyz" >/dev/null || die "server not ready after 30 s"

export BENCH_USER=bench BENCH_PASSWORD=bench-password-1
echo "$BENCH_PASSWORD" | "${SESAME[@]}" user add "$BENCH_USER" >/dev/null 2>>"$WORK/cli.log"
creds=$("${SESAME[@]}" client add --name bench --grant password --grant refresh_token --json 2>>"$WORK/cli.log")
CLIENT_ID=$(jq -r .client_id <<<"$creds"); CLIENT_SECRET=$(jq -r .client_secret <<<"$creds")
creds=$("${SESAME[@]}" client add --name resource-server --grant client_credentials --json 2>>"$WORK/cli.log")
RS_ID=$(jq -r .client_id <<<"$creds"); RS_SECRET=$(jq -r .client_secret <<<"$creds")
# client_secret_basic (RFC 6749 §2.3.1); the generated ids and secrets are base64url, so the
# form-encoding step changes nothing.
BENCH_CLIENT_BASIC=$(printf '%s:%s' "$CLIENT_ID" "$CLIENT_SECRET" | base64 -w0)
BENCH_RS_BASIC=$(printf '%s:%s' "$RS_ID" "$RS_SECRET" | base64 -w0)
export BENCH_CLIENT_BASIC BENCH_RS_BASIC

password_grant() {  # prints the JSON token response; fails on non-200
  curl -fsS -X POST "$URL/oauth/token" -H "Authorization: Basic $BENCH_CLIENT_BASIC" \
    --data-urlencode grant_type=password --data-urlencode "username=$BENCH_USER" \
    --data-urlencode "password=$BENCH_PASSWORD"
}

# ---------------------------------------------------------------- smoke check
tok=$(password_grant) || die "password grant failed"
access=$(jq -r .access_token <<<"$tok"); refresh=$(jq -r .refresh_token <<<"$tok")
r2=$(curl -fsS -X POST "$URL/oauth/token" -H "Authorization: Basic $BENCH_CLIENT_BASIC" \
      -d "grant_type=refresh_token&refresh_token=$refresh") || die "refresh grant failed"
[ "$(jq -r .refresh_token <<<"$r2")" != "$refresh" ] || die "refresh token was not rotated"
# Inside refresh_reuse_grace (5 s) a retry of the rotated token gets the same successor.
retry=$(curl -fsS -X POST "$URL/oauth/token" -H "Authorization: Basic $BENCH_CLIENT_BASIC" \
      -d "grant_type=refresh_token&refresh_token=$refresh") || die "a retry inside the grace was refused"
[ "$(jq -r .refresh_token <<<"$retry")" = "$(jq -r .refresh_token <<<"$r2")" ] \
  || die "a retry inside the grace got another successor"
active=$(curl -fsS -X POST "$URL/oauth/introspect" -H "Authorization: Basic $BENCH_RS_BASIC" \
      -d "token=$access" | jq -r .active)
[ "$active" = true ] || die "introspection of a fresh access token is not active"
curl -fsS "$URL/.well-known/jwks.json" | jq -e '.keys[0].kid' >/dev/null || die "JWKS has no key"
log "smoke check passed (password, refresh + rotation + idempotent retry, introspection, JWKS)"

# ---------------------------------------------------------------- measurement helpers
server_ticks() { awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"; }   # utime+stime, all threads
sys_busy_total() { awk '/^cpu /{idle=$5+$6; t=0; for(i=2;i<=NF;i++) t+=$i; print t-idle, t}' /proc/stat; }
# Per-thread "tid comm ticks ctxsw" of the server, for diagnostics: how much CPU the
# sqlx-sqlite connection threads use, and how many thread hand-offs a request costs. Threads
# come and go (the pool closes idle connections), so deltas are taken per thread id.
thread_snapshot() {
  local t c
  for t in /proc/"$SERVER_PID"/task/*; do
    c=$(tr ' ' '_' <"$t/comm" 2>/dev/null) || continue
    echo "${t##*/} $c $(awk '{print $14 + $15}' "$t/stat" 2>/dev/null || echo 0)" \
         "$(awk '/ctxt_switches/{x += $2} END{print x + 0}' "$t/status" 2>/dev/null || echo 0)"
  done
}
thread_deltas() {  # before-file after-file -> "<sqlite-thread ticks> <context switches>"
  awk 'NR == FNR {tk[$1] = $3; cs[$1] = $4; next}
       {dt = $3 - tk[$1]; dc = $4 - cs[$1]; if ($2 ~ /^sqlx-sqlite/) sq += dt; c += dc}
       END {print sq + 0, c + 0}' "$1" "$2"
}

wait_quiet() {  # until < QUIET_PCT % busy over 1 s, at most QUIET_MAX_WAIT s
  local b0 t0 b1 t1 pct waited=0
  while :; do
    read -r b0 t0 < <(sys_busy_total); sleep 1; read -r b1 t1 < <(sys_busy_total)
    pct=$(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
    if [ "$pct" -lt "$QUIET_PCT" ]; then QUIET_WAITED=$waited; QUIET_PCT_SEEN=$pct; return 0; fi
    waited=$((waited + 1))
    if [ "$waited" -ge "$QUIET_MAX_WAIT" ]; then
      log "!! machine still ${pct}% busy after ${waited}s; measuring anyway (flagged not_quiet)"
      QUIET_WAITED=$waited; QUIET_PCT_SEEN=$pct; NOT_QUIET=1; return 0
    fi
    [ $((waited % 20)) -eq 1 ] && log "   waiting for a quiet machine (${pct}% busy)"
  done
}

prepare_refresh() {  # fresh chains: 2 seeds per connection, from password grants
  export BENCH_SEEDS="$WORK/seeds.txt"
  : >"$BENCH_SEEDS"
  local i
  for i in $(seq $((CONNS * 2))); do password_grant | jq -r .refresh_token >>"$BENCH_SEEDS"; done
  [ "$(grep -c . "$BENCH_SEEDS")" -eq $((CONNS * 2)) ] || die "could not mint refresh seeds"
}
prepare_introspect() {  # INTROSPECT_TOKENS distinct access tokens, along one refresh chain
  export BENCH_ACCESS_TOKENS="$WORK/access_tokens.txt"
  if [ "$(grep -c . "$BENCH_ACCESS_TOKENS" 2>/dev/null)" = "$INTROSPECT_TOKENS" ]; then return; fi
  local seed
  seed=$(password_grant | jq -r .refresh_token) || die "password grant failed"
  # Each token is introspected once as it is minted: the run measures a resource server that
  # has seen its tokens before, however many there are.
  python3 "$BENCH_DIR/mint_access_tokens.py" "$URL" "$BENCH_CLIENT_BASIC" "$seed" \
    "$INTROSPECT_TOKENS" "$BENCH_RS_BASIC" >"$BENCH_ACCESS_TOKENS" || die "could not mint access tokens"
  [ "$(grep -c . "$BENCH_ACCESS_TOKENS")" -eq "$INTROSPECT_TOKENS" ] || die "could not mint access tokens"
}

# measure <scenario> <duration>: one recorded run (with up to 2 repeats under foreign load).
measure() {
  local sc=$1 dur=$2 attempt out rec st0 st1 b0 t0 b1 t1 w0 w1 ccpu e0 e1 sq cs
  for attempt in 1 2 3; do
    NOT_QUIET=0
    if declare -F "prepare_$sc" >/dev/null; then "prepare_$sc"; fi
    wait_quiet
    e0=$(grep -c 'ERROR' "$SERVER_LOG" || true)
    thread_snapshot >"$WORK/threads0"
    st0=$(server_ticks); read -r b0 t0 < <(sys_busy_total); w0=$(date +%s.%N)
    out=$(WRK_THREADS=$THREADS /usr/bin/time -f 'CLIENTCPU %U %S' timeout 120 \
          wrk -t"$THREADS" -c"$CONNS" -d"$dur" --timeout "$WRK_TIMEOUT" --latency \
          -s "$BENCH_WRK_DIR/$sc.lua" "$URL" 2>&1) || true
    w1=$(date +%s.%N); st1=$(server_ticks); read -r b1 t1 < <(sys_busy_total)
    thread_snapshot >"$WORK/threads1"; read -r sq cs < <(thread_deltas "$WORK/threads0" "$WORK/threads1")
    e1=$(grep -c 'ERROR' "$SERVER_LOG" || true)
    echo "$out" >"$RESULTS_DIR/raw/${sc}_attempt${attempt}.txt"
    rec=$(sed -n 's/^WRKJSON //p' <<<"$out")
    [ -n "$rec" ] || { echo "$out" >&2; die "wrk failed for $sc"; }
    ccpu=$(awk '/^CLIENTCPU/{print $2 + $3}' <<<"$out")
    rec=$(jq -c --arg sc "$sc" --argjson attempt "$attempt" --argjson conns "$CONNS" \
      --argjson threads "$THREADS" --arg dur "$dur" \
      --argjson scpu "$(awk -v a="$st0" -v b="$st1" -v c="$CLK_TCK" 'BEGIN{print (b-a)/c}')" \
      --argjson busy "$(awk -v a="$b0" -v b="$b1" -v c="$CLK_TCK" 'BEGIN{print (b-a)/c}')" \
      --argjson wall "$(awk -v a="$w0" -v b="$w1" 'BEGIN{print b-a}')" \
      --argjson ccpu "${ccpu:-0}" --argjson sqcpu "$(awk -v a="$sq" -v c="$CLK_TCK" 'BEGIN{print a/c}')" \
      --argjson ctxsw "$cs" --argjson errlog "$(( ${e1:-0} - ${e0:-0} ))" \
      --argjson waited "$QUIET_WAITED" --argjson quiet_pct "$QUIET_PCT_SEEN" \
      --argjson not_quiet "$NOT_QUIET" --argjson target "${TARGET[$sc]}" \
      '. + {scenario:$sc, attempt:$attempt, conns:$conns, threads:$threads, duration:$dur,
            server_cpu_s:$scpu, sqlite_threads_cpu_s:$sqcpu, ctx_switches:$ctxsw, client_cpu_s:$ccpu, busy_cpu_s:$busy, wall_s:$wall,
            other_cpu_s:($busy - $scpu - $ccpu), server_error_logs:$errlog,
            quiet_waited_s:$waited, quiet_pct_before:$quiet_pct, not_quiet:($not_quiet == 1),
            target_rps:$target}
       | .secs = (.duration_us / 1e6)
       | .rps = (.requests / .secs)
       | .non2xx = (.err_status + .script_bad)
       | .sock_errors = (.err_connect + .err_read + .err_write + .err_timeout)
       | .server_cores = (.server_cpu_s / .secs)
       | .client_cores = (.client_cpu_s / .secs)
       | .other_cores = (.other_cpu_s / .secs)
       | .server_cpu_us_per_req = (if .requests > 0 then .server_cpu_s * 1e6 / .requests else null end)
       | .ctx_switches_per_req = (if .requests > 0 then .ctx_switches / .requests else null end)
       | .sqlite_threads_share = (if .server_cpu_s > 0 then .sqlite_threads_cpu_s / .server_cpu_s else null end)
       | .valid = (.err_status == 0 and .script_bad == 0 and .script_dry == 0 and .sock_errors == 0)
       | .target_met = (.valid and .rps >= .target_rps)' <<<"$rec")
    jq -r '"\(.scenario) attempt \(.attempt): \(.rps|floor) req/s p50=\(.lat_p50_us/1000)ms p99=\(.lat_p99_us/1000)ms non2xx=\(.non2xx) sockerr=\(.sock_errors) server=\(.server_cores*100|floor/100) cores (\(.server_cpu_us_per_req|floor) us/req, \(.sqlite_threads_share*100|floor)% in sqlite threads, \(.ctx_switches_per_req*10|floor/10) ctx sw/req) wrk=\(.client_cores*100|floor/100) other=\(.other_cores*100|floor/100) cores"' <<<"$rec" >&2
    if [ "$attempt" -lt 3 ] && jq -e --argjson m "$OTHER_MAX" '.other_cores > $m' <<<"$rec" >/dev/null; then
      log "   other processes used more than $OTHER_MAX cores during the run: repeating"
      continue
    fi
    break
  done
  echo "$rec" >>"$RESULTS_FILE"
}

# ---------------------------------------------------------------- runs
log "warm-up (not recorded): 2 s JWKS, 2 s introspection"
prepare_introspect
WRK_THREADS=$THREADS timeout 30 wrk -t"$THREADS" -c"$CONNS" -d2s -s "$BENCH_WRK_DIR/jwks.lua" "$URL" >/dev/null
WRK_THREADS=$THREADS timeout 30 wrk -t"$THREADS" -c"$CONNS" -d2s -s "$BENCH_WRK_DIR/introspect.lua" "$URL" >/dev/null

for sc in $SCENARIOS; do
  [ -n "${TARGET[$sc]:-}" ] || die "unknown scenario $sc"
  log "== $sc: ${LABEL[$sc]}"
  if [ "$sc" = password ]; then measure "$sc" "$PASSWORD_DURATION"; else measure "$sc" "$DURATION"; fi
done

# ---------------------------------------------------------------- report
{
  echo "# Sesame benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$ROOT" diff --quiet HEAD -- src migrations Cargo.toml Cargo.lock 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), nproc $(nproc), $(awk '/MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
  echo "- load: wrk $(wrk -v 2>&1 | head -1 | awk '{print $2}'), -t$THREADS -c$CONNS, -d$DURATION (password $PASSWORD_DURATION), --timeout $WRK_TIMEOUT, --latency, loopback"
  echo "- binary: sha256 $BIN_SHA…, copy of $BIN built $BIN_BUILT"
  echo "- server: release build, SQLite (WAL, synchronous=NORMAL), RS256 access tokens, RUST_LOG=warn${SERVER_ENV:+, $SERVER_ENV}"
  echo
  echo "| endpoint | req/s | p50 ms | p99 ms | non-2xx | socket errors | server CPU (cores) | server CPU µs/req | wrk CPU (cores) | target req/s | met |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  jq -r --slurp -r '.[] | "| \(.scenario) | \(.rps|floor) | \(.lat_p50_us/1000) | \(.lat_p99_us/1000) | \(.non2xx) | \(.sock_errors) | \(.server_cores*100|round/100) | \(.server_cpu_us_per_req|round) | \(.client_cores*100|round/100) | \(.target_rps) | \(if .target_met then "yes" elif .valid then "NO" else "INVALID (errors)" end)\(if .not_quiet then " (machine not quiet)" elif .other_cores > 0.25 then " (foreign load \(.other_cores*100|round/100) cores)" else "" end) |"' "$RESULTS_FILE"
} | tee "$RESULTS_DIR/results.md"
log "results: $RESULTS_DIR"
jq -e --slurp 'all(.valid)' "$RESULTS_FILE" >/dev/null || { log "!! a run had errors: it is not a result"; exit 2; }
exit 0
}
