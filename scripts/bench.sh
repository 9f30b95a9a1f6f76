#!/usr/bin/env bash
# Figures for the plugins that deploy today, against the local emulator:
# wall time and AWS requests (all, and mutating) of deploy, plan, a second
# deploy and destroy, over N rounds (default 3). Counts come from the
# counting proxy between stackhost and the emulator, not from stackhost.
# The emulator answers at once (NAT gateways are available immediately):
# these are stackhost's own costs, not AWS's provisioning times.
# usage: scripts/bench.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
cd "$(dirname "$0")/.."
root=$PWD
sh=$root/$build/stackhost
. "$root/tests/e2e/lib.sh"
e2e_start
e2e_start_proxy
only=$("$sh" plugins --json | python3 -c \
    'import json,sys; print(",".join(p["name"] for p in json.load(sys.stdin) if p["can"] == "deploy, destroy"))')
echo "plugins: $only; environment prod (one NAT gateway per zone); $rounds rounds"
printf '%-14s %10s %10s %10s\n' step "median s" requests mutating
declare -A times reqs muts
# Round 0 goes through the counting proxy for the request counts; the
# timed rounds talk to the emulator directly (the proxy costs ~50 ms a
# request).
for r in $(seq 0 "$rounds"); do
    e2e_reset
    # moto rebuilds a region's EC2 backend on its first call after a reset
    # (about 2 s): pay that before timing.
    awscli ec2 describe-availability-zones >/dev/null
    endpoint=$AWS_ENDPOINT_URL
    [ "$r" = 0 ] && endpoint=$proxy_url
    for step in deploy plan redeploy destroy; do
        cmd=$step
        [ "$step" = redeploy ] && cmd=deploy
        : >"$proxy_log"
        start=$EPOCHREALTIME
        AWS_ENDPOINT_URL=$endpoint "$sh" -q -c examples/catalog.cfg -e prod --only "$only" $cmd >/dev/null || true
        end=$EPOCHREALTIME
        if [ "$r" = 0 ]; then
            reqs[$step]=$(wc -l <"$proxy_log")
            muts[$step]=$(proxy_mutations | wc -l)
        else
            times[$step]="${times[$step]:-} $(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
        fi
    done
done
for step in deploy plan redeploy destroy; do
    median=$(tr ' ' '\n' <<<"${times[$step]}" | grep . | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-14s %10.3f %10s %10s\n' "$step" "$median" "${reqs[$step]}" "${muts[$step]}"
done
