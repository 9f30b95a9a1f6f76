#!/usr/bin/env bash
# The whole catalog stack (examples/catalog.cfg, all seven plugins) end to
# end against moto's server, every row checked with boto3 or the AWS CLI:
# deploy dev, outputs --json against the account, plan with no change, a
# redeploy with no mutating request; max and cpu_alarm changed: exactly
# those two updates; prod beside it (neither touches the
# other); destroy of one leaves the other whole; bystanders (an untagged
# VPC, repository and parameter) survive; nothing of the stack is left
# after destroy, and a second destroy succeeds.
# usage: test_stack.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_proxy 0
export STACKHOST_RETRY_BASE_MS=100
export CATALOG_DB_URL=postgres://catalog:stand-in@db.invalid:5432/catalog
cfg=$src/examples/catalog.cfg
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" "$@"; }

# --- bystanders: made without stackhost, they must survive every run
bystander_vpc=$(awscli ec2 create-vpc --cidr-block 10.99.0.0/16 | json 'd["Vpc"]["VpcId"]')
awscli ecr create-repository --repository-name bystander >/dev/null
awscli ssm put-parameter --name /catalog/bystander --value kept --type String >/dev/null

# --- deploy dev: every row. The NAT gateway reads pending for 3 s (as AWS's take
# minutes): meanwhile lb makes the load balancer and compute its task definition
# (dataflow), and the service waits for the private subnets' routes through it.
# --- look before changing: deploy without CATALOG_DB_URL on an empty account fails naming it,
# every plugin's plan done before any request that changes something: none is sent, 20 times
: >"$proxy_log"
for i in $(seq 1 20); do
    CATALOG_DB_URL='' sh -e dev --auto-approve deploy
    expect_rc 1 "deploy without CATALOG_DB_URL, run $i"
    expect_err "environment variable CATALOG_DB_URL is not set" "the variable named, run $i"
done
expect_equal "" "$(proxy_mutations)" "mutating requests of 20 deploys without CATALOG_DB_URL"

# --- outputs of an environment never deployed: only reads, no line that says create, no
# value invented, exit 1 naming what is missing
: >"$proxy_log"
sh -e dev outputs
expect_rc 1 "outputs before any deploy"
expect_err "error: stack catalog, environment dev is not deployed: vpc vpc-catalog-dev" "what is missing named"
expect_no "create" "outputs before any deploy"
expect_equal "" "$out" "nothing on stdout"
sh -e dev outputs --json
expect_rc 1 "outputs --json before any deploy"
expect_equal "errors" "$(json '",".join(k for k in d if k != "format_version")' <<<"$out")" \
    "no json of invented values: the errors document alone"
expect_out "is not deployed" "the errors document says why"
expect_equal "" "$(proxy_mutations)" "mutating requests of outputs"

# the image first, as a first deploy asks (deploy never rolls out what cannot start)
sh -e dev --only registry --auto-approve deploy
expect_rc 0 "the repository of dev"
e2e_push_image ecr-catalog-dev 1.0.0
proxy_set '{"nat_pending": 3}' >/dev/null
: >"$proxy_json"
sh -e dev --auto-approve deploy
expect_rc 0 "deploy dev"
proxy_set '{"nat_pending": 0}' >/dev/null
expect_stack "dev after deploy" dev 1 2 2 10
checks=$((checks + 1))
order=$(python3 - "$proxy_json" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
def first(op):
    return min((r for r in rows if r["operation"] == op), key=lambda r: r["start"], default=None)
routes = [r for r in rows if r["operation"] == "CreateRoute"]
routed = max(routes, key=lambda r: r["start"]) if routes else None  # the private routes come last
alb, td, svc = first("CreateLoadBalancer"), first("RegisterTaskDefinition"), first("CreateService")
pending = sum(1 for r in rows if r.get("fault") == "nat-pending")
if not (routed and alb and td and svc and pending):
    print(f"missing from the proxy's log: routes {bool(routed)}, alb {bool(alb)}, task definition {bool(td)}, "
          f"service {bool(svc)}, nat pending answers {pending}")
elif not (alb["start"] < routed["start"] - 1 and td["start"] < routed["start"] - 1):
    print(f"the load balancer ({alb['start'] - routed['start']:+.2f}s) and the task definition "
          f"({td['start'] - routed['start']:+.2f}s) waited for the nat gateway's routes")
elif not svc["start"] >= routed["end"]:
    print(f"the service was made {routed['end'] - svc['start']:.2f}s before its subnets were routed")
PY
)
[ -z "$order" ] || fail "dataflow: $order"

