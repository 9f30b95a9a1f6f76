#!/usr/bin/env bash
# The network plugin against what AWS does and the emulator does not,
# through the fault-injecting proxy (count_proxy.py), checked with boto3
# straight against the emulator:
#   faults  SEEDS...  5 % throttling, 5 % 5xx, 5 % connections dropped
#                     before and 5 % after forwarding: deploy, exact counts,
#                     plan clean, destroy through the same faults; then a
#                     fault that persists fails clearly and the next run converges
#   consistency       every new EC2 id unknown for 2 s; NAT gateways pending
#                     for a while: deploy, plan, destroy; a rerun after a kill
#                     waits for pending NAT gateways
# usage: test_network_faults.sh STACKHOST SOURCE_DIR faults SEED... | consistency
set -u
bin=$1 src=$2 part=$3
shift 3
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_fault_proxy
# Backoff scaled down: the faults are many, the waits are the point only in count.
export STACKHOST_RETRY_BASE_MS=100
# a run that is killed holds a 3 s lease (its value says so), which the next run takes over
# once it expires; the others keep the default, robust under valgrind
killed_lease=(env STACKHOST_LEASE_SECONDS=3)
cfg=$tmp/network.cfg
cat >"$cfg" <<CFG
stack = { name = "catalog"; region = "us-east-1"; tags = { CostCenter = "retail-catalog"; }; };
plugins = { network = { cidr = "10.0.0.0/16"; }; };
environments = { prod = {}; dev = {}; };
CFG
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e prod "$@"; }
direct() { run -c "$cfg" -e prod "$@"; }
no_faults='{"throttle": 0, "errors": 0, "drop_before": 0, "drop_after": 0, "unknown_ids": 0, "nat_pending": 0}'

if [ "$part" = faults ]; then
    for seed in "$@"; do
        e2e_reset
        proxy_set "{\"seed\": $seed, \"throttle\": 0.05, \"errors\": 0.05, \"drop_before\": 0.05, \"drop_after\": 0.05}" >/dev/null
        until_converged sh --auto-approve deploy
        expect_rc 0 "deploy through faults, seed $seed"
        expect_network "the network after a deploy through faults, seed $seed" catalog prod 3
        direct plan --detailed-exitcode
        expect_rc 0 "plan straight to the emulator after a deploy through faults, seed $seed"
        until_converged sh --auto-approve destroy
        expect_rc 0 "destroy through faults, seed $seed"
        expect_network "leftovers after a destroy through faults, seed $seed" --gone catalog prod
        faults=$(proxy_faults)
        checks=$((checks + 1))
        [ "$faults" -gt 0 ] || fail "seed $seed injected no fault"
    done
    # A fault that persists: the error says what, with the request id and attempts; the next run converges.
    e2e_reset
    proxy_set '{"throttle": 1}' >/dev/null
    sh --auto-approve deploy
    expect_rc 1 "deploy while every request is throttled"
    expect_err "sts GetCallerIdentity: Throttling: Rate exceeded (http 400, request id " "the persisting fault's error"
    expect_err "5 attempts)" "the attempts made"
    proxy_set "$no_faults" >/dev/null
    sh --auto-approve deploy
    expect_rc 0 "deploy once the fault is gone"
    expect_network "the network once the fault is gone" catalog prod 3
    checks_done
    exit
fi

# consistency: new ids unknown for 2 s, NAT gateways pending for 8 s (long
# enough to be seen pending under valgrind too)
proxy_set '{"unknown_ids": 2, "nat_pending": 8}' >/dev/null
sh --auto-approve deploy
expect_rc 0 "deploy while new ids are unknown for 2 s"
expect_err "waiting for nat gateways" "deploy waited for pending nat gateways"
expect_network "the network after a deploy under eventual consistency" catalog prod 3
sh plan --detailed-exitcode
expect_rc 0 "plan under eventual consistency"
sh --auto-approve destroy
expect_rc 0 "destroy while new ids are unknown"
expect_network "leftovers after a destroy under eventual consistency" --gone catalog prod

# a deploy killed once its NAT gateways exist (pending for 20 s): the rerun waits until they are available
e2e_reset
proxy_set '{"unknown_ids": 0, "nat_pending": 20}' >/dev/null
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url "${killed_lease[@]}" "${wrap[@]}" "$bin" -q -c "$cfg" -e prod --auto-approve deploy \
    >/dev/null 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null && [ "$(grep -c CreateNatGateway "$proxy_log")" -lt 3 ]; do sleep 0.05; done
