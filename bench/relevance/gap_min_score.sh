#!/usr/bin/env bash
# How the default `min_score` of InsightsService.GapReport (0.2) was chosen: every graded supplier of the judged
# set's SuggestSuppliers queries, scored by ExplainMatch with the built-in weights on a server holding the judged
# set (pairs a hard filter excludes left out, as the report leaves them out); for each threshold, how many pairs
# graded 2 or 3, and how many graded 0 or 1, reach it. A supplier counts for a tender in the report when it does.
#
#   bash bench/relevance/gap_min_score.sh [--build=build]
set -euo pipefail
cd "$(dirname "$0")/../.."
build=build
for arg in "$@"; do
  case "$arg" in
    --build=*) build="${arg#*=}" ;;
    *) echo "unknown argument: $arg" >&2; exit 64 ;;
  esac
done
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
source bench/relevance/serve.sh

python3 - "$build/clients/circmatch" "$(serve server "$build/service/circmatch-server")" <<'PY'
import json, subprocess, sys
cli, address = sys.argv[1], sys.argv[2]
relevant, other = [], []
for line in open("eval/relevance/judgments.jsonl"):
    query = json.loads(line)
    if query["method"] != "SuggestSuppliers":
        continue
    for rating in query["ratings"]:
        request = {"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER", "queryRef": query["request"]["tenderRef"],
                   "candidate": {"id": rating["id"]}}
        out = subprocess.run([cli, "--server=" + address, "ExplainMatch", json.dumps(request)], check=True,
                             capture_output=True, text=True).stdout
        match = json.loads(out)["match"]
        if match.get("explanation", {}).get("exclusions"):
            continue
        (relevant if rating["grade"] >= 2 else other).append(match.get("score", 0))
print(f"{len(relevant) + len(other)} graded pairs past the hard filters: {len(relevant)} graded 2-3, "
      f"{len(other)} graded 0-1")
print("min_score  graded 2-3 reaching it  graded 0-1 reaching it")
for threshold in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4):
    print(f"{threshold:9.2f}  {sum(s >= threshold for s in relevant):5d} of {len(relevant)}"
          f"             {sum(s >= threshold for s in other):5d} of {len(other)}")
PY
