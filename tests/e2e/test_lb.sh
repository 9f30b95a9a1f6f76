#!/usr/bin/env bash
# The lb plugin (with the network it requires) end to end against moto's
# server, checked with boto3 (check_lb.py) and the AWS CLI, never with
# stackhost's reading.
#   main (default): a name over 32 characters refused before any request;
#     a plan before anything exists; deploy (every setting, outputs) of a
#     load balancer provisioning for 3 s (the proxy's alb_provisioning):
#     waited for, its listener made meanwhile, seen active soon after; plan
#     with no changes and a redeploy that sends no mutating request; drift
#     repaired (attributes, security group, subnets, health check, tags, a
#     listener); a duplicate load balancer removed; a certificate added
#     (HTTPS 443, 80 redirects) and removed; the scheme and the target port
#     replaced only with --allow-replace; deletion protection turned off
#     before the delete; destroy waiting for the load balancer's network
#     interfaces on its deadline; destroy twice; a foreign load balancer and
#     target group refused and untouched; the region's quota.
#   faults SEEDS...: deploy, plan and destroy through the fault proxy
#     (throttling, 5xx, connections dropped before and after forwarding).
# usage: test_lb.sh STACKHOST SOURCE_DIR [main | faults SEED...]
set -u
bin=$1 src=$2 part=${3:-main}
shift 2
[ $# -gt 0 ] && shift
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_fault_proxy
export STACKHOST_RETRY_BASE_MS=100

cfg=$tmp/lb.cfg
catalog_environments='dev = {}; prod = { plugins = { lb = { deletion_protection = true; }; }; };' \
    catalog_cfg "$cfg" network lb
# stackhost goes through the proxy; the checkers talk to moto directly.
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev --only network,lb "$@"; }
direct() { run -c "$cfg" -e dev --only network,lb "$@"; }
expect_lb() {
    local what=$1
    shift
    expect_checker "$what" check_lb "$@"
}
# The load balancer mutations the proxy saw (network's are not this test's).
lb_mutations() { proxy_mutations | grep elasticloadbalancing || true; }
alb_arn() { awscli elbv2 describe-load-balancers --names "alb-catalog-$1" | json 'd["LoadBalancers"][0]["LoadBalancerArn"]'; }
tg_arn() { awscli elbv2 describe-target-groups --names "tg-catalog-$1" | json 'd["TargetGroups"][0]["TargetGroupArn"]'; }
owned_tags='Key=Project,Value=catalog Key=Environment,Value=dev Key=ManagedBy,Value=stackhost'

if [ "$part" = faults ]; then
    lb_faults=0
    for seed in "$@"; do
        e2e_reset
        proxy_set "{\"seed\": $seed, \"throttle\": 0.05, \"errors\": 0.05, \"drop_before\": 0.05, \"drop_after\": 0.05}" >/dev/null
        : >"$proxy_json"
        until_converged sh --auto-approve deploy
        expect_rc 0 "deploy through faults, seed $seed"
        expect_lb "the load balancer after a deploy through faults, seed $seed" catalog dev
        direct plan --detailed-exitcode
        expect_rc 0 "plan straight to the emulator after a deploy through faults, seed $seed"
        until_converged sh --auto-approve destroy
        expect_rc 0 "destroy through faults, seed $seed"
        expect_lb "leftovers after a destroy through faults, seed $seed" --gone catalog dev
        # a seed's draws follow the arrival order, which dataflow mixes with
        # network's requests: one seed may spare the ~17 load balancer
        # requests (0.8^17, 2%), all of them together may not
        lb_faults=$((lb_faults + $(proxy_faults elasticloadbalancing)))
        checks=$((checks + 1))
        [ "$(proxy_faults)" -gt 0 ] || fail "seed $seed injected no fault"
    done
    checks=$((checks + 1))
    [ "$lb_faults" -gt 0 ] || fail "seeds $* injected no fault into a load balancer request"
    checks_done
    exit
fi

# --- a name over elastic load balancing's 32 characters: refused before any request
long=catalog-of-the-retail-department
sed "s|name = \"catalog\"|name = \"$long\"|" "$cfg" >"$tmp/long.cfg"
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/long.cfg" -e dev --only network,lb --auto-approve deploy
expect_rc 2 "deploy with a long stack name"
expect_err "the name alb-$long-dev is 40 characters, over elastic load balancing's 32" "the long name is refused"
expect_err "the name tg-$long-dev is 39 characters" "the long target group name is refused"
expect_equal "" "$(cat "$proxy_log")" "requests sent for a name that is too long"

