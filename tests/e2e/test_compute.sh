#!/usr/bin/env bash
# The compute plugin end to end against moto's server, with the network,
# registry, secrets and lb plugins it requires, checked with boto3 and the
# AWS CLI (check_compute.py, never stackhost's reading).
#   test_compute.sh STACKHOST SOURCE_DIR
#     a bad task_policy refused before any request; plan before the first
#     deploy; the first deploy without the image (everything but the
#     service, exit 1 saying what to push); pushed: the rollout waited for
#     (every row); a rollout that fails, then recovers with one new
#     deployment; a new secret value = one new deployment; plan and a
#     redeploy that change nothing; a new image_tag = one revision and one
#     service update; the desired count set back without a scalable target
#     and left alone with one; drift put back; task_policy; destroy twice (with
#     force while a scalable target owns the count);
#     a foreign cluster left alone.
#   test_compute.sh STACKHOST SOURCE_DIR faults SEED...
#     for each seed: the stack without compute straight to the emulator,
#     then compute deployed and destroyed through the fault proxy
#     (throttling, 5xx, connections dropped before and after forwarding):
#     exactly one cluster, one service, one revision; nothing left.
set -u
bin=$1 src=$2
mode=${3:-main}
seeds=("${@:4}")
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
# moto starts a service with this many tasks running, so that its own answers (read by the
# plans straight to it) call the rollout completed; through the proxy, its ECS rollouts
export MOTO_ECS_SERVICE_RUNNING=2
e2e_start
e2e_reset
# the proxy's ECS rollouts: a deployment runs 4 s (long enough to be seen in progress under valgrind too), then completes with healthy targets, or fails
# when its image is not in the repository
e2e_start_fault_proxy --rollouts --rollout 4
export STACKHOST_RETRY_BASE_MS=100
export CATALOG_DB_URL="postgres://catalog:compute-$RANDOM$RANDOM@db.internal:5432/catalog"

write_cfg() { # write_cfg FILE COMPUTE_SECTION
    catalog_cfg "$1" network registry secrets lb "compute = { $2 };"
}
cfg=$tmp/compute.cfg
write_cfg "$cfg" 'image_tag = "1.0.0";'
only=network,registry,secrets,lb,compute
# stackhost goes through the proxy; the checkers talk to moto directly.
sh() { local c=$1; shift; AWS_ENDPOINT_URL=$proxy_url run -c "$c" -e dev --only "$only" "$@"; }
direct() { local c=$1; shift; run -c "$c" -e dev --only "$only" "$@"; }
check() { expect_checker "$1" check_compute "${@:2}"; }
# compute's own mutating requests (the other plugins' are not this test's)
compute_mutations() { proxy_mutations | grep -E '^(ecs|logs|application-autoscaling) |^iam [A-Za-z]*Role' || true; }
manifest='{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}'
push() { awscli ecr put-image --repository-name ecr-catalog-dev --image-tag "$1" --image-manifest "$manifest" >/dev/null; }
uri=123456789012.dkr.ecr.us-east-1.amazonaws.com/ecr-catalog-dev
svc=(--cluster cluster-catalog-dev --service svc-catalog-dev)

if [ "$mode" = faults ]; then
    for seed in "${seeds[@]}"; do
        e2e_reset
        run -c "$cfg" -e dev --only network,registry,secrets,lb --auto-approve deploy
        expect_rc 0 "the stack without compute, seed $seed"
        push 1.0.0
        proxy_set "{\"seed\": $seed, \"throttle\": 0.05, \"errors\": 0.05, \"drop_before\": 0.05, \"drop_after\": 0.05}" >/dev/null
        : >"$proxy_json"
        until_converged sh "$cfg" --auto-approve deploy
        expect_rc 0 "deploy through faults, seed $seed"
        check "compute after a deploy through faults, seed $seed" catalog dev 1.0.0 2 1
        direct "$cfg" plan --detailed-exitcode
        expect_rc 0 "plan straight to the emulator after a deploy through faults, seed $seed"
        until_converged sh "$cfg" --auto-approve destroy
        expect_rc 0 "destroy through faults, seed $seed"
        check "leftovers after a destroy through faults, seed $seed" --gone catalog dev
        faults=$(proxy_faults)
        checks=$((checks + 1))
        [ "$faults" -gt 0 ] || fail "seed $seed injected no fault"
        proxy_set '{"throttle": 0, "errors": 0, "drop_before": 0, "drop_after": 0}' >/dev/null
    done
    checks_done
    exit
