#!/usr/bin/env bash
# How long one partner's write of 500 profiles takes while other partners hold N WatchMatches streams open, on
# a real server on loopback with the judged set loaded (eval/relevance), for each N given: writers must not wait
# for watchers. Prints one line per N. Every watch is of partner "local" (no keys), so the per-partner bound on
# watches is lifted.
#
#   bash bench/watchers_write.sh [--build=build] [--server=PATH/circmatch-server] [N ...]   (default N: 0 20 60)
set -euo pipefail
cd "$(dirname "$0")/.."
build=build server=""
counts=()
for arg in "$@"; do
  case "$arg" in
    --build=*) build="${arg#*=}" ;;
    --server=*) server="${arg#*=}" ;;
    *) counts+=("$arg") ;;
  esac
done
server=${server:-$build/service/circmatch-server}
[ ${#counts[@]} -eq 0 ] && counts=(0 20 60)
work=$(mktemp -d)
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
python3 - "$work/write.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as out:
    for i in range(500):
        out.write(json.dumps({"id": f"w-{i}", "kind": "PROFILE_KIND_SUPPLIER", "visibility": "VISIBILITY_SHARED",
                              "location": {"municipality": "Zwolle"},
                              "capabilities": {"cpvCodes": ["39130000"], "text": "wij reviseren kantoormeubilair en "
                                               "bureaustoelen, terugname en hergebruik van meubilair"}}) + "\n")
PY
run=0
for n in "${counts[@]}"; do
  run=$((run + 1))  # a fresh store each run, also for an N given twice
  mkdir -p "$work/$run"
  "$server" --listen=127.0.0.1:0 --data_dir="$work/$run" --allow_unauthenticated --audit_log=- --max_watches_per_partner=100000 \
      --vocabulary_dir=engine/data --sample_data=eval/relevance/profiles.jsonl >"$work/$run.log" 2>&1 &
  pids=($!)
  for _ in $(seq 1 300); do grep -qs "listening on " "$work/$run.log" && break; sleep 0.1; done
  address=$(sed -n 's/.*listening on \(.*\)$/\1/p' "$work/$run.log" | head -n 1)
  for i in $(seq 1 "$n"); do
    "$build/clients/circmatch" --server="$address" WatchMatches "{\"tenderRef\": {\"id\": \"t-meub-0$((i % 5 + 1))\"}}" \
        >/dev/null 2>&1 &
    pids+=($!)
  done
  sleep 1  # the watch clients connect and register
  start=$(date +%s.%N)
  "$build/clients/circmatch" --server="$address" import "$work/write.jsonl" --batch=500 >/dev/null 2>&1
  end=$(date +%s.%N)
  python3 -c "print(f'watchers {$n:3d}: a write of 500 profiles took {$end - $start:.3f} s')"
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
done
