#!/usr/bin/env bash
# The scaling plugin end to end against moto's server, with the stack it
# needs (network, registry, secrets, lb, compute), checked with boto3
# (check_scaling.py) and the AWS CLI, never with stackhost's reading: the
# scalable target 2..10 and the CPU policy with every field; plan after
# deploy without changes; a redeploy that sends no mutating request; max 12
# and cpu_target 60, each applied by its one request; a memory policy
# added, then removed; a desired count set by hand that survives a
# redeploy; scaling disabled in an environment (its target and policies
# removed by that deploy, the service left with its count); destroy, twice;
# a foreign service's target left alone.
# With "faults": the target and policy removed and made again through the
# fault proxy, once per seed (throttling, 5xx, connections dropped before
# and after forwarding): one target, one policy, no pile of alarm pairs.
# usage: test_scaling.sh STACKHOST SOURCE_DIR [faults SEED...]
set -u
bin=$1 src=$2 part=${3:-main}
seeds=${*:4}
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_fault_proxy
export STACKHOST_RETRY_BASE_MS=100
export CATALOG_DB_URL="postgres://catalog:scaling-$RANDOM$RANDOM@db.internal:5432/catalog"
only=network,registry,secrets,lb,compute,scaling

# scaling_config FILE SCALING_SETTINGS: the stack, scaling with these settings;
# environment noscale is dev (same suffix) with scaling disabled.
scaling_config() {
    catalog_environments='dev = {}; noscale = { suffix = "dev"; disable = ["scaling"]; };' \
        catalog_cfg "$1" network registry secrets lb compute "scaling = { $2 };"
}
cfg=$tmp/scaling.cfg
scaling_config "$cfg" ""
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev --only "$only" "$@"; }
direct() { run -c "$cfg" -e dev --only "$only" "$@"; }
noscale() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e noscale --only "$only" "$@"; }
with() { # with SCALING_SETTINGS ARGS...: a run with other scaling settings
    local settings=$1
    shift
    scaling_config "$tmp/with.cfg" "$settings"
    AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/with.cfg" -e dev --only "$only" "$@"
}
e2e_image "$cfg" dev
target="scalable target service/cluster-catalog-dev/svc-catalog-dev"
cpu_policy="scaling policy scaling-catalog-cpu-dev"
memory_policy="scaling policy scaling-catalog-memory-dev"
# moto keeps the alarm pair of a policy put again (AWS replaces it): how many this test made so far
orphans=0

# puts_seen: "REACHED LOST" for the PutScalingPolicy requests in the proxy's
# JSON log: how many reached moto (forwarded, answered or not), and how many
# of those had their answer dropped after moto acted.
puts_seen() {
    python3 - "$proxy_json" <<'PY'
import json, sys
puts = [r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if r["operation"] == "PutScalingPolicy"]
print(sum(r.get("fault") in (None, "drop-after") for r in puts), sum(r.get("fault") == "drop-after" for r in puts))
PY
}
# faults_seen: how many faults the proxy's JSON log shows, and how many of them hit application auto scaling.
faults_seen() {
    python3 - "$proxy_json" <<'PY'
import json, sys
hit = [r for r in (json.loads(l) for l in open(sys.argv[1]) if l.strip()) if r.get("fault")]
print(len(hit), sum(r["service"] == "application-autoscaling" for r in hit))
PY
}

