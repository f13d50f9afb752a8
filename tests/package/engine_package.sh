#!/usr/bin/env bash
# The engine as an installed CMake package: installs the install component "engine" of an existing build tree
# into a fresh prefix, builds engine/examples against that prefix alone (find_package(circmatch)), runs the
# example, and checks what it prints. The engine is not rebuilt: only the example's source file is compiled.
#
#   engine_package.sh BUILD_DIR EXAMPLE_DIR CXX_COMPILER BUILD_TYPE CXX_FLAGS LINKER_FLAGS
#
# CXX_FLAGS and LINKER_FLAGS are those the build tree compiled the engine with that its users need too (the
# sanitizers', -march=native); either may be empty.
set -euo pipefail
if [ "$#" -ne 6 ]; then
  echo "usage: $0 BUILD_DIR EXAMPLE_DIR CXX_COMPILER BUILD_TYPE CXX_FLAGS LINKER_FLAGS" >&2
  exit 2
fi
build_dir=$1 example_dir=$2 cxx=$3 build_type=$4 cxx_flags=$5 linker_flags=$6

work=$(mktemp -d "${TMPDIR:-/tmp}/circmatch-engine-package.XXXXXX")
trap 'rm -rf "$work"' EXIT
work=$(cd "$work" && pwd -P)  # as the package computes its paths: without symbolic links
prefix="$work/prefix"

fail() {
  echo "engine_package: FAIL: $*" >&2
  exit 1
}

echo "== install component engine into $prefix"
cmake --install "$build_dir" --component engine --prefix "$prefix"
# Only the engine's files: no server or CLI, and of the headers only the public ones (none of engine/src/).
[ ! -e "$prefix/bin" ] || fail "the engine component installed $(ls "$prefix/bin")"
installed_headers=$(cd "$prefix/include/circmatch" && find . -name '*.h' | sort)
public_headers=$(cd "$example_dir/../include/circmatch" && find . -name '*.h' | sort)
[ "$installed_headers" = "$public_headers" ] || fail "installed headers differ from engine/include/circmatch/"
# The installed package names no path of the source or build tree (e.g. CIRCMATCH_SOURCE_DATA_DIR).
source_dir=$(cd "$example_dir/../.." && pwd)
if grep -rlF -e "$source_dir" -e "$(cd "$build_dir" && pwd)" --include='*.cmake' "$prefix"; then
  fail "the installed CMake files above name the source or build tree"
fi

echo "== configure and build the example against $prefix"
cmake -S "$example_dir" -B "$work/example" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_BUILD_TYPE="$build_type" -DCMAKE_CXX_FLAGS="$cxx_flags" -DCMAKE_EXE_LINKER_FLAGS="$linker_flags" \
  -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
found=$(sed -n 's/^circmatch_DIR:PATH=//p' "$work/example/CMakeCache.txt")
case "$found" in
  "$prefix"/*) ;;
  *) fail "find_package(circmatch) found $found, not the package in $prefix" ;;
esac
cmake --build "$work/example"

echo "== run the example"
"$work/example/embed_engine" >"$work/out.txt" || fail "embed_engine exited with $?"
cat "$work/out.txt"
# It read the data installed with the package, not the source tree's.
grep -qxF "Reference data: $prefix/share/circmatch" "$work/out.txt" ||
  fail "the example did not read the reference data from $prefix/share/circmatch"
# The workshop that refurbishes office furniture near Zwolle ranks first, the landscaper (if at all) below it,
# and the explanation shows the refurbishment its text evidences.
first=$(grep -m1 -E '^ +[0-9]+\. ' "$work/out.txt" || true)
[[ "$first" == *"1. kringloop-overijssel/meubelrevisie-kampen "* ]] || fail "the first supplier is not the workshop: $first"
grep -qE '^ +evidence: R5 ' "$work/out.txt" || fail "no R5 evidence in the explanations"
# A wrong data folder is an error with a message, not a crash.
if "$work/example/embed_engine" "$work/no-such-dir" >/dev/null 2>"$work/err.txt"; then
  fail "embed_engine succeeded without reference data"
fi
grep -q "cannot load the reference data" "$work/err.txt" || fail "no clear message without reference data"
echo "engine_package: OK"
