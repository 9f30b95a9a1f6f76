#!/usr/bin/env bash
# Figures for the plugins that deploy today, against the local emulator:
# wall time, AWS requests (all, and mutating) and effective concurrency of
# deploy, plan, a second deploy and destroy, over N rounds (default 3).
# Requests and concurrency come from the counting proxy between stackhost
# and the emulator, not from stackhost. Concurrency is the sum of the
# requests' times in the proxy over the proxy's span of the step (first
# request's start to last request's end): the mean number of requests in
# flight, 1.0 for a client that sends one request at a time and never
# idles. "median s" is the step's own wall time (the whole stackhost run).
#
# LATENCY_MS (default 0) is added by the proxy to every request, as a
# distant endpoint would: with it the timed rounds go through the proxy,
# and a client that overlaps its requests shows it in both columns.
# With 0 the timed rounds talk to the emulator directly and one untimed
# round 0 through the proxy gives the requests and the concurrency.
# The emulator answers at once (NAT gateways are available immediately):
# at 0 these are stackhost's own costs, not AWS's provisioning times.
# Medians over the rounds for every column.
# usage: scripts/bench.sh [BUILD_DIR] [ROUNDS] [LATENCY_MS]
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
latency=${3:-0}
cd "$(dirname "$0")/.."
root=$PWD
sh=$root/$build/stackhost
. "$root/tests/e2e/lib.sh"
e2e_start
export CATALOG_DB_URL=${CATALOG_DB_URL:-postgres://catalog:stand-in@db.invalid:5432/catalog}
e2e_start_proxy "$latency"
only=$("$sh" plugins --json | python3 -c \
    'import json,sys; print(",".join(p["name"] for p in json.load(sys.stdin) if p["can"] == "deploy, destroy"))')
echo "plugins: $only; environment prod (one NAT gateway per zone); $rounds rounds; ${latency} ms added per request"
printf '%-10s %10s %10s %10s %12s\n' step "median s" requests mutating concurrency
declare -A times reqs muts conc
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
first=1
[ "$latency" = 0 ] && first=0
for r in $(seq "$first" "$rounds"); do
    e2e_reset
    # moto rebuilds a region's EC2 backend on its first call after a reset
    # (about 2 s): pay that before timing.
    awscli ec2 describe-availability-zones >/dev/null
    endpoint=$proxy_url
    [ "$latency" = 0 ] && [ "$r" != 0 ] && endpoint=$AWS_ENDPOINT_URL
    for step in deploy plan redeploy destroy; do
        cmd=$step
        [ "$step" = redeploy ] && cmd=deploy
        : >"$proxy_log"
        : >"$proxy_json"
        start=$EPOCHREALTIME
        AWS_ENDPOINT_URL=$endpoint "$sh" -q -c examples/catalog.cfg -e prod --only "$only" $cmd >/dev/null ||
            echo "bench: $step failed in round $r" >&2
        end=$EPOCHREALTIME
        [ "$r" != 0 ] && times[$step]="${times[$step]:-} $(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')"
        if [ "$endpoint" = "$proxy_url" ]; then
            reqs[$step]="${reqs[$step]:-} $(wc -l <"$proxy_log")"
            muts[$step]="${muts[$step]:-} $(proxy_mutations | wc -l)"
            conc[$step]="${conc[$step]:-} $(proxy_concurrency | sed 's/.*concurrency=//')"
        fi
    done
done
for step in deploy plan redeploy destroy; do
    printf '%-10s %10.3f %10s %10s %12s\n' "$step" "$(median "${times[$step]}")" "$(median "${reqs[$step]}")" \
        "$(median "${muts[$step]}")" "$(median "${conc[$step]}")"
done
