#!/usr/bin/env bash
# Runs the emulator with its embedded defaults (bundled fixtures, in-memory SQLite state) on
# 127.0.0.1:8080. Any flag is passed on, e.g. scripts/run.sh --port 0 --state /tmp/state.db
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
binary="$(scripts/build-release.sh)"
exec "$binary" "$@"