# --- plan before anything exists (network's outputs absent): creates, nothing sent that changes
sh plan --detailed-exitcode
expect_rc 3 "plan before the first deploy"
expect_out "+   create    load balancer alb-catalog-dev (internet-facing, drop invalid header fields)" "plan: the load balancer"
expect_out "+   create    target group tg-catalog-dev (http 8080, health check /health)" "plan: the target group"
expect_out "+   create    listener alb-catalog-dev:80 (HTTP 80, forward to tg-catalog-dev)" "plan: the listener"
expect_equal "" "$(proxy_mutations)" "mutating requests of a plan"

# --- deploy: every setting, the outputs; the new load balancer provisioning for 3 s (the proxy's
# alb_provisioning, as aws's for a minute or more): deploy waits for it to be active, making its
# listener meanwhile, and sees it active soon after (the wait's backoff grows with the time waited)
proxy_set '{"alb_provisioning": 3}' >/dev/null
: >"$proxy_json"
sh --auto-approve deploy
expect_rc 0 "deploy"
proxy_set '{"alb_provisioning": 0}' >/dev/null
expect_lb "the load balancer after deploy" catalog dev
expect_err "waiting for load balancer alb-catalog-dev to be active: provisioning" "deploy waited for the load balancer"
# moto answers active at once: the proxy's rewrites are what deploy waited through
timing=$(python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
made = [l["end"] for l in lines if l["operation"] == "CreateLoadBalancer" and l["status"] == 200]
listener = [l["start"] for l in lines if l["operation"] == "CreateListener"]
polls = [l["start"] for l in lines if l["operation"] == "DescribeLoadBalancers"]
rewritten = sum(l["fault"] == "alb-provisioning" for l in lines)
if len(made) != 1 or not listener or not polls or not rewritten:
    print(f"creates ended {made}, listeners started {listener}, describes started {polls}, {rewritten} rewritten")
elif min(listener) >= made[0] + 3:
    print(f"the listener waited for the load balancer: started {min(listener) - made[0]:.2f}s after its creation")
elif max(polls) - made[0] >= 3 * 1.4:
    print(f"the load balancer was seen active {max(polls) - made[0]:.2f}s after its creation, over 3 s + 40%")
else:
    print(f"note: the load balancer made, then seen active {max(polls) - made[0]:.2f}s later", file=sys.stderr)
    print("ok")' "$proxy_json")
expect_equal "ok" "$timing" "deploy sees the load balancer active soon after it provisioned, its listener made meanwhile"
arn=$(alb_arn dev)
tg=$(tg_arn dev)
dns=$(awscli elbv2 describe-load-balancers --names alb-catalog-dev | json 'd["LoadBalancers"][0]["DNSName"]')
expect_out "lb.alb_url = http://$dns" "alb_url output"
expect_out "lb.alb_dns_name = $dns" "alb_dns_name output"
expect_out "lb.alb_arn = $arn" "alb_arn output"
expect_out "lb.alb_arn_suffix = ${arn#*:loadbalancer/}" "alb_arn_suffix output"
expect_out "lb.target_group_arn = $tg" "target_group_arn output"
expect_out "lb.target_group_arn_suffix = ${tg##*:}" "target_group_arn_suffix output"
expect_out "lb.target_group_arn_suffix = targetgroup/tg-catalog-dev/" "the suffix starts with targetgroup/"

# --- plan right after: no changes; a redeploy sends no mutating request; outputs by lookups
sh plan --detailed-exitcode
expect_rc 0 "plan after deploy"
expect_out "no changes: the account matches the configuration" "plan after deploy"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 0 "second deploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a second deploy"
checks=$((checks + 1))
grep -q "elasticloadbalancing DescribeLoadBalancers" "$proxy_log" || fail "the proxy saw the second deploy"
: >"$proxy_log"
sh outputs
expect_rc 0 "outputs"
expect_out "lb.alb_url = http://$dns" "outputs: alb_url"
expect_out "lb.target_group_arn = $tg" "outputs: target_group_arn"
expect_equal "" "$(proxy_mutations)" "mutating requests of outputs"

# --- drift: an attribute, the security group, a subnet, the health check, the delay, a tag, the listener
tasks_sg=$(awscli ec2 describe-security-groups --filters Name=tag:Name,Values=sg-catalog-tasks-dev | json 'd["SecurityGroups"][0]["GroupId"]')
alb_sg=$(awscli ec2 describe-security-groups --filters Name=tag:Name,Values=sg-catalog-alb-dev | json 'd["SecurityGroups"][0]["GroupId"]')
sub_a=$(awscli ec2 describe-subnets --filters Name=tag:Name,Values=subnet-catalog-public-a-dev | json 'd["Subnets"][0]["SubnetId"]')
sub_b=$(awscli ec2 describe-subnets --filters Name=tag:Name,Values=subnet-catalog-public-b-dev | json 'd["Subnets"][0]["SubnetId"]')
listener=$(awscli elbv2 describe-listeners --load-balancer-arn "$arn" | json 'd["Listeners"][0]["ListenerArn"]')
awscli elbv2 modify-load-balancer-attributes --load-balancer-arn "$arn" \
    --attributes Key=routing.http.drop_invalid_header_fields.enabled,Value=false >/dev/null
awscli elbv2 set-security-groups --load-balancer-arn "$arn" --security-groups "$tasks_sg" >/dev/null
awscli elbv2 set-subnets --load-balancer-arn "$arn" --subnets "$sub_a" "$sub_b" >/dev/null
awscli elbv2 modify-target-group --target-group-arn "$tg" --health-check-path /x --health-check-interval-seconds 30 \
    --matcher HttpCode=200-399 >/dev/null
awscli elbv2 modify-target-group-attributes --target-group-arn "$tg" \
    --attributes Key=deregistration_delay.timeout_seconds,Value=300 >/dev/null
awscli elbv2 remove-tags --resource-arns "$arn" "$listener" --tag-keys CostCenter
awscli elbv2 modify-listener --listener-arn "$listener" \
    --default-actions 'Type=redirect,RedirectConfig={Protocol=HTTPS,Port=443,StatusCode=HTTP_302}' >/dev/null
: >"$proxy_log"
sh plan --detailed-exitcode
expect_rc 3 "plan with drift"
# each field before -> after; a list longer than 60 characters keeps its first and last items
expect_out "~   update    load balancer alb-catalog-dev (security groups [\"$tasks_sg\"] -> [\"$alb_sg\"], subnets [\"$sub_a\",\"$sub_b\"] -> [\"$sub_a\",...,\"" \
    "plan shows the load balancer's security group and subnets"
expect_out "\"], drop invalid header fields off -> on, tag CostCenter (none) -> retail-catalog)" \
    "plan shows the load balancer's attribute and tag"
expect_out "~   update    target group tg-catalog-dev (health check path /x -> /health, health check interval 30 -> 15, health check matcher 200-399 -> 200, deregistration delay 300 s -> 30 s)" \
    "plan shows the target group's drift"
expect_out "~   update    listener alb-catalog-dev:80 (action redirect to https 443 with 302 without host path query -> forward to tg-catalog-dev, tag CostCenter (none) -> retail-catalog)" \
    "plan shows the listener's drift"
expect_equal "" "$(proxy_mutations)" "mutating requests of a plan with drift"
sh --auto-approve deploy
expect_rc 0 "deploy repairs drift"
expect_lb "the load balancer after repairing drift" catalog dev

# --- a second load balancer of the name with the stack's tags (a lost create of an older tool): it goes
# shellcheck disable=SC2086
extra=$(awscli elbv2 create-load-balancer --name alb-catalog-dev --subnets "$sub_a" "$sub_b" --tags $owned_tags |
    json 'd["LoadBalancers"][0]["LoadBalancerArn"]')
sh plan --detailed-exitcode
expect_rc 3 "plan with a duplicate load balancer"
expect_out "-   delete    load balancer alb-catalog-dev (a duplicate of the one kept: ${extra#*:loadbalancer/})" \
    "plan names the duplicate"
sh --auto-approve deploy
expect_rc 0 "deploy removes the duplicate"
expect_err "delete load balancer alb-catalog-dev (a duplicate of the one kept: ${extra#*:loadbalancer/})" "the duplicate deleted"
expect_lb "the load balancer after removing a duplicate" catalog dev
expect_equal "$arn" "$(alb_arn dev)" "the load balancer in use is the one kept"

# --- one port, one place: a certificate behind a group that does not open 443, or the tasks'
# port written again in lb, is refused before any request, naming the file and line
cert=$(awscli acm request-certificate --domain-name catalog.example.com | json 'd["CertificateArn"]')
sed -e "s|lb = {};|lb = { certificate_arn = \"$cert\"; target_port = 9090; };|" "$cfg" >"$tmp/closed.cfg"
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/closed.cfg" -e dev --only network,lb plan --detailed-exitcode
expect_rc 2 "a certificate without 443 open, and lb.target_port"
expect_err "$tmp/closed.cfg:" "the file and line"
expect_err "plugins.lb.certificate_arn: certificate_arn adds the https listener on 443 (and 80 redirects to it), but network.alb_ports opens only 80: add 443 to network.alb_ports" \
    "the certificate refused"
expect_err "plugins.lb.target_port: the tasks' port is written once, as network.task_port (8080)" "the port key refused"
expect_equal "" "$(cat "$proxy_log")" "requests of a refused configuration"

# --- a certificate: HTTPS 443 forwards, 80 redirects; removed: 80 forwards again, 443 goes
sed -e "s|lb = {};|lb = { certificate_arn = \"$cert\"; };|" \
    -e 's|network = { nat_per_az = false; }|network = { nat_per_az = false; alb_ports = [80, 443]; }|' "$cfg" >"$tmp/cert.cfg"
shc() { AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/cert.cfg" -e dev --only network,lb "$@"; }
shc plan --detailed-exitcode
expect_rc 3 "plan with a certificate"
expect_out "+   create    listener alb-catalog-dev:443 (HTTPS 443, forward to tg-catalog-dev, policy ELBSecurityPolicy-TLS13-1-2-2021-06, the certificate)" \
    "plan: the https listener"
expect_out "~   update    listener alb-catalog-dev:80 (action forward to tg-catalog-dev -> redirect to https 443 with 301)" \
    "plan: the redirect"
: >"$proxy_json"
shc --auto-approve deploy
expect_rc 0 "deploy with a certificate"
expect_out "lb.alb_url = https://$dns" "alb_url with a certificate"
expect_lb "the load balancer with a certificate" catalog dev --cert "$cert"
order=$(python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
made = [l["end"] for l in lines if l["operation"] == "CreateListener"]
redirect = [l["start"] for l in lines if l["operation"] == "ModifyListener"]
print("ok" if made and redirect and max(made) < min(redirect) else f"create ended {made}, modify started {redirect}")' "$proxy_json")
expect_equal "ok" "$order" "443 made before 80 redirects to it"
shc plan --detailed-exitcode
expect_rc 0 "plan after deploying the certificate"
sh plan --detailed-exitcode
expect_rc 3 "plan without the certificate"
expect_out "~   update    listener alb-catalog-dev:80 (action redirect to https 443 with 301 -> forward to tg-catalog-dev)" \
    "plan: 80 forwards again"
expect_out "-   delete    listener alb-catalog-dev:443 (not configured)" "plan: 443 goes"
sh --auto-approve deploy
expect_rc 0 "deploy without the certificate"
expect_out "lb.alb_url = http://$dns" "alb_url without a certificate"
expect_lb "the load balancer without the certificate" catalog dev

# --- what cannot change in place: replaced only with --allow-replace
# the scheme (an internal load balancer with the stack's name and tags, made by hand in its place)
alb_sg=$(awscli ec2 describe-security-groups --filters Name=tag:Name,Values=sg-catalog-alb-dev | json 'd["SecurityGroups"][0]["GroupId"]')
awscli elbv2 delete-load-balancer --load-balancer-arn "$arn"
# shellcheck disable=SC2086
internal=$(awscli elbv2 create-load-balancer --name alb-catalog-dev --scheme internal --subnets "$sub_a" "$sub_b" \
    --security-groups "$alb_sg" --tags $owned_tags Key=CostCenter,Value=retail-catalog | json 'd["LoadBalancers"][0]["LoadBalancerArn"]')
sh plan --detailed-exitcode
expect_rc 1 "plan with an internal load balancer, without --allow-replace"
expect_err "load balancer alb-catalog-dev: scheme internal -> internet-facing, which cannot change in place: deploy with --allow-replace" \
    "plan refuses as deploy will"
sh --allow-replace plan --detailed-exitcode
expect_rc 3 "plan --allow-replace with an internal load balancer"
expect_out "replace   load balancer alb-catalog-dev (scheme internal -> internet-facing)" "plan: the load balancer's replacement"
expect_out "+   create    listener alb-catalog-dev:80 (HTTP 80, forward to tg-catalog-dev)" "plan: its listener made again"
sh --allow-replace --auto-approve deploy
expect_rc 0 "deploy --allow-replace an internal load balancer"
expect_err "delete load balancer alb-catalog-dev (to replace it: scheme internal -> internet-facing)" "the replacement reported"
expect_lb "the load balancer after its replacement" catalog dev
checks=$((checks + 1))
[ "$(alb_arn dev)" != "$internal" ] || fail "the internal load balancer was replaced"
# the tasks' port, written once as network.task_port: the target group follows it
sed 's|network = { nat_per_az = false; }|network = { nat_per_az = false; task_port = 9090; }|' "$cfg" >"$tmp/port.cfg"
shq() { AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/port.cfg" -e dev --only network,lb "$@"; }
shq plan --detailed-exitcode
expect_rc 1 "plan with another target port, without --allow-replace"
expect_err "target group tg-catalog-dev: port 8080 -> 9090, which cannot change in place: deploy with --allow-replace" \
    "plan refuses as deploy will"
shq --allow-replace plan --detailed-exitcode
expect_rc 3 "plan --allow-replace with another target port"
expect_out "replace   target group tg-catalog-dev (port 8080 -> 9090)" "plan: the target group's replacement"
expect_out "-/+ replace   listener alb-catalog-dev:80 (it forwards to the target group replaced" \
    "plan: the listener deleted and made again, as deploy does"
: >"$proxy_log"
shq --auto-approve deploy
expect_rc 1 "deploy another target port without --allow-replace"
expect_err "target group tg-catalog-dev: port 8080 -> 9090, which cannot change in place: deploy with --allow-replace" \
    "the replacement refused"
expect_equal "" "$(lb_mutations)" "load balancer requests that change something, for a refused replacement"
shq --allow-replace --auto-approve deploy
expect_rc 0 "deploy --allow-replace another target port"
expect_err "delete target group tg-catalog-dev (to replace it: port 8080 -> 9090)" "the target group's replacement reported"
expect_lb "the load balancer after the target group's replacement" catalog dev --port 9090

# --- destroy: nothing owned remains; a second destroy succeeds
sh --auto-approve destroy
expect_rc 0 "destroy"
expect_err "delete load balancer alb-catalog-dev (with its listeners)" "destroy reports the load balancer"
expect_err "delete target group tg-catalog-dev" "destroy reports the target group"
expect_lb "leftovers after destroy" --gone catalog dev
expect_network "the network after destroy" --gone catalog dev
sh --auto-approve destroy
expect_rc 0 "second destroy"
expect_err "destroy complete" "second destroy"

# --- prod: deletion protection on (in aws, in the configuration, or both): destroy refuses,
# nothing sent that changes; a deploy with it false turns it off; then destroy waits for the
# load balancer's network interfaces (moto makes none: one is made here) on its deadline
shp() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e prod --only network,lb "$@"; }
sed 's/deletion_protection = true;/deletion_protection = false;/' "$cfg" >"$tmp/unprotected.cfg"
shu() { AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/unprotected.cfg" -e prod --only network,lb "$@"; }
shp --auto-approve deploy
expect_rc 0 "deploy prod"
expect_lb "the load balancer with deletion protection" catalog prod --protection
: >"$proxy_log"
shp --auto-approve destroy
expect_rc 1 "destroy of a protected load balancer"
expect_err "error: lb: load balancer alb-catalog-prod has deletion protection on (in aws and in the configuration): destroy will not delete it; set lb.deletion_protection = false for this environment, run deploy (which turns it off), then destroy" \
    "the refusal names the key"
shu --auto-approve destroy
expect_rc 1 "destroy of a load balancer protected in aws alone"
expect_err "has deletion protection on (in aws):" "protection in aws refuses too"
shp plan --detailed-exitcode --destroy
expect_rc 1 "plan --destroy of a protected load balancer"
expect_err "has deletion protection on" "plan --destroy shows the refusal"
expect_equal "" "$(proxy_mutations)" "mutating requests of refused destroys"
expect_lb "the protected load balancer after refused destroys" catalog prod --protection
shu --auto-approve deploy
expect_rc 0 "deploy prod with deletion protection false"
expect_err "update load balancer alb-catalog-prod (deletion protection on -> off)" "deploy turns it off"
expect_lb "the load balancer without deletion protection" catalog prod
prod_arn=$(alb_arn prod)
sub=$(awscli ec2 describe-subnets --filters Name=tag:Name,Values=subnet-catalog-public-a-prod | json 'd["Subnets"][0]["SubnetId"]')
eni=$(awscli ec2 create-network-interface --subnet-id "$sub" --description "ELB app/alb-catalog-prod/${prod_arn##*/}" |
    json 'd["NetworkInterface"]["NetworkInterfaceId"]')
STACKHOST_DESTROY_TIMEOUT=3 shu --auto-approve destroy
expect_rc 1 "destroy while the load balancer's interface lingers"
expect_err "delete load balancer alb-catalog-prod (with its listeners)" "destroy deletes it"
expect_err "load balancer alb-catalog-prod to be deleted and its network interfaces to go" \
    "destroy names what it waited for"
expect_err "1 left: $eni" "destroy names the interface"
expect_equal "1" "$(awscli elbv2 describe-target-groups --names tg-catalog-prod | json 'len(d["TargetGroups"])')" \
    "the target group waits for the interfaces"
awscli ec2 delete-network-interface --network-interface-id "$eni"
shu --auto-approve destroy
expect_rc 0 "destroy once the interface is gone"
expect_lb "leftovers after the prod destroy" --gone catalog prod

# --- a load balancer and a target group with the stack's names but not its tags: refused, untouched
e2e_reset
def_subnets=$(awscli ec2 describe-subnets --filters Name=default-for-az,Values=true | json '" ".join(s["SubnetId"] for s in d["Subnets"][:2])')
def_vpc=$(awscli ec2 describe-vpcs --filters Name=is-default,Values=true | json 'd["Vpcs"][0]["VpcId"]')
# shellcheck disable=SC2086
foreign=$(awscli elbv2 create-load-balancer --name alb-catalog-dev --subnets $def_subnets | json 'd["LoadBalancers"][0]["LoadBalancerArn"]')
foreign_tg=$(awscli elbv2 create-target-group --name tg-catalog-dev --protocol HTTP --port 80 --vpc-id "$def_vpc" |
    json 'd["TargetGroups"][0]["TargetGroupArn"]')
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 1 "deploy with a foreign load balancer and target group"
expect_err "a load balancer named alb-catalog-dev exists without this stack's ownership tags (Project=catalog, Environment=dev, ManagedBy=stackhost)" \
    "foreign load balancer error"
expect_err "a target group named tg-catalog-dev exists without this stack's ownership tags" "foreign target group error"
expect_equal "" "$(lb_mutations)" "load balancer requests that change something, with foreign ones in the way"
sh --auto-approve destroy
expect_rc 0 "destroy leaves the foreign ones"
expect_err "load balancer alb-catalog-dev (${foreign#*:loadbalancer/}) is not this stack's (no ownership tags): left alone" \
    "destroy says the foreign load balancer stays"
expect_equal "" "$(lb_mutations)" "load balancer requests that change something, destroying with foreign ones"
expect_equal "$foreign" "$(alb_arn dev)" "the foreign load balancer is untouched"
expect_equal "$foreign_tg" "$(tg_arn dev)" "the foreign target group is untouched"

# --- the region's quota of application load balancers (50 by default; moto's service quotas
# answers nothing for elasticloadbalancing): 49 of someone else's beside the foreign one
awscli elbv2 delete-target-group --target-group-arn "$foreign_tg"
awscli elbv2 delete-load-balancer --load-balancer-arn "$foreign"
# shellcheck disable=SC2086
"$venv/bin/python" - $def_subnets <<'PY'
import os, sys
import boto3
elb = boto3.client("elbv2", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
for i in range(50):
    elb.create_load_balancer(Name=f"other-{i}", Subnets=sys.argv[1:])
PY
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 1 "deploy past the load balancer quota"
expect_err "this deploy needs a new application load balancer (alb-catalog-dev), and region us-east-1 already has 50 of its 50 (service quotas L-53DA6B97)" \
    "quota error"
expect_equal "" "$(lb_mutations)" "load balancer requests that change something, past the quota"

checks_done
