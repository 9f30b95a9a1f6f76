#!/usr/bin/env bash
# The observability plugin end to end against moto's server, with the
# network, registry, secrets, lb and compute plugins it requires, checked
# with boto3 (check_observability.py) and the AWS CLI, never with
# stackhost's reading.
#   test_observability.sh STACKHOST SOURCE_DIR
#     an alarm window aws refuses, refused before any request; plan before
#     the first deploy; a foreign topic and alarm refused by deploy and left
#     alone by the plugin's destroy; deploy (key, policy, rotation, alias,
#     topic under the key, a subscription, both alarms exactly); plan with
#     no change and a redeploy with no mutating request, an Application
#     Auto Scaling alarm left alone and never published; cpu_alarm 85 = one
#     PutMetricAlarm; an alarm window changed; an address added then
#     removed; encrypt = false (key scheduled, alias gone, topic plain) and
#     back (the same key restored); destroy (only the key is left, pending
#     deletion), twice; a deploy after destroy takes the same key back.
#   test_observability.sh STACKHOST SOURCE_DIR faults SEED...
#     for each seed: the stack deployed with kms, sns and cloudwatch (only
#     those) through the fault proxy (throttling, 5xx, connections dropped
#     before and after forwarding): exactly one key, behind the alias and
#     not pending, one topic, one subscription per address, two alarms;
#     then the plugin switched off through the same faults: nothing left
#     but the key pending deletion.
set -u
bin=$1 src=$2
mode=${3:-main}
seeds=("${@:4}")
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_fault_proxy
export STACKHOST_RETRY_BASE_MS=100
export CATALOG_DB_URL="postgres://catalog:obs-$RANDOM$RANDOM@db.internal:5432/catalog"

write_cfg() { # write_cfg FILE OBSERVABILITY_SECTION
    catalog_cfg "$1" network registry secrets lb compute "observability = { $2 };"
}
cfg=$tmp/obs.cfg
write_cfg "$cfg" 'notify = ["oncall@example.com"];'
write_cfg "$tmp/off.cfg" 'enabled = false; notify = ["oncall@example.com"];'
only=network,registry,secrets,lb,compute,observability
# stackhost goes through the proxy; the checkers talk to moto directly.
sh() { local c=$1; shift; AWS_ENDPOINT_URL=$proxy_url run -c "$c" -e dev --only "$only" "$@"; }
direct() { local c=$1; shift; run -c "$c" -e dev --only "$only" "$@"; }
check() { expect_checker "$1" check_observability "${@:2}"; }
# observability's own mutating requests (the other plugins' are not this test's)
obs_mutations() { proxy_mutations | grep -E '^(kms|sns|monitoring) ' || true; }
topic=arn:aws:sns:us-east-1:123456789012:sns-catalog-alarms-dev
key_id() { awscli kms describe-key --key-id alias/kms-catalog-alarms-dev | json 'd["KeyMetadata"]["KeyId"]'; }

if [ "$mode" = faults ]; then
    # Only observability's services (kms, sns, cloudwatch) go through the
    # proxy: its faults are this plugin's to survive, not the others'.
    obs_faulty() {
        local c=$1
        shift
        # (ecs is moto's own, whose services never finish a rollout: --no-wait)
        AWS_ENDPOINT_URL_KMS=$proxy_url AWS_ENDPOINT_URL_SNS=$proxy_url AWS_ENDPOINT_URL_CLOUDWATCH=$proxy_url \
            run -c "$c" -e dev --only "$only" --no-wait "$@"
    }
    write_cfg "$cfg" 'notify = ["oncall@example.com", "dev@example.com"];'
    write_cfg "$tmp/off.cfg" 'enabled = false; notify = ["oncall@example.com", "dev@example.com"];'
    for seed in "${seeds[@]}"; do
        e2e_reset
        e2e_image "$cfg" dev
        proxy_set "{\"seed\": $seed, \"throttle\": 0.05, \"errors\": 0.05, \"drop_before\": 0.05, \"drop_after\": 0.05}" >/dev/null
        : >"$proxy_json"
        until_converged obs_faulty "$cfg" --auto-approve deploy
        expect_rc 0 "deploy through faults, seed $seed"
        check "observability after a deploy through faults, seed $seed" catalog dev \
            --notify oncall@example.com,dev@example.com
        direct "$cfg" plan --detailed-exitcode
        expect_rc 0 "plan straight to the emulator after a deploy through faults, seed $seed"
        # the plugin switched off: its destroy, through the same faults
        until_converged obs_faulty "$tmp/off.cfg" --auto-approve deploy
        expect_rc 0 "observability removed through faults, seed $seed"
        check "leftovers after removing observability through faults, seed $seed" --gone catalog dev
        checks=$((checks + 1))
        [ "$(proxy_faults)" -gt 0 ] || fail "seed $seed injected no fault"
        proxy_set '{"throttle": 0, "errors": 0, "drop_before": 0, "drop_after": 0}' >/dev/null
    done
    checks_done
    exit