# --- outputs --json: the stack's outputs, equal to what the account says
sh -e dev outputs --json
expect_rc 0 "outputs --json"
dns=$(awscli elbv2 describe-load-balancers --names alb-catalog-dev | json 'd["LoadBalancers"][0]["DNSName"]')
uri=$(awscli ecr describe-repositories --repository-names ecr-catalog-dev | json 'd["repositories"][0]["repositoryUri"]')
expect_equal "http://$dns" "$(json 'd["outputs"]["alb_url"]' <<<"$out")" "alb_url against the account"
expect_equal "$uri" "$(json 'd["outputs"]["ecr_repository_uri"]' <<<"$out")" "ecr_repository_uri against the account"
# one output, raw, for a script: by its stack name or as plugin.key; a list one item a line
sh -e dev outputs alb_url
expect_rc 0 "outputs alb_url"
expect_equal "http://$dns" "$out" "outputs alb_url, raw"
sh -e dev outputs lb.alb_dns_name
expect_equal "$dns" "$out" "outputs lb.alb_dns_name, raw"
sh -e dev outputs network.private_subnet_ids
expect_equal "$(awscli ec2 describe-subnets --filters Name=tag:Name,Values='subnet-catalog-private-*-dev' |
    json '"\n".join(sorted(s["SubnetId"] for s in d["Subnets"]))')" "$(sort <<<"$out")" "a list, one item a line"
sh -e dev outputs alb_ur
expect_rc 1 "outputs of a name the stack does not have"
expect_err "stack catalog has no output 'alb_ur'; its outputs: alb_url, ecr_repository_uri," "the names there are"

# --- plan --destroy: every resource of the environment as a deletion, nothing sent that changes
: >"$proxy_log"
sh -e dev plan --detailed-exitcode --destroy
expect_rc 3 "plan --destroy"
for resource in "vpc vpc-catalog-dev" "nat gateway nat-catalog-a-dev" "ecr repository ecr-catalog-dev" \
    "parameter /catalog/dev/api-key" "load balancer alb-catalog-dev" "ecs service svc-catalog-dev" \
    "scalable target service/cluster-catalog-dev/svc-catalog-dev" "kms key alias/kms-catalog-alarms-dev" \
    "cloudwatch alarm alarm-catalog-cpu-high-dev"; do
    expect_out "-   delete    $resource" "plan --destroy lists $resource"
done
checks=$((checks + 1))
! grep -vE '^(  -   delete    |[a-z]+:$|plan: 0 to create, 0 to update, 0 to replace, [0-9]+ to delete$|cost: \$[0-9,.]+ -> \$0\.00 a month|$)' <<<"$out" ||
    fail "plan --destroy shows something other than deletions"
expect_equal "" "$(proxy_mutations)" "mutating requests of plan --destroy"

# --- plan: nothing to change; a redeploy sends no mutating request
sh -e dev plan --detailed-exitcode
expect_rc 0 "plan after deploy"
expect_out "no changes: the account matches the configuration" "plan after deploy"
expect_equal 2 "$(grep -c . <<<"$out")" "a plan with nothing to change is two lines: that, and the cost"
expect_out "cost: \$160.83 a month, no change; an estimate from us-east-1 list prices" "a plan without changes shows the total"

