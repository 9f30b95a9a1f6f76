#!/usr/bin/env python3
"""Checks the lb section of catalog-stack.md in the emulator with boto3 (an
independent reading, not stackhost's): the load balancer, its attributes,
the target group with its health check and deregistration delay, the
listeners, and the tags of each, against the network the network plugin
made (found by its Name tags).

usage: check_lb.py STACK ENV [--protection] [--cert ARN] [--port N] [--path P]
                                       exit 0 when every row holds
       check_lb.py --gone STACK ENV    exit 0 when nothing owned remains
--protection: deletion protection must be on (default off); --cert: HTTPS
443 with that certificate and HTTP 80 redirecting to it (default: HTTP 80
forwarding); --port/--path: the target group's port and health check path
(default 8080, /health). Prints one line per failed check.
"""
import argparse
import os
import sys

import boto3

parser = argparse.ArgumentParser()
parser.add_argument("--gone", action="store_true")
parser.add_argument("--protection", action="store_true")
parser.add_argument("--cert")
parser.add_argument("--port", type=int, default=8080)
parser.add_argument("--path", default="/health")
parser.add_argument("stack")
parser.add_argument("env")
a = parser.parse_args()
S, E = a.stack, a.env
kw = {"endpoint_url": os.environ["AWS_ENDPOINT_URL"], "region_name": os.environ["AWS_REGION"]}
elb, ec2 = boto3.client("elbv2", **kw), boto3.client("ec2", **kw)
alb_name, tg_name = f"alb-{S}-{E}", f"tg-{S}-{E}"
owned = {"Project": S, "Environment": E, "ManagedBy": "stackhost"}
wanted_tags = dict(owned, CostCenter="retail-catalog")
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def tags_of(arns):
    if not arns:
        return {}
    described = elb.describe_tags(ResourceArns=arns)["TagDescriptions"]
    return {d["ResourceArn"]: {t["Key"]: t["Value"] for t in d.get("Tags", [])} for d in described}


def tagged(arn, tags, what):
    for k, v in wanted_tags.items():
        check(tags.get(arn, {}).get(k) == v, f"{what}: tag {k} is {tags.get(arn, {}).get(k)!r}, expected {v!r}")


# Every load balancer: moto's DescribeLoadBalancers by name shows only one of a duplicated name.
albs = [b for b in elb.describe_load_balancers(PageSize=400)["LoadBalancers"] if b["LoadBalancerName"] == alb_name]
tgs = [g for g in elb.describe_target_groups()["TargetGroups"] if g["TargetGroupName"] == tg_name]
tags = tags_of([b["LoadBalancerArn"] for b in albs] + [g["TargetGroupArn"] for g in tgs])


def is_owned(arn):
    return all(tags.get(arn, {}).get(k) == v for k, v in owned.items())


if a.gone:
    for b in albs:
        check(not is_owned(b["LoadBalancerArn"]), f"load balancer {b['LoadBalancerArn']} remains")
    for g in tgs:
        check(not is_owned(g["TargetGroupArn"]), f"target group {g['TargetGroupArn']} remains")
