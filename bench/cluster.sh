#!/usr/bin/env bash
# Sesame cluster benchmark (issue 10): two `sesame serve` instances on one PostgreSQL database,
# each with its own empty keys directory and the same key-encryption key, behind HAProxy
# (round-robin, loopback); then one instance behind the same proxy, for comparison.
#
#   bench/cluster.sh                     # ~3 min on an idle machine
#   SCENARIOS="refresh me" bench/cluster.sh
#
# Installs haproxy and wrk if missing (Debian packages), builds the release binary, creates a
# database of its own on the PostgreSQL server DATABASE_ADMIN_URL names (dropped at the end),
# checks that the instances act as one server (byte-identical JWKS; a token from each accepted
# by the other), runs one bounded wrk run per scenario and topology through the proxy, prints a
# table and stops everything. Every run must have zero errors: a run with any is not a result.
#
# Knobs (environment):
#   SCENARIOS="refresh password introspect me"   which runs, in this order
#   TOPOLOGIES="two one"      two instances behind the proxy, then one
#   CONNS=32 THREADS=2 DURATION=10s PASSWORD_DURATION=10s WRK_TIMEOUT=10s
#   ACCESS_TOKENS=256         distinct access tokens the introspection and /api/me/ runs cycle through
#   DATABASE_ADMIN_URL=postgres://postgres@127.0.0.1:5432/test   where to create the run's database
#   PORT=18090                the proxy's port; the instances listen on PORT+1 and PORT+2
#   SKIP_BUILD=1              use the existing binary ($SESAME_BIN, default target/release/sesame)
#   RESULTS_DIR=...           default bench/results/cluster-<timestamp>
#   KEEP_DIR=1                keep the temporary directory (keys, logs, proxy configuration)
set -euo pipefail
{

BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/.." && pwd)
export BENCH_WRK_DIR="$BENCH_DIR/wrk"

SCENARIOS=${SCENARIOS:-"refresh password introspect me"}
TOPOLOGIES=${TOPOLOGIES:-"two one"}
CONNS=${CONNS:-32}
THREADS=${THREADS:-2}
DURATION=${DURATION:-10s}
PASSWORD_DURATION=${PASSWORD_DURATION:-10s}
WRK_TIMEOUT=${WRK_TIMEOUT:-10s}
ACCESS_TOKENS=${ACCESS_TOKENS:-256}
DATABASE_ADMIN_URL=${DATABASE_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/test}
PORT=${PORT:-18090}
RESULTS_DIR=${RESULTS_DIR:-$BENCH_DIR/results/cluster-$(date +%Y%m%d-%H%M%S)}
BIN=${SESAME_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/sesame}
URL="http://127.0.0.1:$PORT"
CLK_TCK=$(getconf CLK_TCK)
declare -A LABEL=(
  [refresh]="POST /oauth/token grant_type=refresh_token (rotation)"
  [password]="POST /oauth/token grant_type=password"
  [introspect]="POST /oauth/introspect"
  [me]="GET /api/me/"
)

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "!! $*"; exit 1; }

# ---------------------------------------------------------------- tools and binary
for pkg in haproxy wrk; do
  if ! command -v "$pkg" >/dev/null; then
    log "installing $pkg"
    apt-get install -y "$pkg" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "$pkg" >/dev/null; }
  fi
done
for tool in haproxy wrk curl jq psql python3 base64; do command -v "$tool" >/dev/null || die "$tool is required"; done
if [ -z "${SKIP_BUILD:-}" ]; then
  log "cargo build --release"
  (cd "$ROOT" && cargo build --release --bin sesame)