fi

# --- an alarm window aws refuses: a configuration error before any request
write_cfg "$tmp/bad.cfg" 'cpu_alarm_evaluation_periods = 2; cpu_alarm_datapoints = 3; healthy_alarm_period = 90;'
: >"$proxy_log"
sh "$tmp/bad.cfg" plan --detailed-exitcode
expect_rc 2 "datapoints above the evaluation periods, a period not a multiple of 60"
expect_err "3 datapoints out of 2 evaluation periods: at most cpu_alarm_evaluation_periods" "the datapoints error"
expect_err "90 is not a multiple of 60" "the period error"
expect_equal "" "$(cat "$proxy_log")" "requests with a bad alarm window"

# --- plan before the first deploy: creates, the required plugins' outputs absent
sh "$cfg" plan --detailed-exitcode
expect_rc 3 "plan before the first deploy"
expect_out "+   create    kms key alias/kms-catalog-alarms-dev" "plan: the key"
expect_out "+   create    sns topic sns-catalog-alarms-dev" "plan: the topic"
expect_out "+   create    email subscription oncall@example.com to sns-catalog-alarms-dev" "plan: the subscription"
expect_out "+   create    cloudwatch alarm alarm-catalog-cpu-high-dev" "plan: the cpu alarm"
expect_out "+   create    cloudwatch alarm alarm-catalog-healthy-tasks-low-dev" "plan: the healthy-task alarm"

e2e_image "$cfg" dev

# --- a topic and an alarm with our names, not ours: deploy refuses, touching neither; the plugin's destroy leaves them
awscli sns create-topic --name sns-catalog-alarms-dev >/dev/null
awscli cloudwatch put-metric-alarm --alarm-name alarm-catalog-cpu-high-dev --namespace Other --metric-name Other \
    --statistic Sum --period 300 --evaluation-periods 1 --threshold 1 --comparison-operator GreaterThanThreshold
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 1 "deploy with a foreign topic and alarm"
expect_err "a sns topic named sns-catalog-alarms-dev exists without this stack's ownership tags" "the topic refused"
expect_err "a cloudwatch alarm named alarm-catalog-cpu-high-dev exists without this stack's ownership tags" \
    "the alarm refused"
expect_equal "" "$(obs_mutations)" "observability's mutating requests with foreign resources in the way"
sh "$tmp/off.cfg" --auto-approve deploy
expect_rc 0 "the plugin switched off with foreign resources in the way"
expect_err "sns topic sns-catalog-alarms-dev is not this stack's (no ownership tags): left alone" "the topic left"
expect_equal "Other" "$(awscli cloudwatch describe-alarms --alarm-names alarm-catalog-cpu-high-dev |
    json 'd["MetricAlarms"][0]["Namespace"]')" "the foreign alarm untouched"
expect_equal "1" "$(awscli sns list-topics | json 'len(d["Topics"])')" "the foreign topic untouched"
awscli sns delete-topic --topic-arn "$topic"
awscli cloudwatch delete-alarms --alarm-names alarm-catalog-cpu-high-dev

# --- deploy: every row, outputs
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy"
expect_out "observability.alarm_topic_arn = $topic" "the topic output"
expect_out "observability.alarm_names = alarm-catalog-cpu-high-dev, alarm-catalog-healthy-tasks-low-dev" \
    "the alarm names output"
expect_out "observability.alarm_key_arn = arn:aws:kms:us-east-1:123456789012:key/" "the key output"
check "observability after deploy" catalog dev --notify oncall@example.com
key=$(key_id)

# --- plan: no change; redeploy: no mutating request; an alarm of Application Auto
# Scaling (untagged, TargetTracking-...) is neither touched nor published
awscli cloudwatch put-metric-alarm --alarm-name "TargetTracking-service/cluster-catalog-dev/svc-catalog-dev-AlarmHigh-1" \
    --namespace AWS/ECS --metric-name CPUUtilization --statistic Average --period 60 --evaluation-periods 3 \
    --threshold 70 --comparison-operator GreaterThanThreshold
