#!/usr/bin/env bash
# circmatch's VocabularyService.SuggestCodes beside a labels-only BM25 baseline (Xapian) on the labelled set of
# eval/codes: hit@1, hit@5 and MRR@10 over the texts of one part. The current build runs as a real server on
# loopback (no profiles needed: the vocabulary is shipped data), measured through its public gRPC API.
#
#   bash bench/codes/compare.sh [--split=test|tuning|all] [--build=build] [--per_text] [--limit=N]
set -euo pipefail
cd "$(dirname "$0")/../.."
split=test build=build extra=()
for arg in "$@"; do
  case "$arg" in
    --split=*) split="${arg#*=}" ;;
    --build=*) build="${arg#*=}" ;;
    --per_text|--limit=*) extra+=("$arg") ;;
    *) echo "unknown argument: $arg" >&2; exit 64 ;;
  esac
done
[ "$split" = all ] && split=""
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
source bench/relevance/serve.sh

address=$(serve current "$build/service/circmatch-server" service/sample/profiles.jsonl)
"$build/bench/circmatch_bench_suggest_codes" --server="$address" --split="$split" ${extra[@]+"${extra[@]}"}
