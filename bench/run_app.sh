#!/usr/bin/env bash
# The companion app's transfer size and time to first render, cold and warm, next to a
# one-page yardstick (bench/app.mjs), in Debian's Chromium against the release server.
# Usage: bash bench/run_app.sh [runs]   (default 5; needs chromium, node and npm)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
cargo build --release --quiet --bin supervision
(cd tests/browser && npm ci --no-audit --no-fund --silent)
. tests/serve.sh
SUPERVISION_LOG_LEVEL=warn serve_for_tests target/release/supervision
node bench/app.mjs "$base" "$runs"
