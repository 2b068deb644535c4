#!/usr/bin/env bash
# Benchmarks of the foundation, on the release build, on this machine's loopback only:
#  1. time from process start to /readyz answering on an empty SQLite database
#  2. resident memory of the idle server right after start (SQLite, 2 workers), and of what
#  3. the home-screen reads a phone makes each time the app opens, with wrk (2 threads,
#     32 connections, after a warm-up), next to yardsticks measured in the same run: a bare
#     actix-web JSON handler, the same handler reading one SQLite row, and pgbench -S: on
#     SQLite, and on PostgreSQL when SUPERVISION_BENCH_POSTGRES_URL (or
#     SUPERVISION_TEST_POSTGRES_URL) names a server it may create a database on
#  4. with BASELINE_BIN=path/to/an/older/release/supervision: GET /api/v1/me on that binary
#     too, alternating with this one, to show what a change costs
# Usage: [BASELINE_BIN=...] bash bench/run.sh [seconds-per-load-run]   (default 8)
# Needs wrk (Debian: apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN="${1:-8}"
WARM_UP=2
PORT=18180
BARE_PORT=18181
WORK="$(mktemp -d)"
PG_URL="${SUPERVISION_BENCH_POSTGRES_URL:-${SUPERVISION_TEST_POSTGRES_URL:-}}"
PG_DB="supervision_bench_home_$$"
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$PG_URL" ] && command -v psql > /dev/null; then
    psql "$PG_URL" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" > /dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
# Waits until the process just started answers at this URL, and fails if it is not the one
# answering (another process already on the port).
started() {
  "$LOADGEN" wait "$2"
  kill -0 "$1" 2> /dev/null ||
    { echo "$2 answered, but not from the process started (port taken?)" >&2; exit 1; }
}
command -v wrk > /dev/null || { echo "wrk is needed (Debian: apt-get install wrk)" >&2; exit 1; }

cargo build --release --quiet --bin supervision --example loadgen --example bare_actix --example home
# Where cargo put them: ./target unless .cargo/config.toml or CARGO_TARGET_DIR says otherwise.
TARGET=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
BIN=$TARGET/release/supervision
LOADGEN=$TARGET/release/examples/loadgen
BARE=$TARGET/release/examples/bare_actix
HOME_SEED=$TARGET/release/examples/home
export SUPERVISION_BIND="127.0.0.1:$PORT" SUPERVISION_LOG_LEVEL=warn SUPERVISION_WORKERS=2
BASE="http://127.0.0.1:$PORT"

echo "== start to /readyz on an empty SQLite database (5 runs, ms)"
for i in 1 2 3 4 5; do
  SUPERVISION_DATA_DIR="$WORK/empty$i" "$LOADGEN" startup "$BASE/readyz" -- "$BIN" serve
done

# Resident memory of a process: total, anonymous (heap, stacks) and file-backed (the binary,
# the database's memory map), in MB.
memory() {
  awk '/^VmRSS:/ {r=$2} /^RssAnon:/ {a=$2} /^Rss(File|Shmem):/ {f+=$2}
       END {printf "%.1f MB (anonymous %.1f MB, file-backed %.1f MB)", r/1024, a/1024, f/1024}' \
    "/proc/$1/status"
}

echo "== idle resident memory right after start, empty SQLite database, 2 workers"
SUPERVISION_DATA_DIR="$WORK/idle" "$BIN" serve > /dev/null &
SERVER=$!
started $SERVER "$BASE/readyz"
sleep 2
echo "after start: $(memory $SERVER)"
echo "threads: $(ls /proc/$SERVER/task | wc -l)"
kill $SERVER; wait $SERVER 2>/dev/null || true

# wrk on one URL: "<requests per second> <p99 in ms> <errors>" (non-2xx responses, and
# connections reset or timed out).
load() {
  local url=$1 token=${2:-} header=()
  [ -n "$token" ] && header=(-H "Authorization: Bearer $token")
  wrk -t2 -c32 -d"${WARM_UP}s" "${header[@]}" "$url" > /dev/null
  wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" --latency "${header[@]}" "$url" | awk '
    /Requests\/sec:/ { rate = $2 }
    /Non-2xx or 3xx responses:/ { bad += $5 }
    /Socket errors:/ { gsub(",", ""); bad += $4 + $6 + $8 + $10 }
    / 99%/ { v = $2; unit = v; gsub(/[0-9.]/, "", unit); sub(/[a-z]+$/, "", v);
             p99 = (unit == "us") ? v / 1000 : (unit == "s") ? v * 1000 : v }
    END { printf "%d %.2f %d\n", rate, p99, bad + 0 }'
}