if [ "$part" = faults ]; then
    rates='"throttle": 0.05, "errors": 0.05, "drop_before": 0.05, "drop_after": 0.05'
    sh --auto-approve deploy
    expect_rc 0 "deploy before the faults"
    expect_checker "scaling before the faults" check_scaling catalog dev 2 10 70
    for seed in ${seeds:-1 2 3}; do
        # removed (scaling disabled: its destroy), then made again, both through faults
        : >"$proxy_json"
        proxy_set "{\"seed\": $seed, $rates}" >/dev/null
        until_converged noscale --auto-approve deploy
        expect_rc 0 "scaling removed through faults, seed $seed"
        expect_checker "scaling removed through faults, seed $seed" \
            check_scaling --gone --orphan-pairs $orphans catalog dev
        read -r injected on_scaling <<<"$(faults_seen)"
        : >"$proxy_json"
        until_converged sh --auto-approve deploy
        expect_rc 0 "scaling made through faults, seed $seed"
        read -r reached lost <<<"$(puts_seen)"
        # one put, and the host's one more for each answer dropped after moto
        # acted (moto keeps a pair of alarms for each; AWS replaces them)
        checks=$((checks + 1))
        [ "$reached" -ge 1 ] && [ $((reached - 1)) -le "$lost" ] ||
            fail "seed $seed: $reached PutScalingPolicy reached moto with $lost answers lost: a policy put again"
        orphans=$((orphans + reached - 1))
        expect_checker "scaling made through faults, seed $seed" \
            check_scaling --orphan-pairs $orphans catalog dev 2 10 70
        read -r more more_on_scaling <<<"$(faults_seen)"
        injected=$((injected + more)) on_scaling=$((on_scaling + more_on_scaling))
        proxy_set '{"throttle": 0, "errors": 0, "drop_before": 0, "drop_after": 0}' >/dev/null
        direct plan --detailed-exitcode
        expect_rc 0 "plan straight to the emulator after faults, seed $seed"
        checks=$((checks + 1))
        [ "$injected" -gt 0 ] || fail "seed $seed injected no fault"
        echo "seed $seed: $injected faults injected ($on_scaling on application auto scaling)," \
            "$reached PutScalingPolicy reached moto" >&2
    done
    sh --auto-approve destroy
    expect_rc 0 "destroy after the faults"
    expect_checker "scaling after destroy" check_scaling --gone --orphan-pairs $orphans catalog dev
    checks_done
    exit
fi

# --- bad settings: errors at their keys before any request
: >"$proxy_log"
with "min = 0;" plan --detailed-exitcode
expect_rc 2 "min 0"
expect_err "plugins.scaling.min: 0 is out of range: use 1 to 1000" "min 0 refused"
with "min = 11; memory_target = 5;" plan --detailed-exitcode
expect_rc 2 "min above max, memory_target 5"
expect_err "plugins.scaling.min: min 11 is above max 10" "min above max refused"
expect_err "plugins.scaling.memory_target: memory_target 5: a target from 10 to 90 percent, or 0 for no memory policy" \
    "memory_target 5 refused"
expect_equal "" "$(cat "$proxy_log")" "requests with bad settings"

# --- plan before anything exists: creates, nothing sent that changes anything
: >"$proxy_log"
sh plan --detailed-exitcode
expect_rc 3 "plan before the first deploy"
expect_out "+   create    $target (min 2, max 10)" "plan creates the target"
expect_out "+   create    $cpu_policy (ECSServiceAverageCPUUtilization at 70%, scale-out cooldown 60 s, scale-in cooldown 300 s)" \
    "plan creates the cpu policy"
expect_no "$memory_policy" "no memory policy without memory_target"
expect_equal "" "$(proxy_mutations)" "mutating requests of a plan"

# --- deploy: the target, the policy, the outputs
sh --auto-approve deploy
expect_rc 0 "deploy"
expect_out "scaling.scalable_target_resource_id = service/cluster-catalog-dev/svc-catalog-dev" "resource id output"
expect_out "scaling.policy_names = scaling-catalog-cpu-dev" "policy names output"
expect_out "scaling.min_capacity = 2" "min output"
expect_out "scaling.max_capacity = 10" "max output"
expect_checker "scaling after deploy" check_scaling catalog dev 2 10 70

