#!/usr/bin/env bash
# Fair exposure on the sample data: a server with service/sample/profiles.jsonl answers SuggestSuppliers (k = 10)
# for the first N tenders, the shown suppliers are recorded as SHOWN feedback with their ranks, and
# InsightsService.ExposureReport gives each size class's share of exposure beside its share of the suppliers;
# then the same on a fresh server with a minimum SME share in each request. Both reports side by side.
#
#   bash bench/exposure.sh [--build=build] [--tenders=100] [--min_sme_share=0.6]
set -euo pipefail
cd "$(dirname "$0")/.."
build=build tenders=100 share=0.6
for arg in "$@"; do
  case "$arg" in
    --build=*) build="${arg#*=}" ;;
    --tenders=*) tenders="${arg#*=}" ;;
    --min_sme_share=*) share="${arg#*=}" ;;
    *) echo "unknown argument: $arg" >&2; exit 64 ;;
  esac
done
work=$(mktemp -d)
trap 'kill $(cat "$work"/*.pid 2>/dev/null) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
source bench/relevance/serve.sh

# Runs the round on a fresh server: $1 names it, $2 is the request's diversity (JSON).
round() {
  local name=$1 diversity=$2
  local address
  address=$(serve "$name" "$build/service/circmatch-server" service/sample/profiles.jsonl)
  local cli=("$build/clients/circmatch" --server="$address")
  for i in $(seq 1 "$tenders"); do
    local tender
    tender=$(printf "tender-%04d" "$i")
    "${cli[@]}" SuggestSuppliers "{\"tenderRef\": {\"id\": \"$tender\"}, \"k\": 10, \"diversity\": $diversity}" |
      python3 -c '
import json, sys
matches = json.load(sys.stdin).get("matches", [])
print(json.dumps({"events": [{"matchType": "MATCH_TYPE_SUPPLIERS_FOR_TENDER", "query": {"id": sys.argv[1]},
    "candidate": {"owner": m["profile"]["owner"], "id": m["profile"]["id"]}, "rank": m["rank"],
    "action": "FEEDBACK_ACTION_SHOWN"} for m in matches]}))' "$tender" >"$work/events.json"
    if grep -q candidate "$work/events.json"; then "${cli[@]}" RecordFeedback "@$work/events.json" >/dev/null; fi
  done
  "${cli[@]}" ExposureReport '{}' >"$work/$name.json"
}

round scores '{}'
round sme_share "{\"minSmeShare\": $share}"

python3 - "$work" "$tenders" "$share" <<'PY'
import json, os, sys
work, tenders, share = sys.argv[1:]
before = json.load(open(os.path.join(work, "scores.json")))
after = json.load(open(os.path.join(work, "sme_share.json")))
print(f"SuggestSuppliers, k = 10, for {tenders} sample tenders; exposure = shown events weighted 1/log2(rank + 1)")
print(f"{'size class':32} {'eligible':>9} {'by score':>9} {'SME share ' + share:>16}")
for b, a in zip(before["classes"], after["classes"]):
    print(f"{b.get('size', 'ORGANIZATION_SIZE_UNSPECIFIED'):32} {b.get('eligibleShare', 0):9.3f} "
          f"{b.get('exposureShare', 0):9.3f} {a.get('exposureShare', 0):16.3f}")
print(f"{'SMEs together':32} {before.get('smeEligibleShare', 0):9.3f} {before.get('smeExposureShare', 0):9.3f} "
      f"{after.get('smeExposureShare', 0):16.3f}")
print(f"shown events: {before.get('shownEvents', 0)} and {after.get('shownEvents', 0)}")
PY