else:
    def named(resources, field, names):
        return [r[field] for r in resources if {t["Key"]: t["Value"] for t in r.get("Tags", [])}.get("Name") in names]

    vpcs = named(ec2.describe_vpcs()["Vpcs"], "VpcId", [f"vpc-{S}-{E}"])
    vpc_id = vpcs[0] if vpcs else None
    subnets = named(ec2.describe_subnets()["Subnets"], "SubnetId", [f"subnet-{S}-public-{z}-{E}" for z in "abc"])
    sg = named(ec2.describe_security_groups()["SecurityGroups"], "GroupId", [f"sg-{S}-alb-{E}"])
    check(vpc_id and len(subnets) == 3 and len(sg) == 1, f"the network: vpc {vpc_id}, public subnets {subnets}, group {sg}")

    check(len(albs) == 1, f"one load balancer {alb_name}, found {len(albs)}")
    check(len(tgs) == 1, f"one target group {tg_name}, found {len(tgs)}")
    tg_arn = tgs[0]["TargetGroupArn"] if tgs else None
    if albs:
        b = albs[0]
        arn = b["LoadBalancerArn"]
        check(b["Scheme"] == "internet-facing", f"scheme {b['Scheme']}")
        check(b["Type"] == "application", f"type {b['Type']}")
        check(b["IpAddressType"] == "ipv4", f"ip address type {b['IpAddressType']}")
        check(b["State"]["Code"] == "active", f"state {b['State']}")
        check(b["VpcId"] == vpc_id, f"vpc {b['VpcId']}, expected {vpc_id}")
        check(sorted(z["SubnetId"] for z in b["AvailabilityZones"]) == sorted(subnets),
              f"subnets {[z['SubnetId'] for z in b['AvailabilityZones']]}, expected {subnets}")
        check(b.get("SecurityGroups") == sg, f"security groups {b.get('SecurityGroups')}, expected {sg}")
        attrs = {x["Key"]: x["Value"] for x in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
        check(attrs.get("routing.http.drop_invalid_header_fields.enabled") == "true",
              f"drop invalid header fields {attrs.get('routing.http.drop_invalid_header_fields.enabled')}")
        protection = "true" if a.protection else "false"
        check(attrs.get("deletion_protection.enabled") == protection,
              f"deletion protection {attrs.get('deletion_protection.enabled')}, expected {protection}")
        tagged(arn, tags, "load balancer")

        listeners = elb.describe_listeners(LoadBalancerArn=arn)["Listeners"]
        ports = sorted(x["Port"] for x in listeners)
        check(ports == ([80, 443] if a.cert else [80]), f"listener ports {ports}")
        listener_tags = tags_of([x["ListenerArn"] for x in listeners])
        for x in listeners:
            what = f"listener {x['Port']}"
            tagged(x["ListenerArn"], listener_tags, what)
            actions = x["DefaultActions"]
            check(len(actions) == 1, f"{what}: {len(actions)} actions")
            act = actions[0] if actions else {}
            forward = x["Port"] == 443 or not a.cert
            if forward:
                check(x["Protocol"] == ("HTTPS" if x["Port"] == 443 else "HTTP"), f"{what}: protocol {x['Protocol']}")
                check(act.get("Type") == "forward" and act.get("TargetGroupArn") == tg_arn,
                      f"{what}: action {act}, expected forward to {tg_arn}")
            else:
                r = act.get("RedirectConfig", {})
                check(x["Protocol"] == "HTTP", f"{what}: protocol {x['Protocol']}")
                check(act.get("Type") == "redirect" and r.get("Protocol") == "HTTPS" and str(r.get("Port")) == "443"
                      and r.get("StatusCode") == "HTTP_301", f"{what}: action {act}, expected a redirect to https 443")
            if x["Port"] == 443:
                check(x.get("SslPolicy") == "ELBSecurityPolicy-TLS13-1-2-2021-06", f"{what}: policy {x.get('SslPolicy')}")
                certs = [c["CertificateArn"] for c in x.get("Certificates", [])]
                check(certs == [a.cert], f"{what}: certificates {certs}, expected {a.cert}")
    if tgs:
        g = tgs[0]
        want = {"Protocol": "HTTP", "Port": a.port, "VpcId": vpc_id, "TargetType": "ip", "HealthCheckProtocol": "HTTP",
                "HealthCheckPath": a.path, "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5,
                "HealthyThresholdCount": 2, "UnhealthyThresholdCount": 3, "HealthCheckEnabled": True}
        for k, v in want.items():
            check(g.get(k) == v, f"target group {k} is {g.get(k)!r}, expected {v!r}")
        check(g.get("Matcher", {}).get("HttpCode") == "200", f"target group matcher {g.get('Matcher')}")
        attrs = {x["Key"]: x["Value"] for x in elb.describe_target_group_attributes(TargetGroupArn=tg_arn)["Attributes"]}
        check(str(attrs.get("deregistration_delay.timeout_seconds")) == "30",
              f"deregistration delay {attrs.get('deregistration_delay.timeout_seconds')}")
        tagged(tg_arn, tags, "target group")

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
