#!/usr/bin/env bash
# The whole catalog stack through AWS's propagation answers
# (count_proxy.py --propagation, every rule of proxy_propagation.py): what
# a real account answers on a team's first deploy and destroy, and moto
# never does.
#
# windows: every rule on for 3 s after each trigger. dev, then prod (with
#   a certificate), deploy from an empty account with exit 0, every row
#   checked, plan clean; both destroyed (the first use forgotten, so the
#   destroy meets the service-linked roles too), nothing left; dev deployed
#   again (its KMS key back from pending deletion), plan clean, destroyed,
#   nothing left. Every rule must have answered at least once.
# limits: windows of 30 s, longer than the retry limit
#   (STACKHOST_PROPAGATION_TIMEOUT=2): deploy fails naming the resource, the
#   code, AWS's message and what to do; a genuine InvalidParameterException
#   fails at once (one CreateService sent); once the answers stop, the next
#   deploy converges and destroy leaves nothing.
# usage: test_stack_propagation.sh STACKHOST SOURCE_DIR windows|limits
set -u
bin=$1 src=$2 mode=$3
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
export STACKHOST_RETRY_BASE_MS=100
export CATALOG_DB_URL=postgres://catalog:stand-in@db.invalid:5432/catalog
cfg=$src/examples/catalog.cfg
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" "$@"; }

# The rules that answered in $proxy_json, sorted, one line.
rules_hit() {
    python3 - "$proxy_json" <<'PY'
import json, sys
faults = {json.loads(l).get("fault") or "" for l in open(sys.argv[1]) if l.strip()}
print(" ".join(sorted(f.split(":", 1)[1] for f in faults if f.startswith("propagation:"))))
PY
}

if [ "$mode" = windows ]; then
    e2e_start_fault_proxy --propagation 3
    cert=$(awscli acm request-certificate --domain-name catalog.example.com | json 'd["CertificateArn"]')
    # prod unprotected: destroy refuses a protected load balancer and a repository's images
    sed -e "s|lb = { deletion_protection = true; };|lb = { deletion_protection = false; certificate_arn = \"$cert\"; }; registry = { delete_images = true; };|" \
        -e "s|network = { nat_per_az = true; };|network = { nat_per_az = true; alb_ports = [80, 443]; };|" \
        "$cfg" >"$tmp/catalog.cfg"
    cfg=$tmp/catalog.cfg
    e2e_image "$cfg" dev
    e2e_image "$cfg" prod

    sh -e dev --auto-approve deploy
    expect_rc 0 "deploy dev through the propagation answers"
    expect_stack "dev" dev 1 2 2 10
    sh -e dev plan --detailed-exitcode
    expect_rc 0 "plan dev"
    expect_out "no changes: the account matches the configuration" "plan dev after deploy"
    sh -e prod --auto-approve deploy
    expect_rc 0 "deploy prod through the propagation answers"
    CHECK_ALB_PORTS=80,443 expect_stack "prod" prod 3 2 2 10 --cert "$cert"
    sh -e prod plan --detailed-exitcode
    expect_rc 0 "plan prod"
    expect_out "no changes: the account matches the configuration" "plan prod after deploy"

    # a destroy within minutes of the account's first deploy
    proxy_set '{"propagation_forget": true}'
    sh -e prod --auto-approve destroy
    expect_rc 0 "destroy prod through the propagation answers"
    expect_err "warning: compute: task definition task-catalog-prod: ecs did not delete arn:aws:ecs:us-east-1:123456789012:task-definition/task-catalog-prod:1: TASK_DEFINITION_NOT_INACTIVE" \
        "DeleteTaskDefinitions' failures told, and deleted by the next pass"
    expect_checker "prod after destroy" check_leftovers catalog prod --quiet
    sh -e dev --auto-approve destroy
    expect_rc 0 "destroy dev through the propagation answers"
    expect_checker "dev after destroy" check_leftovers catalog dev --quiet

    # again: the key comes back from pending deletion
    e2e_image "$cfg" dev
    sh -e dev --auto-approve deploy
    expect_rc 0 "deploy dev again"
    expect_err "update kms key alias/kms-catalog-alarms-dev (state PendingDeletion -> Enabled" "the key restored"
    expect_stack "dev again" dev 1 2 2 10
    sh -e dev plan --detailed-exitcode
    expect_rc 0 "plan dev again"
    expect_out "no changes: the account matches the configuration" "plan dev again"
    # a destroy right after a new deployment: ECS refuses the service's deletion while the
    # deployment is active (that rule alone, for 20 s: longer than a slow run, valgrind's, takes
    # from the deployment to the deletion)
    proxy_set '{"propagation": 20, "propagation_rules": "ecs-deployments"}'
    sh -e dev --auto-approve --restart deploy
    expect_rc 0 "a new deployment of dev"
    sh -e dev --auto-approve destroy
    expect_rc 0 "destroy dev again"
    proxy_set '{"propagation": 3, "propagation_rules": ""}'
    expect_checker "dev after the second destroy" check_leftovers catalog dev --quiet

    expect_equal "aas-slr certificate ecs-deployments ecs-deregister ecs-slr eni-linger iam-detach iam-role kms-cancel kms-create kms-enable listener logs target-group" \
        "$(rules_hit)" "the propagation rules that answered"
else
    # one rule, so that the plugin that fails first is known
    e2e_start_fault_proxy --propagation 30 --propagation-rules ecs-slr
    e2e_image "$cfg" dev
    STACKHOST_PROPAGATION_TIMEOUT=2 sh -e dev --auto-approve deploy
    expect_rc 1 "deploy with propagation outlasting the limit"
    expect_err "error: compute: ecs cluster cluster-catalog-dev: ecs CreateCluster: InvalidParameterException: Unable to assume the service linked role. Please verify that the ECS service linked role exists." \
        "the resource, the code and aws's message"
    expect_err "the deployer needs iam:CreateServiceLinkedRole" "what to do"

    # the answers stop (AWS has propagated); a genuine refusal fails at once
    proxy_set '{"propagation_rules": "", "propagation": 0, "fail": "CreateService=InvalidParameterException:The provided target group has target type instance, which is incompatible with the awsvpc network mode specified in the task definition."}'
    : >"$proxy_log"
    sh -e dev --auto-approve deploy
    expect_rc 1 "deploy with a genuine InvalidParameterException"
    expect_err "ecs service svc-catalog-dev: ecs CreateService: InvalidParameterException: The provided target group has target type instance" \
        "the genuine refusal"
    expect_equal "1" "$(grep -c '^ecs CreateService$' "$proxy_log")" "CreateService sent once: not retried"

    proxy_set '{"fail": ""}'
    sh -e dev --auto-approve deploy
    expect_rc 0 "the next deploy converges"
    expect_stack "dev after converging" dev 1 2 2 10
    sh -e dev --auto-approve destroy
    expect_rc 0 "destroy"
    expect_checker "dev after destroy" check_leftovers catalog dev --quiet
fi

checks_done