fi

# --- a task_policy that is not a policy document: refused before any request
write_cfg "$tmp/bad.cfg" 'image_tag = "1.0.0"; task_policy = "{\"Statement\": []}";'
: >"$proxy_log"
sh "$tmp/bad.cfg" plan --detailed-exitcode
expect_rc 2 "a task_policy without Version"
expect_err "task_policy" "the error names the key"
expect_err "has no Version" "the error says what is wrong"
expect_equal "" "$(cat "$proxy_log")" "requests with a bad task_policy"
# every action, or a service's every action on every resource: only with task_policy_wildcards
star='{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"arn:aws:s3:::catalog/*\"}, {\"Effect\": \"Allow\", \"Action\": [\"s3:*\"], \"Resource\": \"*\"}]}'
write_cfg "$tmp/star.cfg" "image_tag = \"1.0.0\"; task_policy = \"$star\";"
sh "$tmp/star.cfg" validate
expect_rc 2 "a task_policy allowing s3:* on *"
expect_err "plugins.compute.task_policy: statement 1 allows every action of a service on every resource" \
    "the wildcard statement named"
write_cfg "$tmp/star.cfg" "image_tag = \"1.0.0\"; task_policy = \"$star\"; task_policy_wildcards = true;"
sh "$tmp/star.cfg" validate
expect_rc 0 "the same with task_policy_wildcards = true"

# --- the tasks' port written again in compute: refused, naming network.task_port
write_cfg "$tmp/port.cfg" 'image_tag = "1.0.0"; container_port = 9090;'
: >"$proxy_log"
sh "$tmp/port.cfg" plan --detailed-exitcode
expect_rc 2 "compute.container_port"
expect_err "plugins.compute.container_port: the tasks' port is written once, as network.task_port (8080)" \
    "the port key refused"
expect_equal "" "$(cat "$proxy_log")" "requests with compute.container_port"

# --- plan before the first deploy: creates, without the required plugins' outputs
sh "$cfg" plan --detailed-exitcode
expect_rc 3 "plan before the first deploy"
expect_out "+   create    ecs cluster cluster-catalog-dev" "plan: the cluster"
expect_out "+   create    log group logs-catalog-dev (retention 7 days)" "plan: the log group"
expect_out "+   create    iam role role-catalog-exec-dev" "plan: the execution role"
expect_out "+   create    task definition task-catalog-dev" "plan: the task definition"
expect_out "+   create    ecs service svc-catalog-dev" "plan: the service"

# --- the first deploy, the image not pushed yet: everything but the service is made, the
# service is not rolled out (its tasks could not start), and deploy exits 1 saying what to push
sh "$cfg" --auto-approve deploy
expect_rc 1 "the first deploy without the image"
expect_err "warning: compute: image $uri:1.0.0 is not in the repository: deploy makes everything else" \
    "the missing image said first"
expect_err "error: compute: ecs service svc-catalog-dev: not rolled out: image $uri:1.0.0 is not in the repository" \
    "the service not rolled out"
expect_err "docker push $uri:1.0.0" "what to push, and how"
expect_no "create ecs service" "no service line"
expect_equal "MISSING" "$(awscli ecs describe-services "${svc[@]/--service/--services}" |
    json '(d["services"] or [{"status": "MISSING"}])[0]["status"] if not d["failures"] else "MISSING"')" \
    "no service without its image"
expect_equal "ACTIVE" "$(awscli ecs describe-clusters --clusters cluster-catalog-dev | json 'd["clusters"][0]["status"]')" \
    "the cluster made meanwhile"

# --- pushed: deploy rolls the service out and waits for it (the proxy's ECS: 4 s in progress,
# then completed with healthy targets), every row; a redeploy sends nothing
push 1.0.0
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy once the image is pushed"
expect_err "create ecs service svc-catalog-dev" "the service made"
expect_err "waiting for the rollout of ecs service svc-catalog-dev: rollout IN_PROGRESS: 0 of 2 tasks running, 2 pending" \
    "progress while the rollout runs"