direct "$cfg" plan -v --detailed-exitcode
expect_rc 0 "plan after deploy"
expect_out "=   no change kms key alias/kms-catalog-alarms-dev" "plan: the key unchanged"
expect_out "=   no change cloudwatch alarm alarm-catalog-healthy-tasks-low-dev" "plan: the alarm unchanged"
expect_out "no changes: the account matches the configuration" "plan after deploy"
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "redeploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a redeploy"
checks=$((checks + 1))
grep -q "monitoring DescribeAlarms" "$proxy_log" || fail "the proxy saw the redeploy"
direct "$cfg" --json outputs
expect_rc 0 "outputs"
expect_equal "['alarm-catalog-cpu-high-dev', 'alarm-catalog-healthy-tasks-low-dev']" \
    "$(json 'd["plugins"]["observability"]["alarm_names"]' <<<"$out")" "alarm_names: ours only"
expect_equal "1" "$(awscli cloudwatch describe-alarms --alarm-name-prefix TargetTracking- | json 'len(d["MetricAlarms"])')" \
    "the scaling alarm untouched"

# --- a key tagged as ours that AWS listed only after an earlier run's searches
# (a CreateKey whose answer was lost): the next deploy finds it with its one
# tagging search and schedules its deletion; the alias's key stays
late=$(awscli kms create-key --tags TagKey=Project,TagValue=catalog TagKey=Environment,TagValue=dev \
    TagKey=ManagedBy,TagValue=stackhost TagKey=Alias,TagValue=alias/kms-catalog-alarms-dev | json 'd["KeyMetadata"]["KeyId"]')
direct "$cfg" plan --detailed-exitcode
expect_rc 3 "plan with a late key"
expect_out "-   delete    kms key $late (tagged for alias/kms-catalog-alarms-dev, deletion scheduled in 7 days)" \
    "plan shows the late key going"
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy with a late key"
expect_err "kms key $late is a second key tagged for alias/kms-catalog-alarms-dev" "the late key named"
expect_equal "PendingDeletion" "$(awscli kms describe-key --key-id "$late" | json 'd["KeyMetadata"]["KeyState"]')" \
    "the late key's deletion scheduled"
expect_equal "Enabled" "$(awscli kms describe-key --key-id "$key" | json 'd["KeyMetadata"]["KeyState"]')" \
    "the alias's key kept"
expect_equal "1" "$(grep -c '^tagging GetResources$' "$proxy_log")" "one tagging search, no per-key tag reads"
expect_equal "0" "$(grep -c '^kms ListKeys$' "$proxy_log")" "no ListKeys"

# --- cpu_alarm 85: exactly that update, one PutMetricAlarm
write_cfg "$tmp/c85.cfg" 'cpu_alarm = 85; notify = ["oncall@example.com"];'
direct "$tmp/c85.cfg" plan --detailed-exitcode
expect_rc 3 "plan with cpu_alarm 85"
expect_out "~   update    cloudwatch alarm alarm-catalog-cpu-high-dev (threshold 80 -> 85)" "plan shows the threshold"
expect_out "plan: 0 to create, 1 to update, 0 to replace, 0 to delete" "plan: that update only"
: >"$proxy_log"
sh "$tmp/c85.cfg" --auto-approve deploy
expect_rc 0 "deploy cpu_alarm 85"
expect_equal "monitoring PutMetricAlarm" "$(proxy_mutations)" "the requests that change something"
check "observability with cpu_alarm 85" catalog dev --notify oncall@example.com --cpu 85

# --- the healthy-task alarm's window changed
write_cfg "$tmp/window.cfg" 'cpu_alarm = 85; healthy_alarm_period = 120; healthy_alarm_evaluation_periods = 3;
  notify = ["oncall@example.com"];'
direct "$tmp/window.cfg" plan --detailed-exitcode
expect_rc 3 "plan with another window"
expect_out "~   update    cloudwatch alarm alarm-catalog-healthy-tasks-low-dev (period 60 -> 120, evaluation periods 2 -> 3)" \
    "plan shows the window"
sh "$tmp/window.cfg" --auto-approve deploy
expect_rc 0 "deploy another window"
check "observability with another window" catalog dev --notify oncall@example.com --cpu 85 --healthy-window 120,3,2

# --- an address added, then the first removed (moto confirms at once: it can be unsubscribed)
write_cfg "$tmp/two.cfg" 'cpu_alarm = 85; healthy_alarm_period = 120; healthy_alarm_evaluation_periods = 3;
  notify = ["oncall@example.com", "dev@example.com"];'
