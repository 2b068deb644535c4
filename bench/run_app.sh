#!/usr/bin/env bash
# The companion app's transfer size and time to first render, cold and warm, next to a
# one-page yardstick (bench/app.mjs), in Debian's Chromium against the release server.
# Usage: bash bench/run_app.sh [runs]   (default 5; needs chromium, node and npm)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
cargo build --release --quiet --bin supervision
(cd tests/browser && npm ci --no-audit --no-fund --silent)
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
SUPERVISION_DATA_DIR="$data" SUPERVISION_BIND="127.0.0.1:$port" SUPERVISION_LOG_LEVEL=warn \
  target/release/supervision serve > "$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" > /dev/null 2>&1 && break
  sleep 0.2
done
node bench/app.mjs "http://127.0.0.1:$port" "$runs"
