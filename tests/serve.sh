# Sourced by the scripts that check a running server (tests/client/run.sh,
# tests/browser/run.sh, bench/run_app.sh). `serve_for_tests BINARY [serve options...]` starts
# it on a fresh temporary data folder and a free loopback port, waits until it answers, and
# sets `base` (its URL) and `server_log`; the server is stopped and the folder removed when the
# script exits. Other settings come from the caller's SUPERVISION_* environment.
serve_for_tests() {
  local binary="$1" port
  shift
  data=$(mktemp -d)
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  server_log="$data/server.log"
  SUPERVISION_DATA_DIR="$data" SUPERVISION_BIND="127.0.0.1:$port" SUPERVISION_LOG_FORMAT=json \
    "$binary" serve "$@" >"$server_log" 2>&1 &
  server=$!
  trap 'kill $server 2>/dev/null; wait $server 2>/dev/null; rm -rf "$data"' EXIT
  for _ in $(seq 1 150); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return 0
    kill -0 $server 2>/dev/null || { cat "$server_log"; exit 1; }
    sleep 0.2
  done
  echo "the server did not answer at $base within 30 s"
  cat "$server_log"
  exit 1
}
