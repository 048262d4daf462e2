#!/usr/bin/env bash
# The code's own rules, checked in CI before any build (scripts/test.sh runs this first):
#  1. formatting: clang-format-16 with .clang-format, on every C++ file of src/, tests/, bench/;
#  2. third-party headers only in the module that owns the library (the CMake targets link each
#     library PRIVATE to that module; a system header would still compile elsewhere, so it is
#     checked here);
#  3. clang-tidy-16 with .clang-tidy on every source of the compile database (the lint preset).
# `bash scripts/lint.sh --fix` reformats instead of checking the formatting.
set -euo pipefail
cd "$(dirname "$0")/.."
status=0
mapfile -t files < <(git ls-files 'src/*.cpp' 'src/*.h' 'tests/*.cpp' 'tests/*.h' 'bench/*.cpp' 'bench/*.h')

echo "== clang-format =="
if [ "${1:-}" = "--fix" ]; then
  clang-format-16 -i "${files[@]}"
elif ! clang-format-16 --dry-run --Werror "${files[@]}"; then
  echo "lint: formatting differs (bash scripts/lint.sh --fix reformats)"
  status=1
fi

echo "== third-party headers =="
# header pattern (grep -E), then the only place allowed to include it
owners=(
  '<sqlite3\.h> src/store/sqlite/'
  '<curl/ src/fetch/'
  '<boost/(beast|asio) src/http/'
  '<mosquitto\.h> src/notify/'
  '<geos_c\.h> src/query/'
  '<pcre2\.h> src/util/'
  '<pugixml\.hpp> src/connect/'
  '<zip\.h> src/connect/'
  '<iconv\.h> src/connect/'
  '<sodium\.h> src/access/'
  '<openssl/ src/access/'
  '<zlib\.h> src/site/'
  '<jemalloc/ src/allocator.cpp'
)
for rule in "${owners[@]}"; do
  pattern=${rule%% *}
  owner=${rule#* }
  while IFS= read -r hit; do
    case "$hit" in "$owner"*) ;; *) echo "lint: $hit (only $owner may include it)"; status=1 ;; esac
  done < <(git grep -nE "#include $pattern" -- src || true)
done

echo "== clang-tidy =="
cmake --preset lint >/dev/null
# Every source the lint preset compiles (the generated core @context is not ours to lint).
mapfile -t sources < <(/usr/bin/python3 -c '
import json
for e in json.load(open("build/lint/compile_commands.json")):
    if "/generated/" not in e["file"]: print(e["file"])' | sort -u)
if ! printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy-16 -p build/lint --quiet >build/lint/tidy.log 2>&1; then
  grep -E "error:" -A3 build/lint/tidy.log || tail -50 build/lint/tidy.log
  echo "lint: clang-tidy found problems (build/lint/tidy.log)"
  status=1
fi
exit $status
