#!/usr/bin/env bash
# stackhost cost: the example's dev and prod in us-east-1 against a table
# computed here by hand from AWS's prices (NAT gateway $0.045/h, public
# IPv4 $0.005/h, ALB $0.0225/h, Fargate $0.04048 per vCPU-hour and
# $0.004445 per GB-hour, KMS $1/month, alarms $0.10/month, 730 hours a
# month), --set, a region the table lacks, a price table of one's own
# (e2e.json checks the JSON against its schema). No AWS account: cost
# reads the configuration alone.
# usage: test_cost.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
cfg=$src/examples/catalog.cfg
export CATALOG_DB_URL=postgres://catalog.example/db

# The fixed parts by price, from catalog.cfg: 1 vCPU and 2 GB a task, 2 tasks
# at scaling's min (10 at its max); dev shares one NAT gateway, prod has one
# per zone (3); the load balancer holds a public address in each of 3 zones;
# two alarms of observability, two of target tracking's cpu policy; one key.
hand_check() { # ENV NATS JSON_FILE
    python3 - "$@" <<'PY'
import json, sys
env, nats, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
d = json.load(open(path))
H = 730
want = {
    "nat_gateway_hour": nats * 0.045 * H,
    "public_ipv4_hour": (nats + 3) * 0.005 * H,
    "alb_hour": 0.0225 * H,
    "fargate_vcpu_hour": 2 * 1 * 0.04048 * H,
    "fargate_gb_hour": 2 * 2 * 0.004445 * H,
    "kms_key_month": 1.0,
    "cloudwatch_alarm_month": 4 * 0.10,
    "ssm_parameter_month": 0.0,
}
got = {}
for p in d["parts"]:
    if not p["usage"]:
        got[p["price"]] = got.get(p["price"], 0) + p["monthly_usd"]
bad = [f"{k}: {got.get(k)} != {round(v, 2)}" for k, v in want.items() if abs(got.get(k, -1) - v) > 0.011]
bad += [f"{k}: not in the hand table" for k in got if k not in want]
fixed = sum(want.values())
if abs(d["totals"]["fixed_monthly_usd"] - fixed) > 0.02:
    bad.append(f"fixed total {d['totals']['fixed_monthly_usd']} != {round(fixed, 2)}")
usage = sum(p["monthly_usd"] for p in d["parts"] if p["usage"])
if abs(d["totals"]["monthly_usd"] - (fixed + usage)) > 0.03:
    bad.append(f"total {d['totals']['monthly_usd']} != fixed + usage {round(fixed + usage, 2)}")
vcpu_max = 10 * 1 * 0.04048 * H + 10 * 2 * 0.004445 * H
if abs(d["totals"]["monthly_usd_max"] - (d["totals"]["monthly_usd"] - want["fargate_vcpu_hour"] - want["fargate_gb_hour"] + vcpu_max)) > 0.05:
    bad.append(f"max total {d['totals']['monthly_usd_max']} does not price 10 tasks")
if d["region"] != "us-east-1" or d["currency"] != "USD" or d["hours_per_month"] != 730 or not d["prices_as_of"]:
    bad.append("region, currency, hours or date missing")
if any(p["usage"] and not p["assumption"] for p in d["parts"]):
    bad.append("a usage part without its assumption")
print("; ".join(bad) if bad else "ok", f"{d['totals']['monthly_usd']:.2f}")
PY
}