fi
[ -x "$BIN" ] || die "no binary at $BIN"
for p in "$PORT" $((PORT + 1)) $((PORT + 2)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then die "port $p is in use"; fi
done

# ---------------------------------------------------------------- database, keys, cleanup
WORK=$(mktemp -d /tmp/sesame-cluster.XXXXXX)
cp "$BIN" "$WORK/sesame"
DB="sesame_cluster_bench_$$"
DB_URL="${DATABASE_ADMIN_URL%/*}/$DB"
psql -q "$DATABASE_ADMIN_URL" -c "CREATE DATABASE $DB" || die "cannot create a database at $DATABASE_ADMIN_URL"
declare -A PIDS=()
PROXY_PID=""
mkdir -p "$RESULTS_DIR/raw"
RESULTS_FILE="$RESULTS_DIR/results.jsonl"
: >"$RESULTS_FILE"

stop_pid() {
  kill -TERM "$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}
cleanup() {
  [ -n "$PROXY_PID" ] && stop_pid "$PROXY_PID"
  for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
  cp "$WORK"/*.log "$RESULTS_DIR/" 2>/dev/null || true
  psql -q "$DATABASE_ADMIN_URL" -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  if [ -n "${KEEP_DIR:-}" ]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# Only these settings reach the servers and the CLI: the instances share the database and the
# key-encryption key, nothing else.
while read -r var; do unset "$var"; done < <(compgen -e | grep '^SESAME_' || true)
: >"$WORK/empty.toml"
export SESAME_DATABASE_URL="$DB_URL"
SESAME_KEY_ENCRYPTION_KEY=$(head -c 32 /dev/urandom | base64 -w0 | tr '+/' '-_' | tr -d '=')
export SESAME_KEY_ENCRYPTION_KEY
export SESAME_ISSUER="$URL" SESAME_ALGORITHM=RS256 SESAME_TRUSTED_PROXIES='["127.0.0.1/32"]'
export RUST_LOG=warn NO_COLOR=1

launch_instance() {  # launch_instance N: listens on PORT+N with keys directory keysN
  SESAME_LISTEN="127.0.0.1:$((PORT + $1))" SESAME_KEYS_DIR="$WORK/keys$1" \
    "$WORK/sesame" --config "$WORK/empty.toml" serve >"$WORK/instance$1.log" 2>&1 &
  PIDS[$1]=$!
}
wait_ready() {  # wait_ready N
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$((PORT + $1))/readyz" >/dev/null 2>&1 && return 0
    kill -0 "${PIDS[$1]}" 2>/dev/null || { cat "$WORK/instance$1.log" >&2; die "instance $1 exited"; }
    sleep 0.1
  done
  die "instance $1 not ready after 30 s"
}
cli() { SESAME_KEYS_DIR="$WORK/keys1" "$WORK/sesame" --config "$WORK/empty.toml" "$@" 2>>"$WORK/cli.log"; }

# Both start at once on the empty database, as two containers do: one ring, not two.
log "starting two instances on $DB (ports $((PORT + 1)), $((PORT + 2)))"
launch_instance 1; launch_instance 2
wait_ready 1; wait_ready 2

export BENCH_USER=bench BENCH_PASSWORD=bench-password-1
echo "$BENCH_PASSWORD" | cli user add "$BENCH_USER" >/dev/null
creds=$(cli client add --name bench --grant password --grant refresh_token --json)
BENCH_CLIENT_BASIC=$(printf '%s:%s' "$(jq -r .client_id <<<"$creds")" "$(jq -r .client_secret <<<"$creds")" | base64 -w0)
creds=$(cli client add --name resource-server --grant client_credentials --json)
BENCH_RS_BASIC=$(printf '%s:%s' "$(jq -r .client_id <<<"$creds")" "$(jq -r .client_secret <<<"$creds")" | base64 -w0)
export BENCH_CLIENT_BASIC BENCH_RS_BASIC

password_grant() {  # password_grant BASE_URL: the JSON token response; fails on non-200
  curl -fsS -X POST "$1/oauth/token" -H "Authorization: Basic $BENCH_CLIENT_BASIC" \
    --data-urlencode grant_type=password --data-urlencode "username=$BENCH_USER" \
    --data-urlencode "password=$BENCH_PASSWORD"
}

# ---------------------------------------------------------------- one server?
A="http://127.0.0.1:$((PORT + 1))"; B="http://127.0.0.1:$((PORT + 2))"
cmp -s <(curl -fsS "$A/.well-known/jwks.json") <(curl -fsS "$B/.well-known/jwks.json") \
  || die "the instances publish different JWKS"
for pair in "$A $B" "$B $A"; do
  set -- $pair
  tok=$(password_grant "$1") || die "password grant at $1 failed"
  curl -fsS "$2/api/me/" -H "Authorization: Bearer $(jq -r .access_token <<<"$tok")" >/dev/null \
    || die "an access token from $1 is refused at $2"
  curl -fsS -X POST "$2/oauth/token" -H "Authorization: Basic $BENCH_CLIENT_BASIC" \
    -d "grant_type=refresh_token&refresh_token=$(jq -r .refresh_token <<<"$tok")" >/dev/null \
    || die "a refresh token from $1 is refused at $2"
done
log "one server: identical JWKS; tokens from each instance accepted by the other"

# ---------------------------------------------------------------- proxy
start_proxy() {  # start_proxy "1 2": HAProxy round-robin over those instances
  [ -n "$PROXY_PID" ] && stop_pid "$PROXY_PID"
  {
    printf 'global\n  maxconn 4096\n  nbthread 1\ndefaults\n  mode http\n  timeout connect 5s\n'
    printf '  timeout client 30s\n  timeout server 30s\n  option forwardfor\n  http-reuse always\n'
    printf 'frontend sesame\n  bind 127.0.0.1:%s\n  default_backend instances\n' "$PORT"
    printf 'backend instances\n  balance roundrobin\n'
    for n in $1; do printf '  server i%s 127.0.0.1:%s\n' "$n" $((PORT + n)); done
  } >"$WORK/haproxy.cfg"
  haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/haproxy.log" 2>&1 &
  PROXY_PID=$!
  for _ in $(seq 100); do curl -fs "$URL/readyz" >/dev/null 2>&1 && return 0; sleep 0.1; done
  die "HAProxy did not come up (see $WORK/haproxy.log)"
}

prepare_refresh() {
  export BENCH_SEEDS="$WORK/seeds.txt"; : >"$BENCH_SEEDS"
  for _ in $(seq $((CONNS * 2))); do password_grant "$URL" | jq -r .refresh_token >>"$BENCH_SEEDS"; done
}
prepare_tokens() {
  export BENCH_ACCESS_TOKENS="$WORK/access_tokens.txt"
  seed=$(password_grant "$URL" | jq -r .refresh_token) || die "password grant failed"
  python3 "$BENCH_DIR/mint_access_tokens.py" "$URL" "$BENCH_CLIENT_BASIC" "$seed" \
    "$ACCESS_TOKENS" "$BENCH_RS_BASIC" >"$BENCH_ACCESS_TOKENS" || die "could not mint access tokens"
}
prepare_introspect() { prepare_tokens; }
prepare_me() { prepare_tokens; }

server_ticks() {  # utime+stime of every instance in the topology
  local sum=0 n
  for n in $1; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/${PIDS[$n]}/stat"))); done
  echo "$sum"
}

measure() {  # measure TOPOLOGY "INSTANCES" SCENARIO DURATION
  local topo=$1 instances=$2 sc=$3 dur=$4 out rec st0 st1
  if declare -F "prepare_$sc" >/dev/null; then "prepare_$sc"; fi
  st0=$(server_ticks "$instances")
  out=$(WRK_THREADS=$THREADS timeout 120 wrk -t"$THREADS" -c"$CONNS" -d"$dur" \
        --timeout "$WRK_TIMEOUT" --latency -s "$BENCH_WRK_DIR/$sc.lua" "$URL" 2>&1) || true
  st1=$(server_ticks "$instances")
  echo "$out" >"$RESULTS_DIR/raw/${topo}_${sc}.txt"
  rec=$(sed -n 's/^WRKJSON //p' <<<"$out")
  [ -n "$rec" ] || { echo "$out" >&2; die "wrk failed for $sc"; }
  rec=$(jq -c --arg topo "$topo" --arg sc "$sc" \
    --argjson scpu "$(awk -v a="$st0" -v b="$st1" -v c="$CLK_TCK" 'BEGIN{print (b-a)/c}')" \
    '. + {topology:$topo, scenario:$sc, server_cpu_s:$scpu}
     | .rps = (.requests / (.duration_us / 1e6))
     | .errors = (.err_status + .script_bad + .script_dry + .err_connect + .err_read + .err_write + .err_timeout)
     | .server_cores = (.server_cpu_s / (.duration_us / 1e6))' <<<"$rec")
  jq -r '"\(.topology) \(.scenario): \(.rps|floor) req/s p99=\(.lat_p99_us/1000)ms errors=\(.errors) servers=\(.server_cores*100|floor/100) cores"' <<<"$rec" >&2
  echo "$rec" >>"$RESULTS_FILE"
}

# ---------------------------------------------------------------- runs
for topo in $TOPOLOGIES; do
  case $topo in two) instances="1 2" ;; one) instances="1" ;; *) die "unknown topology $topo" ;; esac
  log "== $topo: HAProxy round-robin over instance(s) $instances"
  start_proxy "$instances"
  for sc in $SCENARIOS; do
    [ -n "${LABEL[$sc]:-}" ] || die "unknown scenario $sc"
    if [ "$sc" = password ]; then measure "$topo" "$instances" "$sc" "$PASSWORD_DURATION"
    else measure "$topo" "$instances" "$sc" "$DURATION"; fi
  done
done

# ---------------------------------------------------------------- report
{
  echo "# Sesame cluster benchmark $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo
  echo "- commit: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), nproc $(nproc), kernel $(uname -r)"
  echo "- PostgreSQL $(psql -tAq "$DATABASE_ADMIN_URL" -c 'SHOW server_version'), HAProxy $(haproxy -v | head -1 | awk '{print $3}') (round-robin, 1 thread), wrk -t$THREADS -c$CONNS -d$DURATION, loopback; RS256"
  echo
  echo "| scenario | one instance req/s | p99 ms | errors | two instances req/s | p99 ms | errors | two / one |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  jq -r --slurp 'group_by(.scenario)[] | (map({(.topology): .}) | add) as $t
    | "| \(.[0].scenario) | \($t.one.rps // 0 | floor) | \($t.one.lat_p99_us // 0 | ./1000) | \($t.one.errors // "-") | \($t.two.rps // 0 | floor) | \($t.two.lat_p99_us // 0 | ./1000) | \($t.two.errors // "-") | \(if ($t.one.rps // 0) > 0 and ($t.two.rps // 0) > 0 then ($t.two.rps / $t.one.rps * 100 | round / 100) else "-" end) |"' "$RESULTS_FILE"
} | tee "$RESULTS_DIR/results.md"
log "results: $RESULTS_DIR"
jq -e --slurp 'all(.errors == 0)' "$RESULTS_FILE" >/dev/null || { log "!! a run had errors: it is not a result"; exit 2; }
exit 0
}
