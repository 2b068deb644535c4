#!/usr/bin/env bash
# Instructions the server spends per home-screen read, counted by valgrind's callgrind: a
# figure a loaded machine does not move, unlike wall time. The server runs under callgrind
# on the data bench/run.sh uses (bench/home.rs); after a warm-up, each read is sent N times
# on one keep-alive connection and the server's instructions (every thread; the database
# client's side on PostgreSQL, not the database server's) are divided by N.
# Usage: bash bench/instructions.sh SERVER_BIN HOME_SEED_BIN LOADGEN_BIN [N] [postgres-url]
#   e.g. bash bench/instructions.sh target/debug/supervision target/debug/examples/home \
#        target/debug/examples/loadgen 50 postgres://postgres@127.0.0.1:5432/postgres
# Prints "<backend> <read> <instructions per request>" lines. With KEEP=dir, each read's
# callgrind dump is copied there (dir/<backend>.<read's last segment>.out), to see where the
# instructions go: callgrind_annotate --inclusive=yes dir/sqlite.sessions.out | head -60
set -euo pipefail
BIN=$1 HOME_SEED=$2 LOADGEN=$3 N=${4:-50} PG_URL=${5:-}
PORT=${PORT:-18190}
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d)"
PG_DB="supervision_bench_instructions_$$"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$PG_URL" ]; then
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" > /dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
export SUPERVISION_BIND="127.0.0.1:$PORT" SUPERVISION_LOG_LEVEL=warn SUPERVISION_WORKERS=2
# READS="..." measures only those.
read -ra READS <<< "${READS:-/api/v1/me /api/v1/me/sessions /api/v1/me/supervision-status /api/v1/me/notifications /api/v1/me/supervisees /api/v1/me/pending-decisions}"

# curl sends one URL `count` times on one connection.
send() {
  local url=$1 token=$2 count=$3
  for _ in $(seq "$count"); do printf 'url = "%s"\noutput = "/dev/null"\n' "$url"; done > "$WORK/curl.cfg"
  curl -sf -H "Authorization: Bearer $token" -K "$WORK/curl.cfg"
}

measure() {
  local name=$1 url=$2 server token read
  "$HOME_SEED" "$url" > /dev/null
  SUPERVISION_DATABASE_URL="$url" SUPERVISION_DATA_DIR="$WORK/$name" \
    valgrind --tool=callgrind --callgrind-out-file="$WORK/$name.%p.out" "$BIN" serve \
    > /dev/null 2> "$WORK/$name.valgrind" &
  server=$!
  "$LOADGEN" wait "$BASE/readyz"
  worker=$("$LOADGEN" token "$BASE" worker0@home.bench "benchmark password")
  manager=$("$LOADGEN" token "$BASE" manager@home.bench "benchmark password")
  for read in "${READS[@]}"; do
    token=$worker
    case $read in */supervisees | */pending-decisions) token=$manager ;; esac
    send "$BASE$read" "$token" 10
    # Twice, keeping the smaller: the reminder sweep runs every minute on the minute, and a
    # round it falls into counts its instructions too.
    best=
    for _ in 1 2; do
      callgrind_control -z "$server" > /dev/null
      send "$BASE$read" "$token" "$N"
      callgrind_control -d "$server" > /dev/null
      # The newest dump holds what ran since the counters were zeroed.
      dump=$(ls -t "$WORK/$name.$server.out".* | head -1)
      total=$(grep -h '^summary:' "$dump" | awk '{print $2}')
      if [ -z "$best" ] || [ "$total" -lt "$best" ]; then
        best=$total
        [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$dump" "$KEEP/$name.${read##*/}.out"
      fi
    done
    echo "$name $read $((best / N))"
  done
  kill "$server"; wait "$server" 2>/dev/null || true
}

measure sqlite "$WORK/sqlite.db"
if [ -n "$PG_URL" ]; then
  psql "$PG_URL" -qc "CREATE DATABASE $PG_DB" > /dev/null
  measure postgres "${PG_URL%/*}/$PG_DB"
fi