expect_err "compute: ecs service svc-catalog-dev runs at a steady state: the rollout completed, its targets healthy" \
    "the rollout waited for"
expect_equal "ecs CreateService" "$(compute_mutations)" "the service alone made"
expect_out "compute.cluster_name = cluster-catalog-dev" "cluster name output"
expect_out "compute.cluster_arn = arn:aws:ecs:us-east-1:123456789012:cluster/cluster-catalog-dev" "cluster arn output"
expect_out "compute.service_arn = arn:aws:ecs:us-east-1:123456789012:service/cluster-catalog-dev/svc-catalog-dev" \
    "service arn output"
expect_out "compute.task_definition_arn = arn:aws:ecs:us-east-1:123456789012:task-definition/task-catalog-dev:1" \
    "task definition output"
expect_out "compute.log_group_name = logs-catalog-dev" "log group output"
expect_out "compute.execution_role_arn = arn:aws:iam::123456789012:role/role-catalog-exec-dev" "execution role output"
expect_out "compute.task_role_arn = arn:aws:iam::123456789012:role/role-catalog-task-dev" "task role output"
check "compute after deploy" catalog dev 1.0.0 2 1
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "redeploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a redeploy"
check "no new revision on a redeploy" catalog dev 1.0.0 2 1

# --- a rollout that fails (the proxy's ECS: the new tasks exit at start): deploy exits 1 naming
# the stopped tasks' reason and what to do; once the cause is gone, plan shows a new deployment and
# why, deploy starts it and waits for it, and a redeploy after that sends nothing
proxy_set '{"rollout_crash": true}'
export CATALOG_DB_URL="postgres://catalog:crash-$RANDOM$RANDOM@db.internal:5432/catalog"
sh "$cfg" --auto-approve deploy
expect_rc 1 "a rollout that fails"
expect_err "error: compute: ecs service svc-catalog-dev: the rollout failed (ECS deployment circuit breaker: tasks failed to start.): stopped tasks: Essential container in task exited: fix the cause (the service's events above, the log group logs-catalog-dev), then run deploy again: a new deployment starts" \
    "the stopped tasks' reason and what to do"
expect_err "(service svc-catalog-dev) (deployment" "the service's event shown"
proxy_set '{"rollout_crash": false}'
sh "$cfg" plan --detailed-exitcode
expect_rc 3 "plan after a failed rollout"
expect_out "~   update    ecs service svc-catalog-dev (a new deployment: the last rollout failed (ECS deployment circuit breaker: tasks failed to start.))" \
    "plan shows the new deployment and why"
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy after the cause is gone"
expect_equal "ecs UpdateService" "$(compute_mutations)" "one new deployment"
expect_err "runs at a steady state: the rollout completed" "the new deployment waited for"
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "redeploy after the recovery"
expect_equal "" "$(proxy_mutations)" "mutating requests after the recovery"

# --- a new CATALOG_DB_URL: the parameter is written, and the service gets exactly one new
# deployment (its tasks read the value when they start); plan says so without the value
deployment() { awscli ecs describe-services "${svc[@]/--service/--services}" | json 'd["services"][0]["deployments"][0]["id"]'; }
before=$(deployment)
old_url=$CATALOG_DB_URL
export CATALOG_DB_URL="postgres://catalog:rotated-$RANDOM$RANDOM@db.internal:5432/catalog"
sh "$cfg" plan --detailed-exitcode
expect_rc 3 "plan with a new secret value"
expect_out "~   update    parameter /catalog/dev/db-connection-string (value changes)" "plan: the parameter"
expect_out "~   update    ecs service svc-catalog-dev (a new deployment: parameter db-connection-string changed, read when a task starts)" \
    "plan: the new deployment"
expect_no "$CATALOG_DB_URL" "the plan (the new value)"
expect_no "$old_url" "the plan (the old value)"
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy a new secret value"
expect_equal "ecs UpdateService
ssm PutParameter" "$(proxy_mutations | sort)" "the parameter written, one service update"
checks=$((checks + 1))
[ "$(deployment)" != "$before" ] || fail "the service got no new deployment"
expect_no "$CATALOG_DB_URL" "the deploy (the new value)"
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "redeploy after the new value"
expect_equal "" "$(proxy_mutations)" "mutating requests after the new value"

