#!/usr/bin/env python3
"""Checks the scaling of catalog-stack.md in the emulator with boto3 (an
independent reading, not stackhost's): the scalable target of the service
and its target tracking policies, every field read back, and the
target-tracking alarms Application Auto Scaling made for them.

usage: check_scaling.py [--orphan-pairs N] STACK ENV MIN MAX CPU [MEMORY]
           exit 0 when the target is MIN..MAX, the CPU policy holds CPU %,
           the memory policy MEMORY % (absent or 0: no memory policy)
       check_scaling.py [--orphan-pairs N] --gone STACK ENV
           exit 0 when no target or policy of the service remains

Alarms: each policy lists the two alarms it owns, which must exist. moto
makes a new pair on every PutScalingPolicy of an existing policy and keeps
the old pair (AWS replaces it), and a pair left so outlives the policy:
--orphan-pairs N says how many such pairs the caller caused (a policy
changed, a put retried after a lost answer). Every other TargetTracking
alarm of the service is a failure. Prints one line per failed check.
"""
import argparse
import os
import sys

import boto3

parser = argparse.ArgumentParser()
parser.add_argument("--gone", action="store_true")
parser.add_argument("--orphan-pairs", type=int, default=0)
parser.add_argument("stack")
parser.add_argument("env")
parser.add_argument("numbers", nargs="*", type=int)
args = parser.parse_args()
S, E = args.stack, args.env
kw = {"endpoint_url": os.environ["AWS_ENDPOINT_URL"], "region_name": os.environ["AWS_REGION"]}
aas, cloudwatch = boto3.client("application-autoscaling", **kw), boto3.client("cloudwatch", **kw)
cluster, service = f"cluster-{S}-{E}", f"svc-{S}-{E}"
resource_id = f"service/{cluster}/{service}"
dimension = "ecs:service:DesiredCount"
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


targets = [t for t in aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
           if t["ResourceId"] == resource_id]
policies = [p for p in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]
            if p["ResourceId"] == resource_id]
alarms = [a for page in cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=f"TargetTracking-{resource_id}-")
          for a in page["MetricAlarms"]]

if args.gone:
    check(not targets, f"scalable target {resource_id} remains")
    check(not policies, f"policies remain: {[p['PolicyName'] for p in policies]}")
else:
    low, high, cpu = args.numbers[:3]
    memory = args.numbers[3] if len(args.numbers) > 3 else 0
    check(len(targets) == 1, f"one scalable target {resource_id}, found {len(targets)}")
    for t in targets[:1]:
        check(t["ScalableDimension"] == dimension, f"dimension {t['ScalableDimension']}")
        check((t["MinCapacity"], t["MaxCapacity"]) == (low, high),
              f"capacity {t['MinCapacity']}..{t['MaxCapacity']}, want {low}..{high}")
        suspended = t.get("SuspendedState") or {}
        check(not any(suspended.values()), f"scaling suspended: {suspended}")
    want = {f"scaling-{S}-cpu-{E}": ("ECSServiceAverageCPUUtilization", cpu)}
    if memory:
        want[f"scaling-{S}-memory-{E}"] = ("ECSServiceAverageMemoryUtilization", memory)
    check(sorted(p["PolicyName"] for p in policies) == sorted(want),
          f"policies {sorted(p['PolicyName'] for p in policies)}, want {sorted(want)}")
    for p in policies:
        if p["PolicyName"] not in want:
            continue
        metric, value = want[p["PolicyName"]]
        c = p.get("TargetTrackingScalingPolicyConfiguration", {})
        check(p["PolicyType"] == "TargetTrackingScaling", f"{p['PolicyName']}: type {p['PolicyType']}")
        check(p["ScalableDimension"] == dimension, f"{p['PolicyName']}: dimension {p['ScalableDimension']}")
        check(c.get("PredefinedMetricSpecification", {}).get("PredefinedMetricType") == metric,
              f"{p['PolicyName']}: metric {c.get('PredefinedMetricSpecification')}")
        check(float(c.get("TargetValue", -1)) == value, f"{p['PolicyName']}: target {c.get('TargetValue')}, want {value}")
        check(c.get("ScaleOutCooldown") == 60, f"{p['PolicyName']}: scale-out cooldown {c.get('ScaleOutCooldown')}")
        check(c.get("ScaleInCooldown") == 300, f"{p['PolicyName']}: scale-in cooldown {c.get('ScaleInCooldown')}")
        check(c.get("DisableScaleIn") is False, f"{p['PolicyName']}: DisableScaleIn {c.get('DisableScaleIn')}")

# The alarms: a pair per policy, listed by it; nothing else but the pairs moto left.
names = {a["AlarmName"] for a in alarms}
owned = set()
for p in policies:
    listed = {a["AlarmName"] for a in p.get("Alarms", [])}
    check(len(listed) == 2, f"{p['PolicyName']} lists {len(listed)} alarms, not a pair")
    check(listed <= names, f"{p['PolicyName']}'s alarms missing: {sorted(listed - names)}")
    owned |= listed
for a in alarms:
    dims = {d["Name"]: d["Value"] for d in a["Dimensions"]}
    check(dims == {"ClusterName": cluster, "ServiceName": service}, f"alarm {a['AlarmName']} dimensions {dims}")
left = sorted(names - owned)
check(len(left) == 2 * args.orphan_pairs,
      f"{len(left)} target-tracking alarms of no current policy, want {2 * args.orphan_pairs}: {left}")

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
