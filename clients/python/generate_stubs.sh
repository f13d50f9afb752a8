#!/usr/bin/env bash
# Generates the Python messages and gRPC stubs of proto/ into DIR (default clients/python/gen) with Debian's
# protoc and grpc_python_plugin (protobuf-compiler, protobuf-compiler-grpc); the runtime is python3-grpcio and
# python3-protobuf. The build runs this too (into the build tree); run it by hand to use the client from a
# checkout:  bash clients/python/generate_stubs.sh && PYTHONPATH=clients/python:clients/python/gen python3 ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
proto="$here/../../proto"
out="${1:-$here/gen}"
mkdir -p "$out"
cd "$proto"
protoc -I . --python_out="$out" --grpc_python_out="$out" --plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin \
  google/api/http.proto google/api/annotations.proto circmatch/v1/*.proto
