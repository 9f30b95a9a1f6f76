#!/usr/bin/env bash
# The main job, against the local AWS emulator (moto's server on
# 127.0.0.1, installed into .venv and stopped at the end): say what the
# stack will cost a month, deploy the catalog stack as on a real account's
# first deploy (deploy, which stops before rolling the service out because
# its image is not pushed yet; the push; deploy again, which waits for the
# rollout), show its outputs, show that a second plan has no changes,
# destroy it, show that nothing is left.
# moto never starts a task: tests/e2e/count_proxy.py stands between
# stackhost and moto and plays ECS's rollouts (in progress, then completed
# with healthy targets). A plugin that cannot deploy yet would be validated
# and left out (--only the others).
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
    'import json,sys; print(",".join(p["name"] for p in json.load(sys.stdin)["plugins"] if p["can"] == ["deploy", "destroy"]))')
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
e2e_start_fault_proxy --rollout 2
echo
echo "== the local emulator: $AWS_ENDPOINT_URL, ECS rollouts played by $proxy_url (plugins that deploy: $deployable)"
run() {
    echo
    echo "== stackhost -c $cfg -e $env ${only[*]:+${only[*]} }$*"
    AWS_ENDPOINT_URL=$proxy_url "$sh" -c $cfg -e $env "${only[@]}" "$@"
}
echo
echo "== what it will cost a month, before anything is made (no account asked)"
"$sh" -c $cfg -e $env "${only[@]}" cost | tail -n 2
set +e
run --auto-approve deploy
rc=$?
set -e
[ "$rc" = 1 ] || { echo "the first deploy should stop before the service: its image is not pushed (exit $rc)" >&2; exit 1; }
repo=$("$sh" -c $cfg -e $env validate --json | python3 -c '
import json, sys
e = json.load(sys.stdin)["environments"][0]
print("ecr-%s-%s" % (e["stack"], e["suffix"]))')
tag=$(sed -n 's/^ *image_tag = "\(.*\)";.*/\1/p' $cfg | head -n 1)
echo
echo "== the push that error asks for (here aws ecr put-image stands in for docker push): $repo:$tag"
e2e_push_image "$repo" "$tag"
run --auto-approve deploy
run outputs
set +e
run plan --detailed-exitcode
rc=$?
set -e
[ "$rc" = 0 ] || { echo "a second plan found changes (exit $rc)" >&2; exit 1; }
run --auto-approve destroy
echo
echo "== what the stack left in the account (read with boto3, not stackhost)"
read -r stack suffix < <("$sh" -c $cfg -e $env validate --json |
    python3 -c 'import json,sys; e=json.load(sys.stdin)["environments"][0]; print(e["stack"], e["suffix"])')
"$venv/bin/python" "$root/tests/e2e/check_leftovers.py" "$stack" "$suffix"
echo
echo "== done: deployed, read back, planned with no changes, destroyed, nothing left"
