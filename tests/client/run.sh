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

# shellcheck source=../serve.sh
. "$here/../serve.sh"
serve_for_tests "$binary" --demo
node smoke.js "$base"
if [ -n "${FUZZ_SECONDS:-}" ]; then
  "$here/schemathesis.sh" "$base" "$FUZZ_SECONDS"
fi
