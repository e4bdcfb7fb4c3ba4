#!/usr/bin/env bash
# Runs every test: the Swift suites (unit, end-to-end, golden files, the executable), then the
# conformance suite that drives the official Python SDKs against the built server.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --python
swift build --build-tests
swift test --skip-build
EMULATOR_BIN="$(swift build --show-bin-path)/aliyun-db-emulator" .venv/bin/python -m pytest Tests/conformance -q -p no:cacheprovider
# The container recipe (docker/Dockerfile's steps): build as the image does, run, health-check, stop.
docker/build.sh check