SQLITE_URL="$WORK/sqlite/supervision.db"
echo "== seeding the home-screen data on SQLite"
"$HOME_SEED" "$SQLITE_URL"

echo "== yardsticks (wrk -t2 -c32, ${SECONDS_PER_RUN}s after ${WARM_UP}s): a bare actix-web JSON handler,"
echo "   and the same handler reading one row by primary key from the seeded SQLite file first"
"$BARE" "127.0.0.1:$BARE_PORT" "$SQLITE_URL" &
BARE_PID=$!
started $BARE_PID "http://127.0.0.1:$BARE_PORT/bare"
read -r BARE_RATE BARE_P99 bad <<< "$(load "http://127.0.0.1:$BARE_PORT/bare")"
[ "$bad" = 0 ] || { echo "the bare handler answered $bad times with an error" >&2; exit 1; }
echo "bare: $BARE_RATE req/s, p99 $BARE_P99 ms"
read -r BARE_SQLITE_RATE BARE_SQLITE_P99 bad <<< "$(load "http://127.0.0.1:$BARE_PORT/bare/sqlite")"
[ "$bad" = 0 ] || { echo "the one-row SQLite read answered $bad times with an error" >&2; exit 1; }
echo "bare, one SQLite row: $BARE_SQLITE_RATE req/s, p99 $BARE_SQLITE_P99 ms"
kill $BARE_PID; wait $BARE_PID 2>/dev/null || true

# "<who> <path>": worker0 has a year of history, the manager supervises ten, the newcomer has
# nothing yet.
READS=(
  "worker0 /api/v1/me" "worker0 /api/v1/me/sessions" "worker0 /api/v1/me/supervision-status"
  "worker0 /api/v1/me/notifications" "manager /api/v1/me/supervisees"
  "manager /api/v1/me/pending-decisions"
  "newcomer /api/v1/me" "newcomer /api/v1/me/sessions" "newcomer /api/v1/me/supervision-status"
  "newcomer /api/v1/me/notifications"
)

# The home-screen reads on one seeded database: serves it, loads each read in turn and
# writes "<who> <read> <req/s> <p99 ms>" lines to $WORK/<name>.rows.
home_reads() {
  local name=$1 url=$2 server who path rate p99 bad
  SUPERVISION_DATABASE_URL="$url" SUPERVISION_DATA_DIR="$WORK/$name" "$BIN" serve > /dev/null &
  server=$!
  started $server "$BASE/readyz"
  declare -A tokens
  for who in worker0 manager newcomer; do
    tokens[$who]=$("$LOADGEN" token "$BASE" "$who@home.bench" "benchmark password")
  done
  : > "$WORK/$name.rows"
  for read in "${READS[@]}"; do
    read -r who path <<< "$read"
    read -r rate p99 bad <<< "$(load "$BASE$path" "${tokens[$who]}")"
    [ "$bad" = 0 ] || { echo "$path answered $who $bad times with an error" >&2; exit 1; }
    echo "$name $who $path: $rate req/s, p99 $p99 ms"
    echo "$who $path $rate $p99" >> "$WORK/$name.rows"
  done
  echo "$name idle after the load: $(memory $server)"
  kill $server; wait $server 2>/dev/null || true
}

echo "== home-screen reads (wrk -t2 -c32, ${SECONDS_PER_RUN}s after ${WARM_UP}s each)"
echo "   data: a manager with 10 supervisees, each with a year of monthly held sessions,"
echo "   3 booked (two moves pending, one past due_by) and 60 notifications (20 unread); worker0 reads its own;"
echo "   a newcomer with no agreement, sessions or notifications reads theirs"
home_reads sqlite "$SQLITE_URL"
if [ -n "$PG_URL" ]; then
  psql "$PG_URL" -qc "CREATE DATABASE $PG_DB" > /dev/null
  "$HOME_SEED" "${PG_URL%/*}/$PG_DB" > /dev/null
  home_reads postgres "${PG_URL%/*}/$PG_DB"
  # What PostgreSQL itself manages on these cores, as a second yardstick: pgbench's
  # select-only run (one-row primary-key selects, prepared, no server of ours in between).
  if command -v pgbench > /dev/null; then
    pgbench -q -i -s 1 "${PG_URL%/*}/$PG_DB" > /dev/null 2>&1
    PG_TPS=$(pgbench -S -M prepared -c32 -j2 -T"$SECONDS_PER_RUN" "${PG_URL%/*}/$PG_DB" 2>/dev/null |
      awk '/^tps/ { printf "%d", $3 }')
    echo "postgres alone (pgbench -S -M prepared -c32 -j2): $PG_TPS one-row selects/s"
  fi