# --- one value for one run: exactly the task definition and the service, in a handful of lines
sh -e dev plan --set compute.image_tag=2.0.0
expect_rc 0 "plan with changes exits 0"
expect_err "with --set compute.image_tag=2.0.0" "the run names --set"
expect_equal "task definition task-catalog-dev|ecs service svc-catalog-dev" \
    "$(sed -n 's/^  [-~+/]\{1,3\} *[a-z]\{1,\} \{1,\}//p' <<<"$out" | sed 's/ (.*//' | paste -sd'|')" \
    "--set compute.image_tag: exactly the task definition and the service change"
expect_out "ecr-catalog-dev:2.0.0" "plan names the new image"
checks=$((checks + 1))
[ "$(grep -c . <<<"$out")" -le 5 ] || fail "a one-change plan is at most a handful of lines"
sh -e dev plan --set compute.image_tag=2.0.0 -v
expect_out "=   no change vpc vpc-catalog-dev" "-v lists the unchanged too"
: >"$proxy_log"
sh -e dev --auto-approve deploy
expect_rc 0 "redeploy dev"
expect_equal "" "$(proxy_mutations)" "mutating requests of a redeploy"

# --- consent: without a terminal, deploy and destroy without --auto-approve are refused before any
# request (exit 2); on a terminal the plan comes first, then the question, and a wrong answer
# changes nothing
: >"$proxy_log"
sh -e dev deploy
expect_rc 2 "deploy without a terminal or --auto-approve"
expect_err "deploy changes the account and asks first, on a terminal; without one (ci, a script), pass --auto-approve" \
    "the refusal names --auto-approve"
sh -e dev destroy
expect_rc 2 "destroy without a terminal or --auto-approve"
expect_equal "" "$(cat "$proxy_log")" "requests of refused runs"
sed 's/max = 10;/max = 12;/' "$cfg" >"$tmp/asked.cfg"
: >"$proxy_log"
on_terminal no -c "$tmp/asked.cfg" -e dev deploy
expect_rc 1 "deploy on a terminal, answered no"
expect_out "~   update    scalable target service/cluster-catalog-dev/svc-catalog-dev (max 10 -> 12)" "the plan shown"
expect_out "deploy these changes to stack catalog, environment dev, in account 123456789012? only 'dev' or 'yes' is accepted:" \
    "the question after the plan"
expect_out "deploy cancelled: the answer was not 'dev' or 'yes'; nothing was changed" "a wrong answer changes nothing"
checks=$((checks + 1))
[ "$(grep -n 'max 10 -> 12' <<<"$out" | head -1 | cut -d: -f1)" -lt "$(grep -n 'is accepted' <<<"$out" | cut -d: -f1)" ] ||
    fail "the question came before the plan"
expect_equal "" "$(proxy_mutations)" "mutating requests of a deploy answered no"
on_terminal dev -c "$tmp/asked.cfg" -e dev deploy
expect_rc 0 "deploy on a terminal, answered with the environment's name"
expect_out "update scalable target service/cluster-catalog-dev/svc-catalog-dev" "the change made"
on_terminal dev -c "$tmp/asked.cfg" -e dev deploy
expect_rc 0 "deploy on a terminal with nothing to change"
expect_no "is accepted" "nothing to change: no question"
sh -e dev --auto-approve deploy
expect_rc 0 "back to max 10"

