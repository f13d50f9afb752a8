#!/usr/bin/env bash
# Runs one libFuzzer target from its seed corpus, which it never writes to: what the run finds goes to WORK_DIR
# (corpus/ for new inputs, artifacts/ for a crashing one), emptied first. fuzz/dict/<name of SEED_DIR>.dict, when
# there is one, gives the mutations words the target's input is made of (JSON field names, vocabulary words).
# Exits non-zero on any crash, sanitizer report, leak, timeout or out-of-memory.
#   fuzz/run.sh FUZZER SEED_DIR WORK_DIR [libFuzzer flags...]
#   fuzz/run.sh build-fuzz/fuzz/fuzz_page_token fuzz/corpus/page_token /tmp/fuzz-page_token -runs=10000000
set -euo pipefail
if (($# < 3)); then
  echo "usage: $0 FUZZER SEED_DIR WORK_DIR [libFuzzer flags...]" >&2
  exit 64
fi
fuzzer=$1 seeds=$2 work=$3
shift 3
rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
dict=()
dict_file="$(dirname "$0")/dict/$(basename "$seeds").dict"
[ -f "$dict_file" ] && dict=(-dict="$dict_file")
# A single input slower than 30 s is a bug too (a request that holds a core); leaks fail the run.
exec "$fuzzer" -timeout=30 -print_final_stats=1 -artifact_prefix="$work/artifacts/" "${dict[@]}" "$@" "$work/corpus" "$seeds"
