#!/usr/bin/env bash
# The network plugin end to end against moto's server, checked with boto3
# and the AWS CLI (never with stackhost's reading): every row of the
# network table, plan with no changes, a redeploy that sends no mutating
# request (counted by a proxy), drift repaired, a foreign VPC left alone,
# destroy twice, and the single-NAT variant.
# usage: test_network.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_proxy

cfg=$tmp/network.cfg
cat >"$cfg" <<CFG
stack = { name = "catalog"; region = "us-east-1"; tags = { CostCenter = "retail-catalog"; }; };
plugins = { network = { cidr = "10.0.0.0/16"; }; };
environments = { dev = { plugins = { network = { nat_per_az = false; }; }; }; prod = {}; };
CFG
# stackhost goes through the counting proxy; the checkers talk to moto directly.
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" "$@"; }

# --- deploy: every row of the table, one NAT per zone
sh -e prod --auto-approve deploy
expect_rc 0 "deploy prod"
expect_out "network.vpc_id = vpc-" "outputs after deploy"
# zones by zone id (moto: use1-az1 us-east-1b, az2 us-east-1c, az3 us-east-1e)
expect_out "network.availability_zones = us-east-1b, us-east-1c, us-east-1e" "zones output"
expect_network "the network after deploy" catalog prod 3

# --- plan right after: no changes, exit 0; a redeploy sends no mutating request
sh -e prod plan --detailed-exitcode
expect_rc 0 "plan after deploy"
expect_out "no changes: the account matches the configuration" "plan after deploy"
: >"$proxy_log"
sh -e prod --auto-approve deploy
expect_rc 0 "second deploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a second deploy"
checks=$((checks + 1))
grep -q "ec2 DescribeVpcs" "$proxy_log" || fail "the proxy saw the second deploy"

# --- drift: a route deleted and an ssh rule added by hand
rtb=$(awscli ec2 describe-route-tables --filters Name=tag:Name,Values=rtb-catalog-private-a-prod | json 'd["RouteTables"][0]["RouteTableId"]')
awscli ec2 delete-route --route-table-id "$rtb" --destination-cidr-block 0.0.0.0/0
sg=$(awscli ec2 describe-security-groups --filters Name=tag:Name,Values=sg-catalog-tasks-prod | json 'd["SecurityGroups"][0]["GroupId"]')
awscli ec2 authorize-security-group-ingress --group-id "$sg" --protocol tcp --port 22 --cidr 0.0.0.0/0 >/dev/null
sh -e prod plan --detailed-exitcode
expect_rc 3 "plan with drift"
expect_out "~   update    route table rtb-catalog-private-a-prod (route 0.0.0.0/0 (none) -> nat-" "plan shows the route"
expect_out "rules of security group sg-catalog-tasks-prod (-ingress tcp 22 from 0.0.0.0/0)" "plan shows the ssh rule"
sh -e prod --auto-approve deploy
expect_rc 0 "deploy repairs drift"
expect_network "the network after repairing drift" catalog prod 3

# --- destroy: nothing owned remains; a second destroy succeeds
sh -e prod --auto-approve destroy
expect_rc 0 "destroy"
expect_network "leftovers after destroy" --gone catalog prod
sh -e prod --auto-approve destroy
expect_rc 0 "second destroy"
expect_err "destroy complete" "second destroy"

# --- dev: one shared NAT gateway, deployed and destroyed
sh -e dev --auto-approve deploy
expect_rc 0 "deploy dev"
expect_network "the single-nat network" catalog dev 1
# what a gateway per zone would cost: the two gateways and addresses it adds, and the totals
# (one gateway $32.85, its address $3.65, 100 GB assumed through it $4.50)
sh -e dev plan --set network.nat_per_az=true
expect_rc 0 "plan of nat_per_az"
expect_out "create    nat gateway nat-catalog-b-dev  +\$32.85/month" "the plan prices a new gateway"
expect_out "create    elastic ip eip-catalog-nat-c-dev  +\$3.65/month" "the plan prices a new address"
expect_out "cost: \$41.00 -> \$114.00 a month (+\$73.00); an estimate from us-east-1 list prices" "the totals"
sh -e dev plan
expect_out "no changes: the account matches the configuration" "a plan without changes"
expect_out "cost: \$41.00 a month, no change" "a plan without changes shows the total"
# a subnet whose cidr changes is not deleted while an interface (the NAT gateway's) is in it
sed 's|cidr = "10.0.0.0/16"; }|cidr = "10.0.0.0/16"; public_subnets = ["10.0.30.0/24", "10.0.1.0/24", "10.0.2.0/24"]; }|' \
    "$cfg" >"$tmp/replace.cfg"
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/replace.cfg" -e dev --allow-replace --auto-approve deploy
expect_rc 1 "replacing a subnet in use"
expect_err "subnet subnet-catalog-public-a-dev cannot be replaced while it is in use (1 network interface in the way: eni-" \
    "replacement refused, naming the interface"
expect_equal "" "$(proxy_mutations)" "mutating requests of a refused replacement"
expect_network "the single-nat network after a refused replacement" catalog dev 1
sh -e dev --auto-approve destroy
expect_rc 0 "destroy dev"
expect_network "leftovers after destroying dev" --gone catalog dev