: >"$proxy_log"
sh "$tmp/two.cfg" --auto-approve deploy
expect_rc 0 "deploy with an address added"
expect_err "create email subscription dev@example.com to sns-catalog-alarms-dev" "the subscription reported"
expect_equal "sns Subscribe" "$(proxy_mutations)" "the requests of an address added"
check "observability with two addresses" catalog dev --notify oncall@example.com,dev@example.com --cpu 85 \
    --healthy-window 120,3,2
write_cfg "$tmp/one.cfg" 'cpu_alarm = 85; healthy_alarm_period = 120; healthy_alarm_evaluation_periods = 3;
  notify = ["dev@example.com"];'
direct "$tmp/one.cfg" plan --detailed-exitcode
expect_rc 3 "plan with an address removed"
expect_out "-   delete    email subscription oncall@example.com to sns-catalog-alarms-dev (no longer in notify)" \
    "plan shows the unsubscribe"
: >"$proxy_log"
sh "$tmp/one.cfg" --auto-approve deploy
expect_rc 0 "deploy with an address removed"
expect_equal "sns Unsubscribe" "$(proxy_mutations)" "the requests of an address removed"
check "observability with the address removed" catalog dev --notify dev@example.com --cpu 85 --healthy-window 120,3,2

# --- encrypt = false: the topic plain, the key scheduled for deletion and its alias gone; then back
write_cfg "$tmp/plain.cfg" 'encrypt = false; notify = ["dev@example.com"];'
direct "$tmp/plain.cfg" plan --detailed-exitcode
expect_rc 3 "plan with encrypt = false"
expect_out "-   delete    kms key alias/kms-catalog-alarms-dev (encrypt = false: deletion scheduled in 7 days, alias removed)" \
    "plan shows the key going"
# the key's arn is cut in its middle: its start and the end of the key's id stay
expect_out "~   update    sns topic sns-catalog-alarms-dev (encryption key arn:aws:kms:us-east-1..." \
    "plan shows the topic's key"
expect_out "${key##*-} -> (none))" "plan shows the topic plain"
sh "$tmp/plain.cfg" --auto-approve deploy
expect_rc 0 "deploy encrypt = false"
check "observability with encrypt = false" catalog dev --notify dev@example.com --no-encrypt
direct "$tmp/plain.cfg" --json outputs
expect_equal "" "$(json 'd["plugins"]["observability"]["alarm_key_arn"]' <<<"$out")" "alarm_key_arn without a key"
direct "$tmp/plain.cfg" plan --detailed-exitcode
expect_rc 0 "plan after encrypt = false"
write_cfg "$tmp/enc.cfg" 'notify = ["dev@example.com"];'
direct "$tmp/enc.cfg" plan --detailed-exitcode
expect_rc 3 "plan with encrypt back on"
expect_out "~   update    kms key alias/kms-catalog-alarms-dev (state PendingDeletion -> Enabled, alias target (none) -> $key)" \
    "plan restores the key"
expect_out "~   update    sns topic sns-catalog-alarms-dev (encryption key (none) -> arn:aws:kms:us-east-1..." \
    "plan encrypts the topic"
sh "$tmp/enc.cfg" --auto-approve deploy
expect_rc 0 "deploy encrypt back on"
check "observability with encrypt back on" catalog dev --notify dev@example.com
expect_equal "$key" "$(key_id)" "the key restored, not another"

# --- destroy: only the key is left, pending deletion; a second destroy succeeds
sh "$tmp/enc.cfg" --auto-approve destroy
expect_rc 0 "destroy"
expect_err "delete kms key alias/kms-catalog-alarms-dev (deletion scheduled in 7 days)" "destroy schedules the key"
check "leftovers after destroy" --gone catalog dev
expect_equal "PendingDeletion" "$(awscli kms describe-key --key-id "$key" | json 'd["KeyMetadata"]["KeyState"]')" \
    "the key pending deletion"
sh "$tmp/enc.cfg" --auto-approve destroy
expect_rc 0 "second destroy"
expect_err "destroy complete" "second destroy"

# --- a deploy after destroy takes the pending key back rather than making another
e2e_image "$tmp/enc.cfg" dev
sh "$tmp/enc.cfg" --auto-approve deploy
expect_rc 0 "deploy after destroy"
expect_err "update kms key alias/kms-catalog-alarms-dev (state PendingDeletion -> Enabled, alias target (none) -> $key)" \
    "the key restored"
check "observability after destroy and deploy" catalog dev --notify dev@example.com
expect_equal "$key" "$(key_id)" "the same key after destroy and deploy"
checks_done
