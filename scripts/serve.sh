#!/usr/bin/env bash
# README command 1: installs what is missing, builds, and runs circmatch-server on its embedded SQLite store
# (./circmatch-data), loading the sample data on first start, in the development mode without API keys (see
# docs/DEPLOYMENT.md for a deployment with partner keys and TLS). Stop it with Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCIRCMATCH_BUILD_TESTS=OFF -DCIRCMATCH_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target circmatch-server circmatch

listen="${CIRCMATCH_LISTEN:-127.0.0.1:50051}"
build/service/circmatch-server --listen="$listen" --data_dir="${CIRCMATCH_DATA_DIR:-circmatch-data}" \
    --sample_data=service/sample/profiles.jsonl --allow_unauthenticated \
    --http_listen="${CIRCMATCH_HTTP_LISTEN:-127.0.0.1:8080}" "$@" |
  while IFS= read -r line; do
    echo "$line"
    case "$line" in
      *"listening on "*)
        address="${line##*listening on }"
        cat <<HELP

Try, in another terminal:
  build/clients/circmatch --server=$address SuggestSuppliers '{"tenderRef": {"id": "tender-0001"}, "query": {"k": 3}}'
  build/clients/circmatch --server=$address list
  curl -X POST http://${CIRCMATCH_HTTP_LISTEN:-127.0.0.1:8080}/v1/matching/suppliers:suggest -d '{"tenderRef": {"id": "tender-0001"}, "query": {"k": 3}}'
HELP
        ;;
    esac
  done