fi

# One table row per read: each backend's cell is what the awk program given prints from that
# read's "<who> <path> <req/s> <p99 ms>" line, with y the backend's yardstick (2nd and 3rd
# arguments, for SQLite and PostgreSQL); "not run" where there is none.
table() {
  local program=$1 who path row name y cell
  for read in "${READS[@]}"; do
    read -r who path <<< "$read"
    row="| \`GET $path\` ($who) |"
    for name in sqlite postgres; do
      y=$2; [ $name = postgres ] && y=$3
      cell=$(awk -v who="$who" -v path="$path" -v y="$y" \
        "\$1 == who && \$2 == path && y > 0 { $program }" "$WORK/$name.rows" 2>/dev/null || true)
      row="$row ${cell:-not run} |"
    done
    echo "$row"
  done
}

echo
echo "| read (who) | SQLite req/s (share of bare), p99 | PostgreSQL req/s (share of bare), p99 |"
echo "|---|---|---|"
echo "| bare actix handler | $BARE_RATE, p99 $BARE_P99 ms | — |"
awk -v rate="$BARE_SQLITE_RATE" -v p99="$BARE_SQLITE_P99" -v bare="$BARE_RATE" 'BEGIN {
  printf "| bare handler reading one SQLite row | %d (%.0f %%), p99 %s ms | — |\n", rate, 100 * rate / bare, p99 }'
if [ -n "${PG_TPS:-}" ]; then
  awk -v tps="$PG_TPS" -v bare="$BARE_RATE" 'BEGIN { printf "| PostgreSQL alone, one-row selects (pgbench -S) | — | %d (%.0f %%) |\n", tps, 100 * tps / bare }'
fi
table 'printf "%d (%.0f %%), p99 %s ms", $3, 100 * $3 / y, $4' "$BARE_RATE" "$BARE_RATE"

# What the yardsticks leave to any read in this run. SQLite: none beats the handler that
# reads one row with nothing of ours in between. PostgreSQL on the same cores: a read costs at
# least the bare handler's CPU (HTTP, wrk's side included) plus a select's (pgbench's, its
# client's side included), so one statement allows at most 1/(1/bare + 1/pgbench).
echo
echo "| read (who) | SQLite: share of one SQLite row | PostgreSQL: share of pgbench -S |"
echo "|---|---|---|"
table 'printf "%.0f %%", 100 * $3 / y' "$BARE_SQLITE_RATE" "${PG_TPS:-0}"
echo
awk -v one="$BARE_SQLITE_RATE" -v bare="$BARE_RATE" 'BEGIN {
  printf "Ceiling on SQLite: one row read with nothing of ours in between, %d req/s (%.0f %% of bare).\n", one, 100 * one / bare }'
if [ -n "${PG_TPS:-}" ]; then
  awk -v tps="$PG_TPS" -v bare="$BARE_RATE" 'BEGIN {
    printf "Ceiling on PostgreSQL on the same cores, with bare and pgbench costs added:"
    for (k = 1; k <= 3; k++) {
      rate = 1 / (1 / bare + k / tps)
      printf " %d statement%s %d req/s (%.0f %% of bare)%s", k, (k > 1 ? "s" : ""), rate,
        100 * rate / bare, (k < 3 ? "," : ".\n")
    } }'
fi

if [ -n "${BASELINE_BIN:-}" ]; then
  echo "== GET /api/v1/me: this build against $BASELINE_BIN, alternating, 3 runs each"
  for run in 1 2 3; do
    for which in baseline current; do
      bin=$BIN; [ $which = baseline ] && bin=$BASELINE_BIN
      SUPERVISION_DATA_DIR="$WORK/$which" "$bin" serve --demo > /dev/null &
      SERVER=$!
      started $SERVER "$BASE/readyz"
      token=$("$LOADGEN" token "$BASE" aisha.khan@demo.council.example demo-supervision-2026)
      read -r rate p99 _ <<< "$(load "$BASE/api/v1/me" "$token")"
      echo "$which run $run: $rate req/s, p99 $p99 ms"
      echo "$rate" >> "$WORK/$which.rates"
      kill $SERVER; wait $SERVER 2>/dev/null || true
    done
  done
  median() { sort -n "$1" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
  awk -v now="$(median "$WORK/current.rates")" -v before="$(median "$WORK/baseline.rates")" \
    'BEGIN { printf "median: current %d req/s, baseline %d req/s: %.1f %% of the baseline\n", now, before, 100 * now / before }'
fi
