#!/usr/bin/env bash
# Installs what building and testing circmatch needs on Debian 12: compilers, CMake, the libraries from
# Debian's packages (clang-16 and its libFuzzer runtime for fuzz/, llvm-16 for the symbolizer of its crash
# reports), and (with --with-test-tools) the npm packages the tests use. Safe to rerun.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  build-essential cmake pkg-config git ca-certificates openssl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libssl-dev libpq-dev postgresql libeigen3-dev libgtest-dev libgmock-dev libbenchmark-dev libsqlite3-dev liblemon-dev libxapian-dev prometheus-cpp-dev
  libmicrohttpd-dev
  python3 python3-grpcio python3-protobuf
  clang-16 libclang-rt-16-dev llvm-16
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The browser test drives Debian's Chromium.
if [ "${1:-}" = "--with-test-tools" ] && [ ! -x /usr/bin/chromium ]; then missing+=(chromium); fi
# The format check (scripts/format.sh --check) holds the sources to Debian 12's clang-format.
if [ "${1:-}" = "--with-test-tools" ] && ! command -v clang-format >/dev/null; then missing+=(clang-format); fi
# Node.js may come from another packaging that bundles npm; only install Debian's when there is none.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${missing[@]}"
fi

if [ "${1:-}" = "--with-test-tools" ]; then
  # `npm install` rather than `npm ci`: the locks pin every version, but registry mirrors that carry only some
  # of buf's per-platform binaries leave those out of the lock, which `npm ci` refuses and `npm install` accepts.
  [ -x tests/service/generic_client/node_modules/.bin/buf ] ||
    npm install --prefix tests/service/generic_client --no-audit --no-fund
  [ -d clients/node/node_modules/@grpc/grpc-js ] || npm install --prefix clients/node --no-audit --no-fund
  [ -d tests/web/node_modules/playwright-core ] || npm install --prefix tests/web --no-audit --no-fund
fi
