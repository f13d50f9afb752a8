#!/usr/bin/env bash
# README command 2: installs what is missing, builds everything, and runs every test (ctest), including the
# benchmarks at smoke size; then the same suite built under AddressSanitizer and UndefinedBehaviorSanitizer (the
# asan preset, in build-asan), and a short run of each fuzz target. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --with-test-tools
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCIRCMATCH_BUILD_TESTS=ON -DCIRCMATCH_BUILD_BENCHMARKS=ON
cmake --build build -j2
ctest --test-dir build --output-on-failure --no-tests=error -j2
# Again under ASan+UBSan: a memory error, a leak or undefined behaviour fails a test (docs/SANITIZERS.md).
cmake --preset asan
cmake --build --preset asan
ctest --preset asan
# The fuzz targets (fuzz/README.md) in a clang build tree of their own: a short run of each from its seed corpus.
cmake -S . -B build-fuzz -DCMAKE_CXX_COMPILER=clang++-16 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCIRCMATCH_BUILD_FUZZERS=ON -DCIRCMATCH_BUILD_TESTS=OFF -DCIRCMATCH_BUILD_BENCHMARKS=OFF
cmake --build build-fuzz -j2 --target circmatch_fuzzers
ctest --test-dir build-fuzz -L fuzz --output-on-failure --no-tests=error -j2
