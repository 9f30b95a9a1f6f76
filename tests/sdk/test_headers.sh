#!/usr/bin/env bash
# Every SDK header compiles alone, as C11 and as C++17, with every warning
# an error and -pedantic: a plugin may include any one of them first.
# usage: test_headers.sh CC CXX INCLUDE_DIR GENERATED_INCLUDE_DIR
set -u
cc=$1 cxx=$2 inc=$3 gen=$4
failures=0 checks=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for h in "$inc"/stackhost/*.h "$gen"/stackhost/*.h; do
    name=$(basename "$h")
    # (the declaration after it: ISO C forbids an empty translation unit)
    printf '#include <stackhost/%s>\ntypedef int header_check_;\n' "$name" >"$tmp/one.h.c"
    for lang in c c++; do
        checks=$((checks + 1))
        if [ $lang = c ]; then
            cmd=("$cc" -std=c11)
        else
            cmd=("$cxx" -std=c++17)
        fi
        if ! "${cmd[@]}" -Wall -Wextra -Werror -pedantic -fsyntax-only -I"$inc" -I"$gen" -x $lang "$tmp/one.h.c" \
            >"$tmp/log" 2>&1; then
            failures=$((failures + 1))
            echo "FAIL: stackhost/$name alone as $lang"
            cat "$tmp/log"
        fi
    done
done
echo "$checks checks, $failures failed"
[ "$checks" -gt 0 ] && [ "$failures" = 0 ]
