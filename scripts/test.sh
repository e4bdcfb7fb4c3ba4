#!/usr/bin/env bash
# Runs every test: the Swift suites (unit, end-to-end, golden files, the executable), the conformance suite that
# drives the official Python SDKs against the built server, the abuse suite, the dashboard in a headless browser,
# and the fuzz targets.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh --python
swift build --build-tests
swift test --skip-build
EMULATOR_BIN="$(swift build --show-bin-path)/aliyun-db-emulator" .venv/bin/python -m pytest Tests/conformance -q -p no:cacheprovider
# Hostile clients against the same binary, each case with a time limit.
EMULATOR_BIN="$(swift build --show-bin-path)/aliyun-db-emulator" .venv/bin/python -m pytest Tests/abuse -q -p no:cacheprovider
# The dashboard in headless Chromium (Debian's chromium and chromium-driver, Selenium).
EMULATOR_BIN="$(swift build --show-bin-path)/aliyun-db-emulator" .venv/bin/python -m pytest Tests/dashboard -q -p no:cacheprovider
# The libFuzzer targets with AddressSanitizer, 30 s each (their own build, in .build-fuzz).
scripts/fuzz.sh 30
# The container image: docker/Dockerfile built for real (buildah, stand-in base images where no registry answers),
# then run as a CI service container and checked; prints the image's and the binary's sizes.
docker/check-image.sh
