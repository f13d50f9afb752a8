#!/usr/bin/env bash
# A rank profile fitted through the public API on the judged set's tuning part (FitRankProfile with its judged
# queries, as a partner would send its own), then the test part evaluated with `circmatch eval` twice on the same
# server, side by side: with the built-in defaults and with the profile active. The defaults were fitted on the
# same tuning part offline (bench/relevance/fit_model.cc), so this shows what a partner's own fit adds on top.
#
#   bash bench/relevance/rank_profile.sh [--build=build] [--folds=5]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build folds=5
for arg in "$@"; do
  case "$arg" in
    --build=*) build="${arg#*=}" ;;
    --folds=*) folds="${arg#*=}" ;;
    *) echo "unknown argument: $arg" >&2; exit 64 ;;
  esac
done
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
source bench/relevance/serve.sh

cli=("$build/clients/circmatch" --server="$(serve server "$build/service/circmatch-server")")
python3 - "$folds" >"$work/fit.json" <<'PY'
import json, sys
queries = [json.loads(line) for line in open("eval/relevance/judgments.jsonl") if line.strip()]
tuning = [q for q in queries if q.get("split") == "tuning"]
print(json.dumps({"name": "judged-tuning", "matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER",
                  "judgedQueries": tuning, "folds": int(sys.argv[1])}))
PY
"${cli[@]}" FitRankProfile "@$work/fit.json" >"$work/fitted.json"
"${cli[@]}" eval eval/relevance/judgments.jsonl --split=test --format=json >"$work/builtin.json"
"${cli[@]}" ActivateRankProfile '{"name": "judged-tuning", "version": 1}' >/dev/null
"${cli[@]}" eval eval/relevance/judgments.jsonl --split=test --format=json >"$work/profile.json"

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
profile = json.load(open(os.path.join(work, "fitted.json")))["profile"]
fit = profile["fit"]
print(f"rank profile fitted on {fit['queries']} tuning queries: nDCG@10 {fit.get('ndcg', 0):.4f}, "
      f"cross-validated {fit.get('crossValidatedNdcg', 0):.4f}, {fit['baseline']} on them {fit.get('baselineNdcg', 0):.4f}")
print("weights: " + ", ".join(f"{k} {v:.4f}" for k, v in profile["weights"].items() if v))
print(f"{'test part':26} {'nDCG@10':>8} {'MRR@10':>8} {'P@10':>8} {'broken':>7}")
for name, file in [("built-in defaults", "builtin.json"), ("rank profile", "profile.json")]:
    o = json.load(open(os.path.join(work, file)))["overall"]
    print(f"{name:26} {o['ndcg']:8.4f} {o['mrr']:8.4f} {o['precision']:8.4f} {o['broken']:7d}")
PY
