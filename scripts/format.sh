#!/usr/bin/env bash
# Formats the C++ sources with .clang-format (Debian 12's clang-format 14), or with --check only reports the files
# that differ from it and exits non-zero (a ctest test does that). Files are those git tracks, or, outside a git
# checkout, those found under the source folders.
set -euo pipefail
cd "$(dirname "$0")/.."
folders=(engine service clients bench tests fuzz)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- "${folders[@]/%//*.cc}" "${folders[@]/%//*.h}")
else
  mapfile -t files < <(find "${folders[@]}" -name node_modules -prune -o \( -name '*.cc' -o -name '*.h' \) -print | sort)
fi
if [ "${1:-}" = "--check" ]; then
  clang-format --dry-run --Werror "${files[@]}"
else
  clang-format -i "${files[@]}"
fi