# --- plan straight to the emulator: no change
direct "$cfg" plan --detailed-exitcode
expect_rc 0 "plan after deploy"
expect_out "no changes: the account matches the configuration" "plan after deploy"
direct "$cfg" outputs
expect_rc 0 "outputs"
expect_out "compute.service_name = svc-catalog-dev" "outputs by lookups"

# --- a new image tag: exactly one new revision and one service update
write_cfg "$tmp/tag2.cfg" 'image_tag = "1.0.1";'
push 1.0.1
sh "$tmp/tag2.cfg" plan --detailed-exitcode
expect_rc 3 "plan with a new image tag"
# each side of a change is cut to 60 characters in its middle, between the parts of a name: the tag stays
short=${uri%%.us-east-1.amazonaws.com/*}...com/${uri##*/}
expect_out "~   update    task definition task-catalog-dev (a new revision: image $short:1.0.0 -> $short:1.0.1)" \
    "plan: the revision, its old and new image"
expect_out "~   update    ecs service svc-catalog-dev (task definition task-catalog-dev:1 -> :2)" \
    "plan: the service, its revision and the next"
: >"$proxy_log"
sh "$tmp/tag2.cfg" --auto-approve deploy
expect_rc 0 "deploy a new image tag"
expect_err "update ecs service svc-catalog-dev (task definition task-catalog-dev:1 -> :2)" \
    "deploy: the revision the plan named"
expect_equal "ecs RegisterTaskDefinition
ecs UpdateService" "$(proxy_mutations)" "mutating requests of a new image tag"
check "compute with image 1.0.1" catalog dev 1.0.1 2 2
cfg=$tmp/tag2.cfg

# --- the count scaled by hand, no scalable target: set back to desired_count
awscli ecs update-service "${svc[@]}" --desired-count 5 >/dev/null
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy over a hand-scaled service"
expect_err "update ecs service svc-catalog-dev (desired count 5 -> 2)" "the count set back"
check "the count set back" catalog dev 1.0.1 2 2

# --- a scalable target owns the count: a redeploy leaves 5 alone
awscli application-autoscaling register-scalable-target --service-namespace ecs \
    --resource-id service/cluster-catalog-dev/svc-catalog-dev --scalable-dimension ecs:service:DesiredCount \
    --min-capacity 2 --max-capacity 10 >/dev/null
awscli ecs update-service "${svc[@]}" --desired-count 5 >/dev/null
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy with a scalable target"
expect_equal "" "$(proxy_mutations)" "mutating requests with a scalable target"
check "the count left to scaling" catalog dev 1.0.1 5 2

# --- drift put back: a managed policy, an extra inline policy, trust, retention, insights, a tag
awscli iam create-policy --policy-name admin-by-hand \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}' >/dev/null
awscli iam attach-role-policy --role-name role-catalog-exec-dev \
    --policy-arn arn:aws:iam::123456789012:policy/admin-by-hand
awscli iam put-role-policy --role-name role-catalog-task-dev --policy-name by-hand \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'
awscli iam update-assume-role-policy --role-name role-catalog-exec-dev \
    --policy-document '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
awscli logs put-retention-policy --log-group-name logs-catalog-dev --retention-in-days 30
awscli ecs update-cluster --cluster cluster-catalog-dev --settings name=containerInsights,value=disabled >/dev/null
awscli ecs untag-resource --resource-arn arn:aws:ecs:us-east-1:123456789012:cluster/cluster-catalog-dev \
    --tag-keys CostCenter
sh "$cfg" plan --detailed-exitcode
expect_rc 3 "plan with drift"
expect_out "~   update    ecs cluster cluster-catalog-dev (container insights disabled -> enabled, tag CostCenter (none) -> retail-catalog)" \
    "plan: insights"
expect_out "~   update    log group logs-catalog-dev (retention 30 days -> 7 days)" "plan: retention, before and after"
# a policy document is never printed: what differs in it is named
expect_out "~   update    iam role role-catalog-exec-dev (trust policy: statement 1 changed (principal, condition), managed policy arn:aws:iam::123456789012:policy/admin-by-hand detached)" \
    "plan: the execution role"
expect_out "~   update    iam role role-catalog-task-dev (inline policy by-hand deleted)" "plan: the task role"
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy repairs drift"
check "compute after repairing drift" catalog dev 1.0.1 5 2