# --- plan after deploy: no change; a redeploy sends no mutating request
sh plan -v --detailed-exitcode
expect_rc 0 "plan after deploy"
expect_out "=   no change $target" "plan: the target unchanged"
expect_out "=   no change $cpu_policy" "plan: the policy unchanged"
expect_out "no changes: the account matches the configuration" "plan after deploy"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 0 "redeploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a redeploy"
checks=$((checks + 1))
grep -q "application-autoscaling DescribeScalingPolicies" "$proxy_log" || fail "the proxy saw the redeploy"
expect_checker "scaling after a redeploy (no alarm pair added)" check_scaling catalog dev 2 10 70

# --- max 12: exactly that update, by RegisterScalableTarget alone
with "max = 12;" plan -v --detailed-exitcode
expect_rc 3 "plan with max 12"
expect_out "~   update    $target (max 10 -> 12)" "plan shows the max"
expect_out "=   no change $cpu_policy" "plan: the policy unchanged by max"
expect_out "plan: 0 to create, 1 to update, 0 to replace, 0 to delete" "plan: one update"
: >"$proxy_log"
with "max = 12;" --auto-approve deploy
expect_rc 0 "deploy max 12"
expect_equal "application-autoscaling RegisterScalableTarget" "$(proxy_mutations)" "the requests of max 12"
expect_err "update $target (max 10 -> 12)" "max 12 reported"
expect_out "scaling.max_capacity = 12" "max output after max 12"
expect_checker "scaling with max 12" check_scaling catalog dev 2 12 70

# --- scaling in suspended by hand: resumed, by RegisterScalableTarget alone
awscli application-autoscaling register-scalable-target --service-namespace ecs \
    --resource-id service/cluster-catalog-dev/svc-catalog-dev --scalable-dimension ecs:service:DesiredCount \
    --suspended-state DynamicScalingInSuspended=true >/dev/null
with "max = 12;" plan --detailed-exitcode
expect_rc 3 "plan with scaling in suspended"
expect_out "~   update    $target (suspended scale-in -> (none))" "plan resumes scaling"
: >"$proxy_log"
with "max = 12;" --auto-approve deploy
expect_rc 0 "deploy resuming scaling"
expect_equal "application-autoscaling RegisterScalableTarget" "$(proxy_mutations)" "the requests resuming scaling"
expect_checker "scaling resumed" check_scaling catalog dev 2 12 70

# --- cpu_target 60: the policy put again, alone (moto keeps the old alarm pair)
with "max = 12; cpu_target = 60;" plan -v --detailed-exitcode
expect_rc 3 "plan with cpu_target 60"
expect_out "~   update    $cpu_policy (target 70% -> 60%)" "plan shows the target value"
expect_out "=   no change $target" "plan: the target unchanged by cpu_target"
: >"$proxy_log"
with "max = 12; cpu_target = 60;" --auto-approve deploy
expect_rc 0 "deploy cpu_target 60"
expect_equal "application-autoscaling PutScalingPolicy" "$(proxy_mutations)" "the requests of cpu_target 60"
orphans=$((orphans + 1))
expect_checker "scaling with cpu_target 60" check_scaling --orphan-pairs $orphans catalog dev 2 12 60

# --- memory_target 75 adds the memory policy; unset, it is deleted with its alarms
with "max = 12; cpu_target = 60; memory_target = 75;" plan --detailed-exitcode
expect_rc 3 "plan with memory_target"
expect_out "+   create    $memory_policy (ECSServiceAverageMemoryUtilization at 75%" "plan creates the memory policy"
: >"$proxy_log"
with "max = 12; cpu_target = 60; memory_target = 75;" --auto-approve deploy
expect_rc 0 "deploy memory_target 75"
expect_equal "application-autoscaling PutScalingPolicy" "$(proxy_mutations)" "the requests of memory_target 75"
expect_out "scaling.policy_names = scaling-catalog-cpu-dev, scaling-catalog-memory-dev" "both policies in the outputs"
expect_checker "scaling with a memory policy" check_scaling --orphan-pairs $orphans catalog dev 2 12 60 75
with "max = 12; cpu_target = 60;" plan -v --detailed-exitcode
expect_rc 3 "plan without memory_target"
expect_out "-   delete    $memory_policy (memory_target unset)" "plan deletes the memory policy"
: >"$proxy_log"
with "max = 12; cpu_target = 60;" --auto-approve deploy
expect_rc 0 "deploy without memory_target"
expect_equal "application-autoscaling DeleteScalingPolicy" "$(proxy_mutations)" "the requests of removing memory_target"
expect_checker "scaling after the memory policy went" check_scaling --orphan-pairs $orphans catalog dev 2 12 60