sleep 0.5
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
sh --auto-approve deploy
expect_rc 0 "deploy after a kill with nat gateways pending"
states=$("$venv/bin/aws" --endpoint-url "$proxy_url" --region "$AWS_REGION" --output json ec2 describe-nat-gateways |
    json '" ".join(sorted(set(n["State"] for n in d["NatGateways"])))')
expect_equal "available" "$states" "the nat gateways when the rerun returned (as the proxy answers them)"
expect_network "the network after the rerun" catalog prod 3

# a nat gateway that could not be made reads failed: deploy says why; the next deletes it and makes it again
e2e_reset
proxy_set '{"nat_pending": 0, "nat_failed": 1}' >/dev/null
sh --auto-approve deploy
expect_rc 1 "deploy with a nat gateway that failed"
expect_err "is failed: Subnet has insufficient free addresses to create this NAT gateway" "the failure's reason"
: >"$proxy_json"
sh --auto-approve deploy
expect_rc 0 "deploy after a failed nat gateway"
deleted=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["operation"] == "DeleteNatGateway" and json.loads(l).get("fault") == "nat-failed"))' "$proxy_json")
expect_equal "1" "$deleted" "the failed nat gateway deleted"
expect_network "the network after making the failed nat gateway again" catalog prod 3

# a zone that is not available is not picked (zone ids: az1 us-east-1b impaired, then az2 c, az3 e, az4 d)
proxy_set '{"nat_pending": 0, "zones_impaired": "us-east-1b"}' >/dev/null
# (dev with one nat gateway: prod's three addresses leave room for one more, not three)
sed 's|environments = { prod = {}; dev = {}; };|environments = { prod = {}; dev = { plugins = { network = { nat_per_az = false; }; }; }; };|' \
    "$cfg" >"$tmp/dev1.cfg"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/dev1.cfg" -e dev plan --detailed-exitcode
expect_rc 3 "plan with a zone impaired"
expect_out "subnet subnet-catalog-public-a-dev (10.0.0.0/24 in us-east-1c)" "an impaired zone is skipped (a)"
expect_out "subnet subnet-catalog-public-b-dev (10.0.1.0/24 in us-east-1e)" "an impaired zone is skipped (b)"
expect_out "subnet subnet-catalog-public-c-dev (10.0.2.0/24 in us-east-1d)" "an impaired zone is skipped (c)"
proxy_set '{"zones_impaired": ""}' >/dev/null

# rules are added before the extra ones are revoked: the group never has fewer than it needs
sed 's|cidr = "10.0.0.0/16"; }|cidr = "10.0.0.0/16"; alb_ports = [8443]; }|' "$cfg" >"$tmp/ports.cfg"
: >"$proxy_json"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/ports.cfg" -e prod --auto-approve deploy
expect_rc 0 "deploy with other load balancer ports"
order=$(python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
add = [l["end"] for l in lines if l["operation"] == "AuthorizeSecurityGroupIngress"]
revoke = [l["start"] for l in lines if l["operation"] == "RevokeSecurityGroupIngress"]
print("ok" if add and revoke and max(add) < min(revoke) else f"authorize ended {add}, revoke started {revoke}")' "$proxy_json")
expect_equal "ok" "$order" "authorize before revoke"

# destroy: the gateway's detach is refused while addresses are still mapped; destroy waits it out
proxy_set '{"nat_pending": 0, "mapped_addresses": 3}' >/dev/null
sh --auto-approve destroy
expect_rc 0 "destroy while the gateway's detach is refused for 3 s"
expect_network "leftovers after that destroy" --gone catalog prod

# nat gateways of a long stack name made in the same second: their idempotency tokens differ
proxy_set '{"mapped_addresses": 0, "client_tokens": true}' >/dev/null
long=catalog-of-the-retail-department-eu-north
sed "s|name = \"catalog\"|name = \"$long\"|" "$cfg" >"$tmp/long.cfg"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/long.cfg" -e prod --auto-approve deploy
expect_rc 0 "deploy a stack with a long name, with aws's client tokens"
expect_network "the long-named stack's network" "$long" prod 3
checks_done
