#!/usr/bin/env bash
# A bounded fuzz of the running server against openapi/openapi.json (API-2, API-5): as an
# administrator, a supervisor and a worker from the demo data, schemathesis sends generated
# requests to every operation and fails on a 5xx, a status or media type the document does
# not list, or a body that breaks its schema. Sign-out and password changes are left out so
# each role's token lives through the run. The run's size is set by the examples per operation
# (FUZZ_EXAMPLES, default 3, derandomised so a run is repeatable); SECONDS is a hard cap shared
# by the roles, which fails the run rather than cutting it short unreported.
# Usage: tests/client/schemathesis.sh BASE_URL [SECONDS, default 900]
set -euo pipefail
base="$1"
seconds="${2:-900}"
examples="${FUZZ_EXAMPLES:-3}"
here="$(cd "$(dirname "$0")" && pwd)"
venv="${SCHEMATHESIS_VENV:-$here/.venv}"
[ -x "$venv/bin/schemathesis" ] || {
  [ -x "$venv/bin/pip" ] || python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet schemathesis==3.39.7 hypothesis==6.112.0
}
password="demo-supervision-2026"
for email in admin@demo.council.example hannah.shaw@demo.council.example tom.reed@demo.council.example; do
  token=$(curl -fsS "$base/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  echo "== schemathesis as $email"
  # Each role gets a third of the cap (schemathesis interrupted by a signal can hang without a
  # report, so the cap kills); --max-failures stops at the first few findings. One worker:
  # schemathesis 3 runs workers as threads over one hypothesis, which is not thread-safe (a CI
  # run died of an internal IndexError, then hung); --show-trace so any such error is legible.
  timeout --kill-after=5 $((seconds / 3)) "$venv/bin/schemathesis" run "$here/../../openapi/openapi.json" \
    --base-url "$base" --experimental=openapi-3.1 \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
    --exclude-path-regex '/auth/logout|/me/password|/password-reset|/auth/refresh' \
    --hypothesis-max-examples "$examples" --hypothesis-deadline none --hypothesis-derandomize \
    --max-failures 5 --workers 1 --no-color --show-trace --request-timeout 10000 || {
    echo "schemathesis as $email failed (exit $?; 124: over its third of the ${seconds} s cap)"
    exit 1
  }
done
