#!/usr/bin/env bash
# circmatch's SuggestSuppliers beside the Xapian BM25 peer (and, given its server binary, the build before) on the
# judged set of eval/relevance, in one run: nDCG@10, MRR@10 and precision@10 over the queries of one part, and the
# results breaking a hard requirement (reach, a required certificate, a distance limit). Each circmatch build runs
# as a real server on loopback with the set loaded, measured through the public API by `circmatch eval`.
# Exits non-zero when the current build returns a result that breaks a hard requirement.
#
#   bash bench/relevance/compare.sh [--split=test|tuning|all] [--build=build] [--before=OTHER/circmatch-server]
set -euo pipefail
cd "$(dirname "$0")/../.."
split=test build=build before=""
for arg in "$@"; do
  case "$arg" in
    --split=*) split="${arg#*=}" ;;
    --build=*) build="${arg#*=}" ;;
    --before=*) before="${arg#*=}" ;;
    *) echo "unknown argument: $arg" >&2; exit 64 ;;
  esac
done
[ "$split" = all ] && split=""
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
source bench/relevance/serve.sh

evaluate() {
  "$build/clients/circmatch" --server="$1" eval eval/relevance/judgments.jsonl --split="$split" --format=json
}

evaluate "$(serve current "$build/service/circmatch-server")" >"$work/current.json"
"$build/bench/circmatch_bench_xapian_peer" --split="$split" --format=json >"$work/peer.json"
[ -n "$before" ] && evaluate "$(serve before "$before")" >"$work/before.json"

python3 - "$work" "${split:-all}" <<'PY'
import json, os, sys
work, split = sys.argv[1], sys.argv[2]
rows = [("circmatch", "current.json"), ("circmatch, build before", "before.json"), ("Xapian BM25 peer", "peer.json")]
print(f"judged set, part: {split}")
print(f"{'':26} {'nDCG@10':>8} {'MRR@10':>8} {'P@10':>8} {'judged 0':>9} {'unjudged':>9} {'broken':>7}")
for name, file in rows:
    path = os.path.join(work, file)
    if not os.path.exists(path):
        continue
    o = json.load(open(path))["overall"]
    print(f"{name:26} {o['ndcg']:8.4f} {o['mrr']:8.4f} {o['precision']:8.4f} {o['judgedZero']:9d} {o['unjudged']:9d} {o['broken']:7d}")
current = json.load(open(os.path.join(work, "current.json")))["overall"]
peer = json.load(open(os.path.join(work, "peer.json")))["overall"]
print(f"circmatch - peer: {current['ndcg'] - peer['ndcg']:+.4f} nDCG@10")
sys.exit(1 if current["broken"] else 0)
PY
