#!/usr/bin/env bash
# The companion app's browser tests (issue 19): starts the server on a temporary SQLite data
# folder and a free port, with pushes allowed to loopback so the tests' own push receiver can
# stand in for a browser vendor's push service, then runs app.test.mjs in Debian's Chromium
# (playwright-core and axe-core, pinned in package-lock.json).
# Usage: tests/browser/run.sh [path to the supervision binary, default target/debug/supervision] [node --test options]
# SCREENSHOTS_DIR=<folder> also saves the phone-size screenshots the README shows.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$(realpath "${1:-$here/../../target/debug/supervision}")"
shift || true
cd "$here"
[ -x "${CHROMIUM:-/usr/bin/chromium}" ] || { echo "Chromium is not installed (apt-get install chromium)"; exit 1; }
npm ci --no-audit --no-fund --silent

data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export SUPERVISION_BASE="http://127.0.0.1:$port"
export SUPERVISION_SERVER_LOG="$data/server.log"
SUPERVISION_DATA_DIR="$data" SUPERVISION_BIND="127.0.0.1:$port" SUPERVISION_LOG_FORMAT=json \
  SUPERVISION_PUSH_ALLOW_LOOPBACK=true \
  "$binary" serve >"$SUPERVISION_SERVER_LOG" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$SUPERVISION_BASE/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$SUPERVISION_SERVER_LOG"; exit 1; }
  sleep 0.2
done
node --test --test-concurrency=1 "$@" app.test.mjs