# --- a desired count set by hand survives a redeploy: scaling owns it now
service_count() {
    awscli ecs describe-services --cluster cluster-catalog-dev --services svc-catalog-dev |
        json '" ".join(s["status"] + " " + str(s["desiredCount"]) for s in d["services"])'
}
awscli ecs update-service --cluster cluster-catalog-dev --service svc-catalog-dev --desired-count 5 >/dev/null
expect_equal "ACTIVE 5" "$(service_count)" "the desired count set by hand"
: >"$proxy_log"
with "max = 12; cpu_target = 60;" --auto-approve deploy
expect_rc 0 "redeploy after the count changed"
expect_equal "ACTIVE 5" "$(service_count)" "the desired count after a redeploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a redeploy after the count changed"

# --- scaling disabled in an environment: that deploy removes the target and
# policies, and the count is compute's again (scaling declares it owns
# compute.desired_count only while the environment enables it): the plan
# says so, and the service returns to compute.desired_count
noscale plan --detailed-exitcode
expect_rc 3 "plan with scaling disabled"
expect_out "-   delete    $target" "plan deletes the target"
expect_out "-   delete    $cpu_policy" "plan deletes the policy"
expect_out "desired count 5 -> 2" "plan returns the count to compute's"
noscale --auto-approve deploy
expect_rc 0 "deploy with scaling disabled"
expect_err "delete $cpu_policy" "the policy deleted"
expect_err "delete $target" "the target deregistered"
expect_checker "scaling after a deploy that disables it" check_scaling --gone --orphan-pairs $orphans catalog dev
expect_equal "ACTIVE 2" "$(service_count)" "the service and its count after scaling went"

# --- enabled again, then destroy; a second destroy succeeds
sh --auto-approve deploy
expect_rc 0 "deploy with scaling enabled again"
expect_checker "scaling enabled again" check_scaling --orphan-pairs $orphans catalog dev 2 10 70
sh --auto-approve destroy
expect_rc 0 "destroy"
expect_checker "scaling after destroy" check_scaling --gone --orphan-pairs $orphans catalog dev
sh --auto-approve destroy
expect_rc 0 "second destroy"
expect_err "destroy complete" "second destroy"

# --- a foreign service by the stack's name, with a scalable target: destroy leaves both alone
awscli ecs create-cluster --cluster-name cluster-catalog-dev >/dev/null
awscli ecs create-service --cluster cluster-catalog-dev --service-name svc-catalog-dev --desired-count 1 >/dev/null
awscli application-autoscaling register-scalable-target --service-namespace ecs \
    --resource-id service/cluster-catalog-dev/svc-catalog-dev --scalable-dimension ecs:service:DesiredCount \
    --min-capacity 1 --max-capacity 3 >/dev/null
: >"$proxy_log"
sh --auto-approve destroy
expect_rc 0 "destroy with a foreign service"
expect_err "ecs service svc-catalog-dev in cluster cluster-catalog-dev is not this stack's" "the foreign service named"
checks=$((checks + 1))
grep -qE "DeregisterScalableTarget|DeleteScalingPolicy" "$proxy_log" &&
    fail "destroy touched a foreign service's scaling"
targets=$(awscli application-autoscaling describe-scalable-targets --service-namespace ecs | json 'len(d["ScalableTargets"])')
expect_equal "1" "$targets" \
    "the foreign target is still there"

checks_done
