#!/usr/bin/env bash
# The whole catalog stack when things go wrong, checked with boto3:
#   kill       kill -9 of deploy once the first, a middle (lb) and the last
#              plugin (observability) have started, each followed by a deploy
#              that converges to exactly one of everything; a destroy right
#              after a killed deploy leaves nothing; a killed destroy
#              finished by the next; SIGINT and SIGTERM during deploy finish
#              the requests in flight, say what was not done, exit 1, and the
#              next deploy finishes the job
#   faults S…  deploy and destroy through throttling, 5xx and connections
#              dropped before and after forwarding, seed by seed, leaving
#              exactly one of each resource and then nothing; a fault that
#              persists fails the run with the error and the next run converges
# usage: test_stack_faults.sh STACKHOST SOURCE_DIR kill | faults SEED...
set -u
bin=$1 src=$2 mode=$3
shift 3
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
# Latency spreads a deploy over a few seconds, so a kill lands where aimed.
e2e_start_proxy 10
export STACKHOST_RETRY_BASE_MS=100
# a run that is killed holds a 3 s lease (its value says so), which the next run takes over
# once it expires; the others keep the default, robust under valgrind
killed_lease=(env STACKHOST_LEASE_SECONDS=3)
export CATALOG_DB_URL=postgres://catalog:stand-in@db.invalid:5432/catalog
cfg=$src/examples/catalog.cfg
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev "$@"; }
direct() { run -c "$cfg" -e dev "$@"; }

# scaling_orphans: the pairs of target tracking alarms moto kept in the
# deploy logged in $proxy_json: each PutScalingPolicy that reached it beyond
# the first (the host sends a put again when its answer was dropped; moto
# then makes a new pair and keeps the old, where AWS replaces it).
scaling_orphans() {
    python3 - "$proxy_json" <<'PY'
import json, sys
puts = [r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if r["operation"] == "PutScalingPolicy"]
print(max(0, sum(r.get("fault") in (None, "drop-after") for r in puts) - 1))
PY
}

expect_stack() {
    local what=$1 orphans=${2:-0}
    expect_checker "$what: network" check_network catalog dev 1
    expect_checker "$what: registry" check_registry catalog dev 5 IMMUTABLE
    expect_checker "$what: secrets" check_secrets catalog dev
    expect_checker "$what: lb" check_lb catalog dev
    expect_checker "$what: compute" check_compute catalog dev 1.0.0 2 1
    expect_checker "$what: scaling" check_scaling --orphan-pairs "$orphans" catalog dev 2 10 70
    expect_checker "$what: observability" check_observability catalog dev --notify catalog-oncall@example.com \
        --cpu 80 --min-healthy 2
}

# start_run COMMAND: the command in the background through the proxy; pid in $pid.
start_run() {
    : >"$proxy_log"
    AWS_ENDPOINT_URL=$proxy_url "${killed_lease[@]}" "${wrap[@]}" "$bin" -c "$cfg" -e dev --auto-approve "$1" \
        >"$tmp/bg.out" 2>"$tmp/bg.err" &
    pid=$!
}

# signal_when PATTERN SIGNAL: once the proxy has logged a request matching
# PATTERN (an extended regex over "service operation" lines), sends SIGNAL.
signal_when() {
    while kill -0 "$pid" 2>/dev/null && ! grep -qE "$1" "$proxy_log"; do sleep 0.01; done
    kill "-$2" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    out=$(cat "$tmp/bg.out")
    err=$(cat "$tmp/bg.err")
}

