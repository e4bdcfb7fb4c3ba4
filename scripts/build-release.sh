#!/usr/bin/env bash
# Builds the release binary as it ships, and prints its path. The Swift runtime and FoundationEssentials
# (never Foundation, nor ICU's data) are linked in statically and the executable is not position-independent:
# far fewer pages are relocated and touched at start-up (about 17 MB resident when idle instead of 28; docs/benchmarks.md).
# Linking prints one warning from the toolchain's own libFoundationEssentials.a (its use of mktemp).
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(-c release --static-swift-stdlib -Xswiftc -Xclang-linker -Xswiftc -no-pie)
swift build "${flags[@]}" --product aliyun-db-emulator >&2
echo "$(swift build "${flags[@]}" --show-bin-path)/aliyun-db-emulator"
