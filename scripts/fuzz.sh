#!/usr/bin/env bash
# Fuzzes the frame decoder and the admin command parser with libFuzzer (FuzzCheck in Sources/GearmanFuzzing).
#
#   scripts/fuzz.sh                 # 60 seconds, as CI runs it
#   scripts/fuzz.sh -runs=10000000  # any libFuzzer options instead of the default time limit
#   FUZZ_SANITIZERS=fuzzer scripts/fuzz.sh -runs=10000000   # without AddressSanitizer: about 3x the inputs a second
#
# Starts from Tests/GearmanProtocolTests/FuzzInputs (seeds and past failures) and keeps what it learns in
# .build-fuzz/corpus. A failing input is written to .build-fuzz/ as crash-*: add it to FuzzInputs as a
# regression test once fixed.
set -euo pipefail
cd "$(dirname "$0")/.."

sanitizers="${FUZZ_SANITIZERS:-fuzzer,address}"
build=.build-fuzz
# Release: a debug build runs a few hundred inputs a second, far too few. One build directory per sanitizer set.
flags=(--build-path "$build/${sanitizers//,/-}" -c release -Xswiftc -sanitize="$sanitizers" -Xswiftc -DFUZZING -Xswiftc -use-ld=lld)
swift build "${flags[@]}" --product gearman-fuzz
binary="$(swift build "${flags[@]}" --show-bin-path)/gearman-fuzz"
test -x "$binary"
mkdir -p "$build/corpus"
options=("$@")
[ ${#options[@]} -gt 0 ] || options=(-max_total_time=60)
# Swift's own crash backtracer would fight AddressSanitizer and libFuzzer over the crash.
SWIFT_BACKTRACE=enable=no "$binary" "${options[@]}" -max_len=1024 -print_final_stats=1 -artifact_prefix="$build/" \
  "$build/corpus" Tests/GearmanProtocolTests/FuzzInputs