if [ "$mode" = kill ]; then
    # the image first: deploy rolls out nothing else (made again after each destroy)
    e2e_image "$cfg" dev
    # the first plugin (network), a middle one (lb), the last one (observability)
    for point in '^ec2 Create' '^elasticloadbalancing Create' '^(sns|monitoring|kms) [A-Z]'; do
        start_run deploy
        signal_when "$point" KILL
        killed=$rc
        sh --auto-approve deploy
        expect_rc 0 "deploy after a kill at '$point'"
        # (a redeploy may end before it sends what the point names: then nothing was killed)
        [ "$killed" != 137 ] ||
            expect_err "its run is gone; taking it over" "the killed run's lease taken over once expired, kill at '$point'"
        expect_stack "the stack after a kill at '$point'"
    done
    # destroy right after a killed deploy leaves nothing
    sh --auto-approve destroy
    expect_rc 0 "destroy of the converged stack"
    e2e_image "$cfg" dev
    start_run deploy
    signal_when '^elasticloadbalancing Create' KILL
    sh --auto-approve destroy
    expect_rc 0 "destroy after a killed deploy"
    expect_checker "leftovers of a killed deploy after destroy" check_leftovers catalog dev --quiet
    e2e_image "$cfg" dev
    sh --auto-approve deploy
    expect_rc 0 "deploy again"

    # a killed destroy, finished by the next
    start_run destroy
    signal_when '^ecs Delete' KILL
    sh --auto-approve destroy
    expect_rc 0 "destroy after a killed destroy"
    expect_checker "leftovers after a killed destroy" check_leftovers catalog dev --quiet

    # SIGINT and SIGTERM: requests in flight finish, what was not done is said, exit 1
    for sig in INT TERM; do
        e2e_image "$cfg" dev
        start_run deploy
        signal_when '^elasticloadbalancing Create' "$sig"
        expect_rc "$((128 + $(kill -l "$sig")))" "deploy stopped by SIG$sig (128 + the signal, as a shell reports it)"
        expect_err "interrupted: run the same command again to finish, or destroy to clean up" "SIG$sig message"
        # every plugin starts at once: those waiting on another's outputs say they were cut short
        expect_err "deploy cut short: interrupted" "SIG$sig names what was not done"
        expect_equal "" "$(awscli ssm get-parameters-by-path --path /stackhost/lease --recursive |
            json '" ".join(p["Name"] for p in d["Parameters"])')" "the lease released on SIG$sig"
        sh --auto-approve deploy
        expect_rc 0 "deploy after SIG$sig"
        expect_stack "the stack after SIG$sig"
        sh --auto-approve destroy
        expect_rc 0 "destroy after SIG$sig"
        expect_checker "leftovers after SIG$sig" check_leftovers catalog dev --quiet
    done
else
    for seed in "$@"; do
        e2e_reset
        e2e_image "$cfg" dev
        proxy_set "{\"seed\": $seed, \"latency_ms\": 0, \"throttle\": 0.05, \"errors\": 0.05, \"drop_before\": 0.03, \"drop_after\": 0.03}" >/dev/null
        : >"$proxy_json"
        until_converged sh --auto-approve deploy
        expect_rc 0 "deploy through faults, seed $seed"
        orphans=$(scaling_orphans)
        expect_stack "the stack after a deploy through faults, seed $seed" "$orphans"
        direct plan --detailed-exitcode
        expect_rc 0 "plan straight to the emulator after faults, seed $seed"
        until_converged sh --auto-approve destroy
        expect_rc 0 "destroy through faults, seed $seed"
        expect_checker "leftovers after a destroy through faults, seed $seed" check_leftovers catalog dev --quiet \
            --orphan-alarms $((2 * orphans))
        faults=$(proxy_faults)
        checks=$((checks + 1))
        [ "$faults" -gt 0 ] || fail "seed $seed injected no fault"
    done
    # a fault that persists: the run fails with the error, the next converges
    e2e_reset
    e2e_image "$cfg" dev
    proxy_set '{"seed": 1, "latency_ms": 0, "throttle": 0, "errors": 1, "drop_before": 0, "drop_after": 0}' >/dev/null
    sh --auto-approve deploy
    expect_rc 1 "deploy while every request fails"
    expect_err "attempts" "the error says how many attempts"
    expect_err "request id" "the error carries the request id"
    proxy_set '{"errors": 0}' >/dev/null
    sh --auto-approve deploy
    expect_rc 0 "deploy once the fault is gone"
    expect_stack "the stack after a persistent fault"
    sh --auto-approve destroy
    expect_rc 0 "destroy after a persistent fault"
fi

checks_done