# --- a vpc with our name but not our tags: deploy stops before changing anything
e2e_reset
awscli ec2 create-vpc --cidr-block 10.7.0.0/16 \
    --tag-specifications 'ResourceType=vpc,Tags=[{Key=Name,Value=vpc-catalog-dev}]' >/dev/null
: >"$proxy_log"
sh -e dev --auto-approve deploy
expect_rc 1 "foreign vpc"
expect_err "a vpc named vpc-catalog-dev exists without this stack's ownership tags (Project=catalog, Environment=dev, ManagedBy=stackhost)" \
    "foreign vpc error"
expect_equal "" "$(proxy_mutations)" "mutating requests with a foreign vpc in the way"
expect_equal "1" "$(awscli ec2 describe-vpcs --filters Name=tag:Name,Values=vpc-catalog-dev | json 'len(d["Vpcs"])')" \
    "the foreign vpc is untouched"

# --- destroy waits for what is in the way on one deadline, and names it
e2e_reset
sh -e dev --auto-approve deploy
sg=$(awscli ec2 describe-security-groups --filters Name=tag:Name,Values=sg-catalog-tasks-dev | json 'd["SecurityGroups"][0]["GroupId"]')
sub=$(awscli ec2 describe-subnets --filters Name=tag:Name,Values=subnet-catalog-private-a-dev | json 'd["Subnets"][0]["SubnetId"]')
eni=$(awscli ec2 create-network-interface --subnet-id "$sub" --groups "$sg" --description "a task" | json 'd["NetworkInterface"]["NetworkInterfaceId"]')
STACKHOST_DESTROY_TIMEOUT=3 sh -e dev --auto-approve destroy
expect_rc 1 "destroy with an interface in the way"
expect_err "1 network interface in the way: $eni (a task)" "destroy names what is in the way"
awscli ec2 delete-network-interface --network-interface-id "$eni"
sh -e dev --auto-approve destroy
expect_rc 0 "destroy once the interface is gone"
expect_network "leftovers after the second destroy" --gone catalog dev

# --- quotas: three addresses of someone else's leave room for 2 of the 3 needed: nothing is made
e2e_reset
for _ in 1 2 3; do awscli ec2 allocate-address --domain vpc >/dev/null; done
: >"$proxy_log"
sh -e prod --auto-approve deploy
expect_rc 1 "deploy past the elastic ip quota"
expect_err "this deploy needs 3 new elastic ips, and region us-east-1 already has 3 of its 5 (vpc-max-elastic-ips)" \
    "quota error"
expect_equal "" "$(proxy_mutations)" "mutating requests of a deploy past the quota"

# --- four more vpcs beside moto's default one: a fifth would pass the quota of 5
e2e_reset
for i in 1 2 3 4; do awscli ec2 create-vpc --cidr-block "10.$((100 + i)).0.0/16" >/dev/null; done
: >"$proxy_log"
sh -e dev --auto-approve deploy
expect_rc 1 "deploy past the vpc quota"
expect_err "this deploy needs a new vpc, and region us-east-1 already has 5 of its 5" "vpc quota error"
expect_equal "" "$(proxy_mutations)" "mutating requests of a deploy past the vpc quota"

# --- a second owned elastic ip of the same name (a lost answer of an older run): the extra one goes
e2e_reset
sh -e dev --auto-approve deploy
tags='{Key=Name,Value=eip-catalog-nat-a-dev},{Key=Project,Value=catalog},{Key=Environment,Value=dev},{Key=ManagedBy,Value=stackhost}'
extra=$(awscli ec2 allocate-address --domain vpc --tag-specifications "ResourceType=elastic-ip,Tags=[$tags]" | json 'd["AllocationId"]')
sh -e dev plan --detailed-exitcode
expect_rc 3 "plan with a duplicate elastic ip"
expect_out "delete    elastic ip eip-catalog-nat-a-dev (a duplicate ($extra): the one in use is kept)" "plan names the duplicate"
sh -e dev --auto-approve deploy
expect_rc 0 "deploy removes the duplicate"
expect_network "the network after removing a duplicate" catalog dev 1
expect_equal "0" "$(awscli ec2 describe-addresses --allocation-ids "$extra" 2>/dev/null | json 'len(d["Addresses"])' 2>/dev/null || echo 0)" \
    "the duplicate is released"

# --- zones: named ones are used; a later run keeps the zones its subnets are in
e2e_reset
sed 's|cidr = "10.0.0.0/16"; }|cidr = "010.0.0.0/16"; zones = ["us-east-1d", "us-east-1f", "us-east-1a"]; }|' "$cfg" >"$tmp/zones.cfg"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/zones.cfg" -e dev --auto-approve deploy
expect_rc 0 "deploy with named zones"
expect_out "network.availability_zones = us-east-1d, us-east-1f, us-east-1a" "named zones"
sh -e dev plan --detailed-exitcode
expect_rc 0 "plan without the zones key keeps the subnets' zones (and 010.0.0.0/16 is 10.0.0.0/16)"

checks_done
