#!/usr/bin/env bash
# Sesame's /api/ surface and the real djangorestframework-simplejwt 5.5.1 (the peer project in
# peer/) side by side: the same table of requests (cases.py) to both, for each language, comparing
# status, headers and body. From the repository root:
#
#   tools/side_by_side/run.sh                  # en-us and zh-hans
#   LANGUAGES="en-us zh-hans de" tools/side_by_side/run.sh
#   ACCEPT_LANGUAGE=1 ...   # Sesame's accept_language = true, the peer with LocaleMiddleware
#   VERBOSE=1 ...           # print every answer that matched too
#
# Makes the venv ($SBS_VENV, default /tmp/peer-venv; pinned Django/DRF/simplejwt/gunicorn from
# peer/requirements.txt) if missing and builds target/debug/sesame if missing. Each language runs
# on fresh databases in a temporary directory: the peer under gunicorn, `sesame serve` on SQLite,
# both on free loopback ports, both with users alice (active) and bob (inactive), the same HS256
# signing key, and the peer's SIMPLE_JWT settings (lifetimes, rotation and blacklisting, no reuse
# grace). Exit status 1 when any request differs.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE="$ROOT/tools/side_by_side"
VENV=${SBS_VENV:-/tmp/peer-venv}
SESAME=${SESAME_BIN:-$ROOT/target/debug/sesame}
LANGUAGES=${LANGUAGES:-"en-us zh-hans"}
ACCEPT_LANGUAGE=${ACCEPT_LANGUAGE:-0}
PASSWORD="correct-horse-battery-9"

log() { printf '== %s\n' "$*" >&2; }
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_http() { # url log: until the server answers anything, at most 60 s
  for _ in $(seq 600); do
    curl -s -o /dev/null "$1" && return 0
    sleep 0.1
  done
  log "no answer from $1"; tail -20 "$2" >&2; return 1
}

if [ ! -x "$VENV/bin/python" ]; then
  log "making the venv $VENV"
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q -r "$HERE/peer/requirements.txt"
if [ ! -x "$SESAME" ]; then
  log "building $SESAME"
  (cd "$ROOT" && cargo build --bin sesame)
fi

WORK=$(mktemp -d /tmp/side-by-side.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"
}
trap cleanup EXIT

status=0
summary=()
for lang in $LANGUAGES; do
  dir="$WORK/$lang"
  mkdir -p "$dir/peer" "$dir/sesame"
  key=$(python3 -c 'import secrets;print(secrets.token_urlsafe(48))')

  # The peer.
  export SBS_DATA="$dir/peer" SBS_LANGUAGE="$lang" SBS_SIGNING_KEY="$key" SBS_ALGORITHM=HS256
  export SBS_ACCEPT_LANGUAGE="$ACCEPT_LANGUAGE"
  (cd "$HERE/peer" && "$VENV/bin/python" manage.py migrate -v0 &&
    "$VENV/bin/python" manage.py shell -c "
from django.contrib.auth.models import User
User.objects.create_user('alice', 'alice@example.com', '$PASSWORD')
User.objects.create_user('bob', 'bob@example.com', '$PASSWORD', is_active=False)") \
    >"$dir/peer-setup.log" 2>&1 || { log "peer setup failed:"; cat "$dir/peer-setup.log" >&2; exit 1; }
  peer_port=$(free_port)
  (cd "$HERE/peer" && exec "$VENV/bin/gunicorn" -w 1 -b "127.0.0.1:$peer_port" peerproj.wsgi \
    >"$dir/peer.log" 2>&1) &
  PIDS+=($!)

  # Sesame, with the same settings; no sesame.toml is read (the working directory is empty).
  sesame_port=$(free_port)
  export SESAME_DATABASE_URL="sqlite://$dir/sesame/sesame.db?mode=rwc"
  export SESAME_LISTEN="127.0.0.1:$sesame_port" SESAME_ISSUER="http://127.0.0.1:$sesame_port"
  export SESAME_KEYS_DIR="$dir/sesame/keys" SESAME_ALGORITHM=HS256 SESAME_SIGNING_KEY="$key"
  export SESAME_LANGUAGE_CODE="$lang" SESAME_ACCEPT_LANGUAGE=$([ "$ACCEPT_LANGUAGE" = 1 ] && echo true || echo false)
  export SESAME_ACCESS_TOKEN_LIFETIME=5m SESAME_REFRESH_TOKEN_LIFETIME=1d
  export SESAME_SLIDING_TOKEN_LIFETIME=5m SESAME_SLIDING_TOKEN_REFRESH_LIFETIME=1d
  export SESAME_ROTATE_REFRESH_TOKENS=true SESAME_BLACKLIST_AFTER_ROTATION=true
  # simplejwt has no grace: a rotated refresh token is blacklisted at once.
  export SESAME_REFRESH_REUSE_GRACE=0s SESAME_UPDATE_LAST_LOGIN=false
  export SESAME_REGISTRATION_ENABLED=true SESAME_ARGON2__M_COST=1024 SESAME_ARGON2__T_COST=1
  (
    exec >"$dir/sesame-setup.log" 2>&1
    cd "$dir/sesame"
    "$SESAME" migrate
    echo "$PASSWORD" | "$SESAME" user add alice --email alice@example.com
    echo "$PASSWORD" | "$SESAME" user add bob --email bob@example.com
    "$SESAME" user deactivate bob
  ) || { log "sesame setup failed:"; grep -v '^ ' "$dir/sesame-setup.log" >&2; exit 1; }
  (cd "$dir/sesame" && exec "$SESAME" serve >"$dir/sesame.log" 2>&1) &
  PIDS+=($!)

  wait_http "http://127.0.0.1:$peer_port/api/me/" "$dir/peer.log"
  wait_http "http://127.0.0.1:$sesame_port/api/me/" "$dir/sesame.log"
  log "$lang: peer on :$peer_port, sesame on :$sesame_port"
  set +e
  out=$(cd "$HERE" && "$VENV/bin/python" driver.py --language "$lang" --signing-key "$key" \
    --sesame "http://127.0.0.1:$sesame_port" --peer "http://127.0.0.1:$peer_port" \
    ${VERBOSE:+--verbose})
  rc=$?
  set -e
  printf '%s\n' "$out"
  summary+=("$(printf '%s\n' "$out" | tail -1)")
  [ "$rc" = 0 ] || status=1
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  PIDS=()
done

echo
echo "Summary (simplejwt 5.5.1, DRF 3.18.3, Django 5.2.19 vs Sesame $("$SESAME" --version | awk '{print $2}')):"
printf '  %s\n' "${summary[@]}"
exit $status
