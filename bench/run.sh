#!/usr/bin/env bash
# Benchmarks of the foundation, on the release build, on this machine's loopback only:
#  1. time from process start to /readyz answering on an empty SQLite database
#  2. resident memory of the idle server (after start and after the load)
#  3. GET /api/v1/me throughput at 32 connections, against a bare actix-web JSON handler
#  4. with BASELINE_BIN=path/to/an/older/release/supervision: GET /api/v1/me on that binary
#     too, alternating with this one, to show what a change costs (ACC-1's per-request
#     access check, say)
# Usage: [BASELINE_BIN=...] bash bench/run.sh [seconds-per-load-run]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-10}"
PORT=18180
BARE_PORT=18181
WORK="$(mktemp -d)"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$WORK"' EXIT

cargo build --release --quiet --bin supervision --example loadgen --example bare_actix
BIN=target/release/supervision
LOADGEN=target/release/examples/loadgen
BARE=target/release/examples/bare_actix
export SUPERVISION_BIND="127.0.0.1:$PORT" SUPERVISION_LOG_LEVEL=warn

echo "== start to /readyz on an empty SQLite database (5 runs, ms)"
for i in 1 2 3 4 5; do
  SUPERVISION_DATA_DIR="$WORK/empty$i" "$LOADGEN" startup "http://127.0.0.1:$PORT/readyz" -- "$BIN" serve
done

echo "== idle resident memory"
SUPERVISION_DATA_DIR="$WORK/demo" "$BIN" serve --demo > /dev/null &
SERVER=$!
"$LOADGEN" wait "http://127.0.0.1:$PORT/readyz"
sleep 1
echo "after start: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$SERVER/status)"

# GET /api/v1/me on a running server: requests per second (and latencies), after a warm-up.
me_load() {
  local token
  token=$("$LOADGEN" token "http://127.0.0.1:$PORT" aisha.khan@demo.council.example demo-supervision-2026)
  "$LOADGEN" load "http://127.0.0.1:$PORT/api/v1/me" 32 3 "Authorization: Bearer $token" > /dev/null
  "$LOADGEN" load "http://127.0.0.1:$PORT/api/v1/me" 32 "$SECONDS_PER_RUN" "Authorization: Bearer $token"
}

echo "== GET /api/v1/me, 32 connections, ${SECONDS_PER_RUN}s (after a 3 s warm-up)"
ME=$(me_load)
echo "$ME"
sleep 1
echo "idle after load: $(awk '/VmRSS/ {print $2/1024 " MB"}' /proc/$SERVER/status)"
kill $SERVER; wait $SERVER 2>/dev/null || true

if [ -n "${BASELINE_BIN:-}" ]; then
  echo "== GET /api/v1/me: this build against $BASELINE_BIN, alternating, 3 runs each"
  for run in 1 2 3; do
    for which in baseline current; do
      bin=$BIN; [ $which = baseline ] && bin=$BASELINE_BIN
      SUPERVISION_DATA_DIR="$WORK/$which" "$bin" serve --demo > /dev/null &
      SERVER=$!
      "$LOADGEN" wait "http://127.0.0.1:$PORT/readyz"
      result=$(me_load)
      echo "$which run $run: $result"
      echo "${result%% *}" >> "$WORK/$which.rates"
      kill $SERVER; wait $SERVER 2>/dev/null || true
    done
  done
  median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  awk -v now="$(median "$WORK/current.rates")" -v before="$(median "$WORK/baseline.rates")" \
    'BEGIN { printf "median: current %d req/s, baseline %d req/s: %.1f %% of the baseline\n", now, before, 100 * now / before }'
fi

echo "== bare actix-web JSON handler, 32 connections, ${SECONDS_PER_RUN}s (after a 3 s warm-up)"
"$BARE" "127.0.0.1:$BARE_PORT" &
BARE_PID=$!
"$LOADGEN" wait "http://127.0.0.1:$BARE_PORT/bare"
"$LOADGEN" load "http://127.0.0.1:$BARE_PORT/bare" 32 3 > /dev/null
BARE_RESULT=$("$LOADGEN" load "http://127.0.0.1:$BARE_PORT/bare" 32 "$SECONDS_PER_RUN")
echo "$BARE_RESULT"
kill $BARE_PID; wait $BARE_PID 2>/dev/null || true
echo "== GET /api/v1/me as a share of the bare handler"
awk -v me="${ME%% *}" -v bare="${BARE_RESULT%% *}" 'BEGIN { printf "%.1f %%\n", 100 * me / bare }'
