#!/usr/bin/env bash
# The README and docs, executed: every ```sh block of README.md and docs/*.md
# runs as written (tests/docs/run_doc_commands.py), in a copy of the
# example files, with this build's stackhost first on PATH and moto's
# server as AWS. The plugin guide's blocks run word for word in
# tests/sdk/test_installed_sdk.sh, against an installed SDK.
# usage: test_docs.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset

work=$tmp/docs
mkdir -p "$work/bin"
cp -r "$src/examples" "$work/"
# `stackhost` as the reader types it: this build (under the suite's wrapper, e.g. valgrind)
printf '#!/usr/bin/env bash\nexec %s "%s" "$@"\n' "${wrap[*]}" "$bin" >"$work/bin/stackhost"
chmod +x "$work/bin/stackhost"
export PATH="$work/bin:$PATH"
docs=("$src/README.md")
for f in "$src"/docs/*.md; do
    [ "$(basename "$f")" = writing-a-plugin.md ] || docs+=("$f")
done
checks=$((checks + 1))
"$venv/bin/python" "$src/tests/docs/run_doc_commands.py" "$work" "${docs[@]}" >"$tmp/docs.log" 2>&1 ||
    fail "the docs' commands: $(grep -A30 '^FAIL' "$tmp/docs.log")"
cat "$tmp/docs.log"
# the guide: no command outside its ```sh blocks, which test_installed_sdk.sh runs
checks=$((checks + 1))
"$venv/bin/python" "$src/tests/docs/run_doc_commands.py" --list "$work" "$src/docs/writing-a-plugin.md" \
    "$src/examples/hello-plugin/README.md" >"$tmp/guide.log" 2>&1 ||
    fail "the plugin guide: $(grep '^FAIL' "$tmp/guide.log")"
checks_done
