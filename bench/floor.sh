#!/usr/bin/env bash
# The crypto floor on this machine, to read the endpoint numbers against:
#   - bench/crypto-floor (same crates as Sesame): argon2id verify at Sesame's parameters, RS256
#     signing with OpenSSL (josekit's backend) and aws-lc-rs, RS256 verification, ES256, EdDSA,
#     HS256; on 1 thread and on every core;
#   - `openssl speed rsa2048`, one core.
# Waits for a quiet machine first (same gate as run.sh).
set -euo pipefail
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$BENCH_DIR/../target}
QUIET_PCT=${QUIET_PCT:-15}; QUIET_MAX_WAIT=${QUIET_MAX_WAIT:-240}
busy() { awk '/^cpu /{idle=$5+$6; t=0; for(i=2;i<=NF;i++) t+=$i; print t-idle, t}' /proc/stat; }
wait_quiet() {
  local b0 t0 b1 t1 pct w=0
  while :; do
    read -r b0 t0 < <(busy); sleep 1; read -r b1 t1 < <(busy)
    pct=$(( (b1 - b0) * 100 / (t1 - t0 > 0 ? t1 - t0 : 1) ))
    [ "$pct" -lt "$QUIET_PCT" ] && { echo "(machine ${pct}% busy before this step)"; return 0; }
    w=$((w + 1)); [ "$w" -ge "$QUIET_MAX_WAIT" ] && { echo "!! machine still ${pct}% busy: measuring anyway"; return 0; }
  done
}
(cd "$BENCH_DIR/crypto-floor" && cargo build --release -q)
echo "== crypto-floor (argon2 $(grep -A1 'name = "argon2"$' "$BENCH_DIR/crypto-floor/Cargo.lock" | sed -n 's/version = //p'), aws-lc-rs $(grep -A1 'name = "aws-lc-rs"$' "$BENCH_DIR/crypto-floor/Cargo.lock" | sed -n 's/version = //p'), openssl crate on system OpenSSL $(openssl version | awk '{print $2}'))"
wait_quiet
"$CARGO_TARGET_DIR/release/crypto-floor" "${FLOOR_SECS:-3}"
echo "== RSA-2048 (OpenSSL $(openssl version | awk '{print $2}'), one core)"
wait_quiet
openssl speed -seconds 3 rsa2048 2>/dev/null | grep -E '^rsa 2048|sign/s' | tail -2
echo "(openssl speed counts user CPU seconds, not wall time)"
