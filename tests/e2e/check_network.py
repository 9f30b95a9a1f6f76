#!/usr/bin/env python3
"""Checks the network of catalog-stack.md in the emulator with boto3 (the
AWS CLI's own library: an independent reading, not stackhost's).

usage: check_network.py STACK ENV NATS      exit 0 when every row holds;
       check_network.py --gone STACK ENV    exit 0 when nothing owned remains.
Prints one line per failed check. CHECK_ALB_PORTS (default 80): the ports
the load balancer's group opens, comma-separated (80,443 with a certificate).
"""
import ipaddress
import os
import sys

import boto3

args = sys.argv[1:]
gone = args[0] == "--gone"
if gone:
    args = args[1:]
S, E = args[0], args[1]
ec2 = boto3.client("ec2", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def owned_filters(name=None):
    f = [{"Name": "tag:Project", "Values": [S]}, {"Name": "tag:Environment", "Values": [E]}]
    if name:
        f.append({"Name": "tag:Name", "Values": [name]})
    return f


def tags(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def one(items, what):
    check(len(items) == 1, f"{what}: expected 1, found {len(items)}")
    return items[0] if items else {}


def tagged(resource, name, what):
    t = tags(resource)
    want = {"Name": name, "Project": S, "Environment": E, "ManagedBy": "stackhost", "CostCenter": "retail-catalog"}
    for k, v in want.items():
        check(t.get(k) == v, f"{what}: tag {k} is {t.get(k)!r}, expected {v!r}")


if gone:
    left = {
        "vpcs": ec2.describe_vpcs(Filters=owned_filters())["Vpcs"],
        "subnets": ec2.describe_subnets(Filters=owned_filters())["Subnets"],
        "internet gateways": ec2.describe_internet_gateways(Filters=owned_filters())["InternetGateways"],
        "route tables": ec2.describe_route_tables(Filters=owned_filters())["RouteTables"],
        "security groups": ec2.describe_security_groups(Filters=owned_filters())["SecurityGroups"],
        "addresses": ec2.describe_addresses(Filters=owned_filters())["Addresses"],
        # deleted NAT gateways stay listed a while: they count as gone
        "nat gateways": [n for n in ec2.describe_nat_gateways()["NatGateways"]
                         if tags(n).get("Project") == S and tags(n).get("Environment") == E and n["State"] != "deleted"],
    }
    for kind, items in left.items():
        check(not items, f"{len(items)} {kind} remain after destroy")
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)

nats_wanted = int(args[2])
name = lambda t, p=None: f"{t}-{S}-{p}-{E}" if p else f"{t}-{S}-{E}"

vpc = one(ec2.describe_vpcs(Filters=owned_filters(name("vpc")))["Vpcs"], "vpc")
vpc_id = vpc.get("VpcId")
tagged(vpc, name("vpc"), "vpc")
check(vpc.get("CidrBlock") == "10.0.0.0/16", f"vpc cidr {vpc.get('CidrBlock')}")
for attr, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
    value = ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attr)[key]["Value"]
    check(value is True, f"vpc {attr} is {value}")

default_sg = one(ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]},
                                                       {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"],
                 "default security group")
rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [default_sg.get("GroupId")]}])
check(not rules["SecurityGroupRules"], f"default security group has {len(rules['SecurityGroupRules'])} rules")

# stackhost picks zones by zone id (names map to other physical zones in each account)
zones = [z["ZoneName"] for z in sorted(ec2.describe_availability_zones(
    Filters=[{"Name": "state", "Values": ["available"]}, {"Name": "zone-type", "Values": ["availability-zone"]}])
    ["AvailabilityZones"], key=lambda z: z["ZoneId"])][:3]
