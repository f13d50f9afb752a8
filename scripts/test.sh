#!/usr/bin/env bash
# README command 2: installs what is missing, builds everything, and runs every test (ctest), including the
# benchmarks at smoke size. Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh --with-test-tools
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCIRCMATCH_BUILD_TESTS=ON -DCIRCMATCH_BUILD_BENCHMARKS=ON
cmake --build build -j2
ctest --test-dir build --output-on-failure --no-tests=error -j2