# --- max 12 and cpu_alarm 85: the plan shows exactly those two updates, deploy sends only them
sed 's/max = 10;/max = 12;/; s/cpu_alarm = 80;/cpu_alarm = 85;/' "$cfg" >"$tmp/changed.cfg"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/changed.cfg" -e dev plan
expect_rc 0 "plan of max 12 and cpu_alarm 85: a plan that ran succeeded, changes or not"
expect_out "plan: 0 to create, 2 to update, 0 to replace, 0 to delete" "the changes shown"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/changed.cfg" -e dev plan --detailed-exitcode
expect_rc 3 "plan --detailed-exitcode of max 12 and cpu_alarm 85"
expect_out "plan: 0 to create, 2 to update, 0 to replace, 0 to delete" "exactly two updates"
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/changed.cfg" -e dev --auto-approve deploy
expect_rc 0 "deploy of max 12 and cpu_alarm 85"
expect_equal "application-autoscaling RegisterScalableTarget
monitoring PutMetricAlarm" "$(proxy_mutations | sort)" "the mutating requests of max 12 and cpu_alarm 85"
expect_checker "scaling at max 12" check_scaling catalog dev 2 12 70
expect_checker "observability at 85" check_observability catalog dev --notify catalog-oncall@example.com \
    --cpu 85 --min-healthy 2
sh -e dev --auto-approve deploy
expect_rc 0 "deploy back to max 10 and cpu_alarm 80"

# --- prod beside dev: its own resources, dev untouched
sh -e prod --only registry --auto-approve deploy
expect_rc 0 "the repository of prod"
e2e_push_image ecr-catalog-prod 1.0.0
sh -e prod --auto-approve deploy
expect_rc 0 "deploy prod"
expect_stack "prod beside dev" prod 3 2 2 10 --protection
expect_stack "dev beside prod" dev 1 2 2 10
sh -e dev plan --detailed-exitcode
expect_rc 0 "dev plan with prod deployed"

# --- destroy prod: refused while its load balancer's deletion protection is on and its
# repository holds an image (registry.delete_images unset in prod), nothing changed; after a
# deploy with both allowed, destroy proceeds; dev stays whole
: >"$proxy_log"
sh -e prod --auto-approve destroy
expect_rc 1 "destroy prod, protected"
expect_err "error: lb: load balancer alb-catalog-prod has deletion protection on (in aws and in the configuration): destroy will not delete it; set lb.deletion_protection = false" \
    "the protection named"
expect_err "error: registry: ecr repository ecr-catalog-prod holds 1 image: destroy will not delete it; set registry.delete_images = true" \
    "the images counted"
expect_equal "" "$(proxy_mutations)" "mutating requests of the refused destroy"
expect_stack "prod after the refused destroy" prod 3 2 2 10 --protection
sed 's|lb = { deletion_protection = true; };|lb = { deletion_protection = false; }; registry = { delete_images = true; };|' \
    "$cfg" >"$tmp/unprotected.cfg"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/unprotected.cfg" -e prod --auto-approve deploy
expect_rc 0 "deploy prod with deletion protection false"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/unprotected.cfg" -e prod --auto-approve destroy
expect_rc 0 "destroy prod"
expect_checker "prod after destroy" check_leftovers catalog prod --quiet
expect_stack "dev after destroying prod" dev 1 2 2 10

# --- destroy dev: nothing left, twice; bystanders survive
sh -e dev --auto-approve destroy
expect_rc 0 "destroy dev"
expect_err "cost: \$160.83 -> \$0.00 a month (-\$160.83)" "destroy's plan ends the cost at 0"
expect_checker "dev after destroy" check_leftovers catalog dev --quiet
sh -e dev --auto-approve destroy
expect_rc 0 "second destroy"
expect_err "destroy complete" "second destroy"
expect_equal "$bystander_vpc" "$(awscli ec2 describe-vpcs --vpc-ids "$bystander_vpc" | json 'd["Vpcs"][0]["VpcId"]')" \
    "the bystander vpc"
expect_equal "bystander" "$(awscli ecr describe-repositories --repository-names bystander |
    json 'd["repositories"][0]["repositoryName"]')" "the bystander repository"
expect_equal "kept" "$(awscli ssm get-parameter --name /catalog/bystander | json 'd["Parameter"]["Value"]')" \
    "the bystander parameter"

checks_done