for e in dev:1 prod:3; do
    env=${e%:*} nats=${e#*:}
    run -c "$cfg" -e "$env" cost --json
    expect_rc 0 "cost $env --json"
    printf '%s' "$out" >"$tmp/$env.json"
    read -r verdict total <<<"$(hand_check "$env" "$nats" "$tmp/$env.json")"
    expect_equal "ok" "$verdict" "$env: the fixed parts match the hand-computed table"
    run -c "$cfg" -e "$env" cost
    expect_rc 0 "cost $env"
    expect_out "catalog-$env: \$$total a month" "$env: the text total is the json's"
    expect_out "an estimate: USD on-demand list prices of us-east-1" "$env: says it is an estimate"
    expect_out "taxes, free tier, savings plans and discounts not applied" "$env: says what is not applied"
    expect_out "usage: 100 GB a month through the NAT gateway" "$env: names the nat usage assumption"
    expect_out "(network.nat_gb_per_month)" "$env: names the key of the assumption"
done

# dev with a NAT gateway per zone costs what prod's gateways cost: two more gateways and addresses
run -c "$cfg" -e dev cost --json --set network.nat_per_az=true
printf '%s' "$out" >"$tmp/dev3.json"
read -r verdict _ <<<"$(hand_check dev 3 "$tmp/dev3.json")"
expect_equal "ok" "$verdict" "dev with --set network.nat_per_az=true prices three gateways"
run -c "$cfg" -e dev cost --set network.nat_gb_per_month=1000
expect_out "\$45.00  1000 x \$0.045/GB" "an assumption set with --set"
run -c "$cfg" -e dev cost --set network.nat_gb_per_month=100000
expect_out "\$4,500.00  100000 x \$0.045/GB" "thousands are grouped"

# a region the table has no prices for: an error naming it, nothing priced
sed 's/region = "us-east-1"/region = "ap-south-1"/' "$cfg" >"$tmp/south.cfg"
run -c "$tmp/south.cfg" -e dev cost
expect_rc 1 "a region without prices"
expect_err "the price table has no nat_gateway_hour price for region ap-south-1" "names the region and the price"
# a table of one's own, and one that is not a table
python3 - "$src/pricing/prices.json" "$tmp/double.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["prices"]["alb_hour"]["regions"]["us-east-1"]["usd"] = 0.045
json.dump(d, open(sys.argv[2], "w"))
PY
STACKHOST_PRICES=$tmp/double.json run -c "$cfg" -e dev cost
expect_out "\$32.85  1 x \$0.045/hour x 730 h (application load balancer" "STACKHOST_PRICES names the table"
echo '{"prices": 1}' >"$tmp/bad.json"
STACKHOST_PRICES=$tmp/bad.json run -c "$cfg" -e dev cost
expect_rc 1 "a price table that is not one"
expect_err "$tmp/bad.json: not a price table of format_version 1" "names the file"

# scripts/refresh-prices against offer files of AWS's Price List form (tests/fixtures/pricing):
# a figure found is refreshed with the file's date; the product family tells the ALB from the NLB,
# the exact usage type its capacity units from an Outposts' ($0); SNS's price is the tier after its
# free 1,000 e-mails; a figure not found is kept and named, exit 1
python3 "$src/scripts/refresh-prices" --table "$src/pricing/prices.json" --out "$tmp/refreshed.json" \
    --offers-dir "$src/tests/fixtures/pricing" >"$tmp/refresh.out" 2>"$tmp/refresh.err"
rc=$? out=$(cat "$tmp/refresh.out") err=$(cat "$tmp/refresh.err")
expect_rc 1 "refresh with most offer files missing"
expect_out "nat_gateway_hour us-east-1: 0.045 -> 0.046" "a changed price is said"
expect_err "not found: kms_key_month us-east-1: no offer file awskms" "a price not found is named"
expect_equal "0.046|2026-11-30|0.0225|2026-11-29|0.009|2e-05|2026-11-28|0.048" "$(python3 -c '
import json, sys
p = json.load(open(sys.argv[1]))["prices"]
r = lambda k, g: p[k]["regions"][g]
print("|".join(str(x) for x in (r("nat_gateway_hour", "us-east-1")["usd"], r("nat_gateway_hour", "us-east-1")["as_of"],
    r("alb_hour", "us-east-1")["usd"], r("alb_hour", "us-east-1")["as_of"], r("alb_lcu_hour", "us-east-1")["usd"],
    r("sns_email", "us-east-1")["usd"], r("sns_email", "us-east-1")["as_of"], r("nat_gateway_hour", "eu-west-1")["usd"])))
' "$tmp/refreshed.json")" "refreshed figures and dates; the application load balancer's, not the network one's; not the outposts' capacity units; sns after its free tier; the rest kept"
STACKHOST_PRICES=$tmp/refreshed.json run -c "$cfg" -e dev cost
expect_out "\$33.58  1 x \$0.046/hour x 730 h (NAT gateway" "the refreshed table prices the estimate"

checks_done
