#!/usr/bin/env bash
# The companion app's browser tests (issue 19): starts the server on a temporary SQLite data
# folder and a free port, with pushes allowed to loopback so the tests' own push receiver can
# stand in for a browser vendor's push service, then runs every *.test.mjs here in Debian's Chromium
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

# shellcheck source=../serve.sh
. "$here/../serve.sh"
SUPERVISION_PUSH_ALLOW_LOOPBACK=true serve_for_tests "$binary"
# The binary too: the CPD test (reflections.test.mjs) starts a second server of its own under
# libfaketime (Debian package faketime), to stand on 30 November and 1 December.
export SUPERVISION_BASE="$base" SUPERVISION_SERVER_LOG="$server_log" SUPERVISION_BINARY="$binary"
node --test --test-concurrency=1 "$@" ./*.test.mjs
