#!/usr/bin/env bash
# kill -9 of the network plugin's deploy at several points (after the
# lookups, in the middle of the creates, near the end), each followed by
# a deploy that must converge to exactly the catalog's network (no
# duplicate: every name is checked to be one resource), and a destroy
# that leaves nothing. Also --trace: the file is JSON with one complete
# event per request the proxy saw. Checked with boto3, through the proxy.
# usage: test_network_kill.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
# Latency spreads a deploy over ~1 s, so the kill lands where aimed.
e2e_start_proxy 20
cfg=$tmp/network.cfg
cat >"$cfg" <<CFG
stack = { name = "catalog"; region = "us-east-1"; tags = { CostCenter = "retail-catalog"; }; };
plugins = { network = { cidr = "10.0.0.0/16"; }; };
environments = { prod = {}; };
CFG
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e prod "$@"; }
# a run that is killed holds a 3 s lease (its value says so), which the next run takes over
# once it expires; the others keep the default, robust under valgrind
killed_lease=(env STACKHOST_LEASE_SECONDS=3)

# --- --trace: one complete "aws" event per request the proxy saw, no secret
: >"$proxy_log"
sh --trace "$tmp/trace.json" plan --detailed-exitcode
events=$(python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
print(sum(1 for e in doc["traceEvents"] if e.get("ph") == "X" and e.get("cat") == "aws"))' "$tmp/trace.json" 2>&1)
expect_equal "$(wc -l <"$proxy_log" | tr -d ' ')" "$events" "trace events against requests the proxy saw"
checks=$((checks + 1))
grep -q "$AWS_SECRET_ACCESS_KEY\"" "$tmp/trace.json" && fail "the trace holds the secret key"

# kill_at N: starts a deploy, kills it with SIGKILL once the proxy has
# seen N requests (or when it ends by itself).
kill_at() {
    : >"$proxy_log"
    AWS_ENDPOINT_URL=$proxy_url "${killed_lease[@]}" "${wrap[@]}" "$bin" -q -c "$cfg" -e prod --auto-approve deploy >/dev/null 2>&1 &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null && [ "$(wc -l <"$proxy_log")" -lt "$1" ]; do sleep 0.005; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
}

for point in 10 25 40; do
    kill_at "$point"
    sh --auto-approve deploy
    expect_rc 0 "deploy after a kill at request $point"
    expect_network "the network after a kill at request $point" catalog prod 3
done
# A kill in the middle of destroy: the next destroy finishes it.
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url "${killed_lease[@]}" "${wrap[@]}" "$bin" -q -c "$cfg" -e prod --auto-approve destroy >/dev/null 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null && [ "$(wc -l <"$proxy_log")" -lt 15 ]; do sleep 0.005; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
sh --auto-approve destroy
expect_rc 0 "destroy after a killed destroy"
expect_network "leftovers after destroy" --gone catalog prod
checks_done