public, private = {}, {}
for i, letter in enumerate("abc"):
    for kind, third, table in (("public", i, public), ("private", 10 + i, private)):
        n = name("subnet", f"{kind}-{letter}")
        s = one(ec2.describe_subnets(Filters=owned_filters(n) + [{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"], n)
        tagged(s, n, n)
        check(s.get("CidrBlock") == f"10.0.{third}.0/24", f"{n} cidr {s.get('CidrBlock')}")
        check(s.get("AvailabilityZone") == zones[i], f"{n} zone {s.get('AvailabilityZone')}, expected {zones[i]}")
        check(s.get("MapPublicIpOnLaunch") is False, f"{n} maps public ips")
        table[zones[i]] = s.get("SubnetId")
check(len(set(public)) == 3, "public subnets are not in three distinct zones")

igw = one(ec2.describe_internet_gateways(Filters=owned_filters(name("igw")))["InternetGateways"], "internet gateway")
tagged(igw, name("igw"), "internet gateway")
check([a.get("VpcId") for a in igw.get("Attachments", [])] == [vpc_id], "internet gateway is not attached to the vpc")

nats = [n for n in ec2.describe_nat_gateways(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["NatGateways"]
        if n["State"] == "available"]
check(len(nats) == nats_wanted, f"{len(nats)} available nat gateways, expected {nats_wanted}")
nat_in_zone = {}
for i, letter in enumerate("abc"[:nats_wanted]):
    n = name("nat", letter)
    nat = one([x for x in nats if tags(x).get("Name") == n], n)
    tagged(nat, n, n)
    check(nat.get("SubnetId") == public[zones[i]], f"{n} is not in the public subnet of {zones[i]}")
    e = name("eip", f"nat-{letter}")
    eip = one(ec2.describe_addresses(Filters=owned_filters(e))["Addresses"], e)
    tagged(eip, e, e)
    check(eip.get("Domain") == "vpc", f"{e} domain {eip.get('Domain')}")
    check(any(a.get("AllocationId") == eip.get("AllocationId") for a in nat.get("NatGatewayAddresses", [])),
          f"{n} does not use {e}")
    nat_in_zone[zones[i]] = nat.get("NatGatewayId")

def default_route(table):
    return [r for r in table.get("Routes", []) if r.get("DestinationCidrBlock") == "0.0.0.0/0"]

rtb = one(ec2.describe_route_tables(Filters=owned_filters(name("rtb", "public")))["RouteTables"], "public route table")
tagged(rtb, name("rtb", "public"), "public route table")
check([r.get("GatewayId") for r in default_route(rtb)] == [igw.get("InternetGatewayId")],
      "public route table does not send 0.0.0.0/0 to the internet gateway")
check(sorted(a.get("SubnetId") for a in rtb.get("Associations", []) if a.get("SubnetId")) == sorted(public.values()),
      "public route table is not associated with exactly the public subnets")
for i, letter in enumerate("abc"):
    n = name("rtb", f"private-{letter}")
    t = one(ec2.describe_route_tables(Filters=owned_filters(n))["RouteTables"], n)
    tagged(t, n, n)
    want_nat = nat_in_zone[zones[i]] if nats_wanted == 3 else nat_in_zone[zones[0]]
    check([r.get("NatGatewayId") for r in default_route(t)] == [want_nat],
          f"{n} does not send 0.0.0.0/0 to {want_nat}")
    check([a.get("SubnetId") for a in t.get("Associations", []) if a.get("SubnetId")] == [private[zones[i]]],
          f"{n} is not associated with exactly the private subnet of {zones[i]}")

groups = {}
for purpose in ("alb", "tasks"):
    n = name("sg", purpose)
    g = one(ec2.describe_security_groups(Filters=owned_filters(n) + [{"Name": "vpc-id", "Values": [vpc_id]}])
            ["SecurityGroups"], n)
    tagged(g, n, n)
    check(g.get("GroupName") == f"{S}-{purpose}-{E}", f"{n} group name {g.get('GroupName')}")
    groups[purpose] = g.get("GroupId")

def rules_of(group):
    out = set()
    for r in ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])["SecurityGroupRules"]:
        peer = r.get("CidrIpv4") or (r.get("ReferencedGroupInfo") or {}).get("GroupId")
        out.add(("egress" if r["IsEgress"] else "ingress", r["IpProtocol"], r.get("FromPort"), r.get("ToPort"), peer))
    return out

alb_ports = [int(p) for p in os.environ.get("CHECK_ALB_PORTS", "80").split(",")]
want_alb = {("ingress", "tcp", p, p, "0.0.0.0/0") for p in alb_ports} | {("egress", "tcp", 8080, 8080, groups["tasks"])}
want_tasks = {("ingress", "tcp", 8080, 8080, groups["alb"]), ("egress", "tcp", 443, 443, "0.0.0.0/0"),
              ("egress", "tcp", 5432, 5432, "10.0.0.0/16")}
for purpose, want in (("alb", want_alb), ("tasks", want_tasks)):
    have = rules_of(groups[purpose])
    check(have == want, f"sg {purpose} rules: extra {sorted(map(str, have - want))}, missing {sorted(map(str, want - have))}")

for f in failures:
    print("FAIL:", f)
sys.exit(1 if failures else 0)
