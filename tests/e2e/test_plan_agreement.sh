#!/usr/bin/env bash
# Plan = deploy (issue 22): a walk through configuration changes of the
# catalog stack (examples/catalog.cfg, dev), each on top of the last: for
# each, plan's lines and the requests the deploy that follows sends must
# agree kind by kind (check_plan_agreement.py: nothing sent the plan did
# not show, nothing shown that was not sent; a replacement is a deletion
# and a creation), plan sends nothing that changes, and a plan after the
# deploy has no changes. A change deploy refuses (a VPC's cidr), plan
# refuses with the same words, and neither sends a change. Last, all of it
# back at once.
# usage: test_plan_agreement.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_proxy 0
export STACKHOST_RETRY_BASE_MS=100
export CATALOG_DB_URL=postgres://catalog:stand-in@db.invalid:5432/catalog
base=$src/examples/catalog.cfg
cfg=$tmp/walk.cfg
cp "$base" "$cfg"

e2e_image "$cfg" dev 1.0.0
e2e_push_image ecr-catalog-dev 1.1.0
AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev --auto-approve deploy
expect_rc 0 "deploy of the base"

# step NAME [DEPLOY_OPTIONS...]: plan, deploy and plan again of $cfg as it is now
step() {
    local name=$1
    shift
    : >"$proxy_log"
    AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev "$@" plan --detailed-exitcode
    expect_rc 3 "$name: plan shows changes"
    expect_equal "" "$(proxy_mutations)" "$name: mutating requests of plan"
    printf '%s\n' "$out" >"$tmp/plan.txt"
    : >"$proxy_log"
    AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev --auto-approve "$@" deploy
    expect_rc 0 "$name: deploy"
    cp "$proxy_log" "$tmp/deploy.log"
    if [ -n "${KEEP_PLANS:-}" ]; then # a directory: each step's plan and deploy requests kept there
        cp "$tmp/plan.txt" "$KEEP_PLANS/$name.plan"
        cp "$tmp/deploy.log" "$KEEP_PLANS/$name.requests"
    fi
    checks=$((checks + 1))
    if ! agreement=$(python3 "$src/tests/e2e/check_plan_agreement.py" "$tmp/plan.txt" "$tmp/deploy.log"); then
        out=$(cat "$tmp/plan.txt")
        err=$(cat "$tmp/deploy.log")
        fail "$name: plan and deploy disagree:
$agreement"
    fi
    AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev plan --detailed-exitcode
    expect_rc 0 "$name: plan after the deploy"
    expect_out "no changes: the account matches the configuration" "$name: nothing left to change"
}

# edit SED_EXPRESSION: changes $cfg
edit() { sed -i "$1" "$cfg"; }

edit 's|health_path = "/health";|health_path = "/healthz";|'
step "health check path"
edit 's|image_tag = "1.0.0";|image_tag = "1.1.0";|'
step "image tag"
edit 's|notify = \["catalog-oncall@example.com"\];|notify = ["catalog-pager@example.com"];|'
step "notify"
CATALOG_DB_URL=postgres://catalog:rotated@db.invalid:5432/catalog step "secret value"
export CATALOG_DB_URL=postgres://catalog:rotated@db.invalid:5432/catalog
edit 's|egress_ports = \[5432\];|egress_ports = [5432]; task_port = 9090;|'
step "task port" --allow-replace
cert=$(awscli acm request-certificate --domain-name catalog.example.com | json 'd["CertificateArn"]')
edit "s|deletion_protection = false;|deletion_protection = false; certificate_arn = \"$cert\";|; s|egress_ports = \[5432\];|egress_ports = [5432]; alb_ports = [80, 443];|"
step "certificate"
edit 's|network = { nat_per_az = false; };|network = { nat_per_az = true; };|'
step "nat per az"
edit 's|az_count = 3;|az_count = 2;|'
step "az count"

# --- a change deploy refuses: plan refuses it with the same words; neither sends a change
edit 's|cidr = "10.0.0.0/16";|cidr = "10.1.0.0/16";|'
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev --allow-replace plan --detailed-exitcode
expect_rc 1 "cidr: plan refuses"
refusal="error: network: vpc vpc-catalog-dev has cidr 10.0.0.0/16, the configuration says 10.1.0.0/16: a VPC's cidr cannot change"
expect_err "$refusal" "cidr: the plan's refusal"
AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev --allow-replace --auto-approve deploy
expect_rc 1 "cidr: deploy refuses"
expect_err "$refusal" "cidr: the deploy's refusal, in the plan's words"
expect_equal "" "$(proxy_mutations)" "cidr: mutating requests"

# --- everything back at once
cp "$base" "$cfg"
export CATALOG_DB_URL=postgres://catalog:stand-in@db.invalid:5432/catalog
step "all back" --allow-replace
# (the revisions of the walk's image tag, task port and way back are kept: compute.keep_revisions 5)
expect_checker "the base again: network" check_network catalog dev 1
expect_checker "the base again: lb" check_lb catalog dev
expect_checker "the base again: compute" check_compute catalog dev 1.0.0 2 4
expect_checker "the base again: observability" check_observability catalog dev --notify catalog-oncall@example.com \
    --cpu 80 --min-healthy 2

AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev --auto-approve destroy
expect_rc 0 "destroy"
checks_done
