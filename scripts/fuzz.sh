#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ with AddressSanitizer and runs each for a bounded time, starting from its
# committed corpus (Fuzz/Corpus/<target>). Fails on the first crash, sanitizer report, failed check, or input that
# runs longer than 10 s or makes the process pass 2 GB; the input is kept under .build-fuzz/findings/<target>/.
#   scripts/fuzz.sh [seconds per target, default 30] [target ...]
# Reproduce a finding: .build-fuzz/x86_64-unknown-linux-gnu/debug/Fuzz<target> <file>
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(Request FormDecoding SignatureV1 SignatureV3 Fixtures ControlAPI Duration)

export EMULATOR_FUZZ=1  # Package.swift declares the fuzz targets only then
# Swift's crash backtracer misreads ASan's memory and can leave its helper running: libFuzzer reports crashes.
export SWIFT_BACKTRACE=enable=no
scratch=.build-fuzz
# `--sanitize=fuzzer` makes SwiftPM link libFuzzer's main; the Swift flag adds coverage and ASan to the Swift code
# (two separate `--sanitize` flags would keep only the last, and lose the coverage).
build=(swift build --scratch-path "$scratch" --sanitize=fuzzer -Xswiftc -sanitize=fuzzer,address)
started=$SECONDS
mkdir -p "$scratch"
for target in "${targets[@]}"; do
    if ! "${build[@]}" --product "Fuzz$target" >"$scratch/build.log" 2>&1; then
        # The linker warns about every ASan helper it cannot export: noise, not our code.
        grep -v "Cannot export local symbol" "$scratch/build.log" | tail -40 >&2
        echo "fuzz: building Fuzz$target failed" >&2
        exit 1
    fi
done
bin="$("${build[@]}" --show-bin-path)"
echo "fuzz: built ${#targets[@]} targets in $((SECONDS - started)) s"

for target in "${targets[@]}"; do
    findings="$scratch/findings/$target"
    found="$scratch/corpus/$target"  # new inputs land here, not in the committed corpus
    mkdir -p "$findings" "$found"
    echo "fuzz: $target for $seconds s"
    if ! "$bin/Fuzz$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$findings/" "$found" "Fuzz/Corpus/$target" \
        >"$findings/log" 2>&1; then
        tail -60 "$findings/log" >&2
        echo "fuzz: $target failed; the input is in $findings/ (whole log: $findings/log)" >&2
        exit 1
    fi
    grep -E "^stat::(number_of_executed_units|new_units_added|peak_rss_mb)" "$findings/log" | tr '\n' ' '
    echo
done
echo "fuzz: all ${#targets[@]} targets passed in $((SECONDS - started)) s"
