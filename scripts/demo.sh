#!/usr/bin/env bash
# The main job, against the local AWS emulator (moto's server on
# 127.0.0.1, installed into .venv and stopped at the end): deploy the
# catalog stack, show its outputs, show that a second plan has no changes,
# destroy it, show that nothing is left. A plugin that cannot deploy yet
# would be validated and left out (--only the others).
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
root=$PWD
sh=$root/$build/stackhost
cfg=examples/catalog.cfg
env=dev

echo "== the plugins found"
"$sh" plugins
echo
echo "== $sh -c $cfg validate (every environment)"
"$sh" -c $cfg validate

deployable=$("$sh" plugins --json | python3 -c \
    'import json,sys; print(",".join(p["name"] for p in json.load(sys.stdin) if p["can"] == "deploy, destroy"))')
if [ -z "$deployable" ]; then
    echo "no plugin does its AWS work yet: nothing to deploy" >&2
    exit 1
fi
# Every plugin of the stack deploys: no --only. Otherwise the ones that do.
wanted=$("$sh" -c $cfg -e $env validate --json | python3 -c \
    'import json,sys; print(",".join(sorted(json.load(sys.stdin)["environments"][0]["order"])))')
only=()
[ "$(tr , '\n' <<<"$deployable" | sort | paste -sd,)" = "$wanted" ] || only=(--only "$deployable")

. "$root/tests/e2e/lib.sh"
e2e_start
# examples/catalog.cfg takes the database's connection string from this
# variable (secrets never live in the file); the emulator gets a stand-in.
export CATALOG_DB_URL=${CATALOG_DB_URL:-postgres://catalog:stand-in@db.invalid:5432/catalog}
echo
echo "== the local emulator: $AWS_ENDPOINT_URL (plugins that deploy: $deployable)"
run() {
    echo
    echo "== stackhost -c $cfg -e $env ${only[*]:+${only[*]} }$*"
    "$sh" -c $cfg -e $env "${only[@]}" "$@"
}
run deploy
run outputs
set +e
run plan
rc=$?
set -e
[ "$rc" = 0 ] || { echo "a second plan found changes (exit $rc)" >&2; exit 1; }
run destroy
echo
echo "== what the stack left in the account (read with boto3, not stackhost)"
read -r stack suffix < <("$sh" -c $cfg -e $env validate --json |
    python3 -c 'import json,sys; e=json.load(sys.stdin)["environments"][0]; print(e["stack"], e["suffix"])')
"$venv/bin/python" "$root/tests/e2e/check_leftovers.py" "$stack" "$suffix"
echo
echo "== done: deployed, read back, planned with no changes, destroyed, nothing left"