# --- task_policy: the task role's one inline policy, nothing else sent
policy='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::catalog-images/*"}]}'
quoted=$(sed 's/"/\\"/g' <<<"$policy") # a libconfig string
write_cfg "$tmp/policy.cfg" "image_tag = \"1.0.1\"; task_policy = \"$quoted\";"
: >"$proxy_log"
sh "$tmp/policy.cfg" --auto-approve deploy
expect_rc 0 "deploy with a task_policy"
expect_equal "iam PutRolePolicy" "$(proxy_mutations)" "mutating requests of a task_policy"
check "the task role with its policy" --task-policy "$policy" catalog dev 1.0.1 5 2
sh "$cfg" --auto-approve deploy
expect_rc 0 "deploy without the task_policy again"
check "the task role without a policy" catalog dev 1.0.1 5 2

# --- destroy (the scalable target is the scaling plugin's: left, so the service is deleted
# with force rather than scaled to 0, which auto scaling would undo); a second destroy succeeds
: >"$proxy_log"
sh "$cfg" --auto-approve destroy
expect_rc 0 "destroy"
expect_err "a scalable target still owns the desired count of ecs service svc-catalog-dev" "the scalable target left"
checks=$((checks + 1))
grep -q "^ecs UpdateService" "$proxy_log" && fail "destroy scaled a service that auto scaling owns"
check "leftovers after destroy" --gone catalog dev
sh "$cfg" --auto-approve destroy
expect_rc 0 "second destroy"
expect_err "destroy complete" "second destroy"

# --- ten image tags in a row with keep_revisions = 3: three ACTIVE revisions stay, the one the
# service runs among them; plan says which go
sh "$cfg" --auto-approve deploy
expect_rc 1 "the repository again (the service waits for its image)"
proxy_set '{"rollout": 0}'
for i in 1 2 3 4 5 6 7 8 9 10; do
    push "2.0.$i"
    write_cfg "$tmp/rev.cfg" "image_tag = \"2.0.$i\"; keep_revisions = 3;"
    [ "$i" = 10 ] && { sh "$tmp/rev.cfg" plan; plan_out=$out; }
    sh "$tmp/rev.cfg" --auto-approve deploy
    expect_rc 0 "deploy of image tag 2.0.$i"
done
out=$plan_out
expect_out "~   update    task definition task-catalog-dev (a new revision: image $short:2.0.9 -> $short:2.0.10, 1 older revision deregistered, keeping 3)" \
    "plan: the revision and the one deregistered"
expect_out "~   update    ecs service svc-catalog-dev (task definition task-catalog-dev:10 -> :11)" \
    "plan: the revision deploy registers, the latest + 1"
active=$(awscli ecs list-task-definitions --family-prefix task-catalog-dev --status ACTIVE |
    json '" ".join(d["taskDefinitionArns"])')
expect_equal "3" "$(wc -w <<<"$active" | tr -d ' ')" "ACTIVE revisions after ten tags"
running=$(awscli ecs describe-services "${svc[@]/--service/--services}" | json 'd["services"][0]["taskDefinition"]')
checks=$((checks + 1))
grep -qF "$running" <<<"$active" || fail "the revision the service runs was deregistered"
sh "$tmp/rev.cfg" --auto-approve destroy
expect_rc 0 "destroy after ten tags"
check "leftovers after ten tags" --gone catalog dev

# --- a cluster with our name but not our tags: nothing of compute is touched
awscli ecs create-cluster --cluster-name cluster-catalog-dev >/dev/null
: >"$proxy_log"
sh "$cfg" --auto-approve deploy
expect_rc 1 "deploy with a foreign cluster"
expect_err "a cluster named cluster-catalog-dev exists without this stack's ownership tags" "foreign cluster error"
expect_equal "" "$(compute_mutations)" "compute's mutating requests with a foreign cluster in the way"
sh "$cfg" --auto-approve destroy
expect_rc 0 "destroy leaves the foreign cluster"
expect_err "ecs cluster cluster-catalog-dev is not this stack's (no ownership tags): left alone" "the foreign cluster is reported"
expect_equal "ACTIVE" "$(awscli ecs describe-clusters --clusters cluster-catalog-dev | json 'd["clusters"][0]["status"]')" \
    "the foreign cluster is untouched"

checks_done
