#!/usr/bin/env bash
# API-2 in CI: validates openapi/openapi.json against the OpenAPI 3.1 schema, generates TypeScript types from openapi/openapi.json with openapi-typescript,
# type-checks smoke.ts and the companion app's JavaScript (app/, issue 19) against them (tsc --strict), starts the server with demo data on a
# temporary data folder and a free port, and runs the smoke client against it. With
# FUZZ_SECONDS set (CI: 900, a cap against a hang), also runs schemathesis.sh against the same server.
# Usage: tests/client/run.sh [path to the supervision binary, default target/debug/supervision]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
binary="$(realpath "${1:-$here/../../target/debug/supervision}")"
cd "$here"
# The document against the OpenAPI 3.1 schema (pinned validator, in a local virtualenv that
# schemathesis.sh shares).
venv="${SCHEMATHESIS_VENV:-$here/.venv}"
[ -x "$venv/bin/openapi-spec-validator" ] || {
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet openapi-spec-validator==0.7.1
}
"$venv/bin/openapi-spec-validator" ../../openapi/openapi.json
npm ci --no-audit --no-fund --silent
npm run --silent generate
npm run --silent check
# The companion app's scripts against the same generated types (issue 19): an API change that
# breaks the app fails here. Pages and the service worker need different libraries (DOM,
# WebWorker), so each has its own tsconfig.
npx --no-install tsc -p ../../app/tsconfig.json
npx --no-install tsc -p ../../app/tsconfig.sw.json

data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
SUPERVISION_DATA_DIR="$data" SUPERVISION_BIND="127.0.0.1:$port" SUPERVISION_LOG_FORMAT=json \
  "$binary" serve --demo >"$data/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  curl -fsS "$base/healthz" >/dev/null 2>&1 && break
  kill -0 $server 2>/dev/null || { cat "$data/server.log"; exit 1; }
  sleep 0.2
done
node smoke.js "$base"
if [ -n "${FUZZ_SECONDS:-}" ]; then
  "$here/schemathesis.sh" "$base" "$FUZZ_SECONDS"
fi
