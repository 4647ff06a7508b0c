#!/usr/bin/env bash
# Instructions per request on the hot paths, under callgrind: the release server on a throwaway
# SQLite database, driven by the same wrk scripts as side_by_side.sh. Instruction counts repeat to
# within a fraction of a percent for the same binary and inputs, whatever else the machine does,
# so this is the regression check a pull request can run on a shared machine where wall-clock
# figures move 10-25 % between runs (bench/README.md, "Instructions per request").
#
#   cargo build --release --bin sesame && bench/instructions.sh            # the table
#   bench/instructions.sh > new.tsv; BASELINE=old.tsv bench/instructions.sh # compare; exit 1 if a
#                                                                           # path grew > MAX_GROWTH %
#
# Output (stdout): one tab-separated line per path: name, instructions per request, requests.
# User-space instructions only (the kernel's share is not counted). valgrind emulates no AVX-512,
# so libcrypto takes another code path for RSA than it does natively: compare builds with this,
# not paths with each other, and read CPU time from side_by_side.sh.
#
# Knobs: SESAME_BIN (default target/release/sesame), PATHS="jwks me introspect refresh
# client_credentials", WARMUP=3s, DURATION=8s, PORT=7790, BASELINE=<a file this script wrote>,
# MAX_GROWTH=2 (percent), KEEP=1 (keep the work directory). Needs valgrind, wrk, curl, jq.
set -euo pipefail
{
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
SESAME_BIN=${SESAME_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/release/sesame}
PATHS=${PATHS:-"jwks me introspect refresh client_credentials"}
WARMUP=${WARMUP:-3s}; DURATION=${DURATION:-8s}; PORT=${PORT:-7790}; MAX_GROWTH=${MAX_GROWTH:-2}
URL="http://127.0.0.1:$PORT"
export BENCH_WRK_DIR="$HERE/wrk" WRK_THREADS=1

for tool in valgrind callgrind_control wrk curl jq; do
  command -v "$tool" >/dev/null || { echo "instructions.sh: $tool is missing (apt-get install -y valgrind wrk curl jq)" >&2; exit 1; }
done
[ -x "$SESAME_BIN" ] || { echo "instructions.sh: no $SESAME_BIN (cargo build --release --bin sesame)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/sesame-instructions.XXXXXX)
VPID=""
cleanup() {
  [ -n "$VPID" ] && kill "$VPID" 2>/dev/null && wait "$VPID" 2>/dev/null
  [ -n "${KEEP:-}" ] && echo "kept $WORK" >&2 || rm -rf "$WORK"
}
trap cleanup EXIT
# A cheap password hash: logins are not measured here, and each one under valgrind is slow.
SESAME=(env -i PATH="$PATH" HOME="$HOME" LANG=C.UTF-8 RUST_LOG=warn NO_COLOR=1
  SESAME_LISTEN="127.0.0.1:$PORT" SESAME_ISSUER="$URL" SESAME_ALGORITHM=RS256
  SESAME_DATABASE_URL="sqlite://$WORK/sesame.db?mode=rwc" SESAME_KEYS_DIR="$WORK/keys"
  SESAME_EXPIRY_CLEANUP_INTERVAL=0s SESAME_ARGON2__M_COST=1024 SESAME_ARGON2__T_COST=1)
: >"$WORK/none.toml"
cli() {
  "${SESAME[@]}" "$SESAME_BIN" --config "$WORK/none.toml" "$@" 2>>"$WORK/cli.log" ||
    { tail -3 "$WORK/cli.log" >&2; echo "instructions.sh: sesame $* failed" >&2; return 1; }
}

cli migrate >/dev/null
echo "password-1-for-bench" | cli user add bench >/dev/null
client=$(cli client add --name bench --grant password --grant refresh_token --grant client_credentials --json)
CID=$(jq -r .client_id <<<"$client"); CS=$(jq -r .client_secret <<<"$client")
export BENCH_CLIENT_BASIC BENCH_RS_BASIC
BENCH_CLIENT_BASIC=$(printf '%s:%s' "$CID" "$CS" | base64 -w0); BENCH_RS_BASIC=$BENCH_CLIENT_BASIC

"${SESAME[@]}" valgrind --tool=callgrind --callgrind-out-file="$WORK/cg.out" \
  "$SESAME_BIN" --config "$WORK/none.toml" serve >"$WORK/server.log" 2>&1 &
VPID=$!
for _ in $(seq 600); do curl -fs "$URL/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$URL/readyz" >/dev/null || { tail "$WORK/server.log" >&2; echo "instructions.sh: the server did not start" >&2; exit 1; }

login() { curl -fsS -u "$CID:$CS" -d grant_type=password -d username=bench -d password=password-1-for-bench "$URL/oauth/token"; }
export BENCH_ACCESS BENCH_ACCESS_TOKENS="$WORK/access.txt" BENCH_SEEDS="$WORK/seeds.txt"
: >"$BENCH_ACCESS_TOKENS"; : >"$BENCH_SEEDS"
for _ in $(seq 10); do
  answer=$(login)
  jq -r .access_token <<<"$answer" >>"$BENCH_ACCESS_TOKENS"
  jq -r .refresh_token <<<"$answer" >>"$BENCH_SEEDS"
done
BENCH_ACCESS=$(head -1 "$BENCH_ACCESS_TOKENS")

script_of() {
  case $1 in
    jwks) echo jwks.lua ;; me) echo side_by_side/api_me.lua ;; introspect) echo introspect.lua ;;
    refresh) echo refresh.lua ;; client_credentials) echo side_by_side/client_credentials.lua ;;
    *) echo "instructions.sh: unknown path $1" >&2; exit 1 ;;
  esac
}
dumps=0
for path in $PATHS; do
  script="$BENCH_WRK_DIR/$(script_of "$path")"
  wrk -t1 -c2 -d"$WARMUP" -s "$script" "$URL" >/dev/null 2>&1
  callgrind_control -z "$VPID" >/dev/null 2>&1
  out=$(wrk -t1 -c2 -d"$DURATION" -s "$script" "$URL" 2>&1)
  callgrind_control -d "$VPID" >/dev/null 2>&1
  dumps=$((dumps + 1))
  requests=$(sed -n 's/^WRKJSON //p' <<<"$out" | jq .requests)
  # A refresh chain whose answer the end of the warm-up cut off is dead: at most one a connection.
  bad=$(sed -n 's/^WRKJSON //p' <<<"$out" | jq '.err_status + .err_connect + .err_read + .err_write + .err_timeout')
  [ "$bad" -le 2 ] || { echo "$out" >&2; echo "instructions.sh: $path had $bad failed requests" >&2; exit 1; }
  total=$(sed -n 's/^summary: //p' "$WORK/cg.out.$dumps")
  printf '%s\t%d\t%d\n' "$path" $((total / requests)) "$requests"
done | tee "$WORK/result.tsv"

[ -n "${BASELINE:-}" ] || exit 0
status=0
while IFS=$'\t' read -r path now _; do
  was=$(awk -F'\t' -v p="$path" '$1 == p {print $2}' "$BASELINE")
  [ -n "$was" ] || continue
  growth=$(awk -v a="$was" -v b="$now" 'BEGIN{printf "%.2f", (b - a) * 100 / a}')
  verdict=ok
  awk -v g="$growth" -v m="$MAX_GROWTH" 'BEGIN{exit !(g > m)}' && { verdict="GREW"; status=1; }
  printf '%s: %s -> %s instructions a request (%s %%) %s\n' "$path" "$was" "$now" "$growth" "$verdict" >&2
done <"$WORK/result.tsv"
exit "$status"
}
