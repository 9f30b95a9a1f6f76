#!/usr/bin/env python3
"""Checks the observability resources of catalog-stack.md in the emulator
with boto3 (an independent reading, not stackhost's).

usage: check_observability.py STACK ENV [--notify A,B] [--cpu N] [--min-healthy N]
                              [--cpu-window P,E,D] [--healthy-window P,E,D] [--no-encrypt]
           exit 0 when every row holds: the key (exactly one tagged for the alias, in
           any state; with encryption enabled, behind the alias, with its policy,
           rotation and tags), the topic under it, one e-mail subscription per address,
           both alarms exactly as the catalog has them (dimensions checked against the
           ALB, target group, cluster and service read from the account)
       check_observability.py --gone STACK ENV
           exit 0 when no alarm, topic or alias is left and every key tagged for the
           alias is pending deletion
Defaults: --cpu 80, --min-healthy 2, --cpu-window 60,3,3, --healthy-window 60,2,2, no
addresses. Prints one line per failed check.
"""
import argparse
import json
import os
import sys

import boto3
import botocore.exceptions

parser = argparse.ArgumentParser()
parser.add_argument("--gone", action="store_true")
parser.add_argument("--notify", default="")
parser.add_argument("--cpu", type=int, default=80)
parser.add_argument("--min-healthy", type=int, default=2)
parser.add_argument("--cpu-window", default="60,3,3")
parser.add_argument("--healthy-window", default="60,2,2")
parser.add_argument("--no-encrypt", action="store_true")
parser.add_argument("stack")
parser.add_argument("env")
args = parser.parse_args()
S, E = args.stack, args.env
kw = {"endpoint_url": os.environ["AWS_ENDPOINT_URL"], "region_name": os.environ["AWS_REGION"]}
kms, sns, cw = boto3.client("kms", **kw), boto3.client("sns", **kw), boto3.client("cloudwatch", **kw)
elbv2, ecs = boto3.client("elbv2", **kw), boto3.client("ecs", **kw)
account = boto3.client("sts", **kw).get_caller_identity()["Account"]
alias = f"alias/kms-{S}-alarms-{E}"
topic_arn = f"arn:aws:sns:{kw['region_name']}:{account}:sns-{S}-alarms-{E}"
cpu_name, healthy_name = f"alarm-{S}-cpu-high-{E}", f"alarm-{S}-healthy-tasks-low-{E}"
owned = {"Project": S, "Environment": E, "ManagedBy": "stackhost", "CostCenter": "retail-catalog"}
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def tags_of(pairs, key="Key", value="Value"):
    return {t[key]: t[value] for t in pairs}


def our_keys():
    """Every key carrying the ownership tags and the tag naming our alias."""
    found = []
    for k in kms.list_keys()["Keys"]:
        tags = tags_of(kms.list_resource_tags(KeyId=k["KeyId"])["Tags"], "TagKey", "TagValue")
        if all(tags.get(n) == v for n, v in owned.items()) and tags.get("Alias") == alias:
            found.append(kms.describe_key(KeyId=k["KeyId"])["KeyMetadata"])
    return found


def alias_target():
    return next((a.get("TargetKeyId") for a in kms.list_aliases()["Aliases"] if a["AliasName"] == alias), None)


def topic_exists():
    try:
        sns.get_topic_attributes(TopicArn=topic_arn)
        return True
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "NotFound":
            return False
        raise


alarms = {a["AlarmName"]: a for a in cw.describe_alarms(AlarmNames=[cpu_name, healthy_name])["MetricAlarms"]}
keys = our_keys()

if args.gone:
    check(not alarms, f"alarms remain: {sorted(alarms)}")
    check(not topic_exists(), f"topic {topic_arn} remains")
    check(alias_target() is None, f"alias {alias} remains")
    check(len(keys) <= 1, f"at most one key tagged for {alias}, found {len(keys)}")
    for k in keys:
        check(k["KeyState"] == "PendingDeletion", f"key {k['KeyId']} is {k['KeyState']}, not PendingDeletion")
else:
    check(len(keys) == 1, f"exactly one key tagged for {alias}, found {len(keys)}: "
          f"{[(k['KeyId'], k['KeyState']) for k in keys]}")
    key = keys[0] if keys else None
    if args.no_encrypt:
        check(alias_target() is None, f"alias {alias} remains with encrypt = false")
        for k in keys:
            check(k["KeyState"] == "PendingDeletion", f"key {k['KeyId']} is {k['KeyState']} with encrypt = false")
    elif key:
        check(alias_target() == key["KeyId"], f"{alias} points at {alias_target()}, not {key['KeyId']}")
        check(key["KeyState"] == "Enabled", f"key state {key['KeyState']}")
        check(key["KeySpec"] == "SYMMETRIC_DEFAULT" and key["KeyUsage"] == "ENCRYPT_DECRYPT",
              f"key spec {key['KeySpec']} usage {key['KeyUsage']}")
        check(key.get("KeyManager") == "CUSTOMER", "customer managed key")
        check(bool(key.get("Description")), "key description")
        check(kms.get_key_rotation_status(KeyId=key["KeyId"])["KeyRotationEnabled"] is True, "key rotation on")
        policy = json.loads(kms.get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
        statements = policy["Statement"] if isinstance(policy["Statement"], list) else [policy["Statement"]]
        check(len(statements) == 2, f"two key policy statements: {statements}")
        root = [s for s in statements if s.get("Principal", {}).get("AWS") == f"arn:aws:iam::{account}:root"]
        check(len(root) == 1 and root[0]["Effect"] == "Allow" and root[0]["Action"] in ("kms:*", ["kms:*"])
              and root[0]["Resource"] == "*", f"the account root may do kms:* ({root})")
        service = [s for s in statements if s.get("Principal", {}).get("Service") == "cloudwatch.amazonaws.com"]
        actions = sorted(service[0]["Action"]) if service and isinstance(service[0]["Action"], list) else []
        check(len(service) == 1 and service[0]["Effect"] == "Allow" and service[0]["Resource"] == "*"
              and actions == ["kms:Decrypt", "kms:GenerateDataKey*"],
              f"cloudwatch.amazonaws.com may kms:Decrypt and kms:GenerateDataKey* ({service})")
        condition = service[0].get("Condition", {}) if service else {}
        check(condition.get("StringEquals", {}).get("aws:SourceAccount") == account
              and condition.get("ArnLike", {}).get("aws:SourceArn") == f"arn:aws:cloudwatch:{kw['region_name']}:{account}:alarm:*",
              f"cloudwatch.amazonaws.com may use the key for this account's alarms only ({condition})")

    # the topic, under the key, tagged
    topics = [t["TopicArn"] for t in sns.list_topics()["Topics"] if t["TopicArn"] == topic_arn]
    check(len(topics) == 1, f"one topic {topic_arn}, found {len(topics)}")
    if topics:
        attrs = sns.get_topic_attributes(TopicArn=topic_arn)["Attributes"]
        want = "" if args.no_encrypt or not key else key["Arn"]
        check(attrs.get("KmsMasterKeyId", "") == want, f"topic KmsMasterKeyId {attrs.get('KmsMasterKeyId')!r}, "
              f"not {want!r}")
        tags = tags_of(sns.list_tags_for_resource(ResourceArn=topic_arn)["Tags"])
        check(all(tags.get(n) == v for n, v in owned.items()), f"topic tags {tags}")
        subs = sns.list_subscriptions_by_topic(TopicArn=topic_arn)["Subscriptions"]
        emails = sorted(s["Endpoint"] for s in subs if s["Protocol"] == "email")
        notify = sorted(a for a in args.notify.split(",") if a)
        check(emails == notify, f"email subscriptions {emails}, not {notify}")

    # the alarms, against what the account holds
    albs = [lb for lb in elbv2.describe_load_balancers()["LoadBalancers"] if lb["LoadBalancerName"] == f"alb-{S}-{E}"]
    tgs = [tg for tg in elbv2.describe_target_groups()["TargetGroups"] if tg["TargetGroupName"] == f"tg-{S}-{E}"]
    check(len(albs) == 1 and len(tgs) == 1, f"one alb and one target group, found {len(albs)} and {len(tgs)}")
    alb_suffix = albs[0]["LoadBalancerArn"].split(":loadbalancer/", 1)[1] if albs else None
    tg_suffix = tgs[0]["TargetGroupArn"].rsplit(":", 1)[1] if tgs else None
    clusters = ecs.describe_clusters(clusters=[f"cluster-{S}-{E}"])["clusters"]
    active = any(c["status"] == "ACTIVE" for c in clusters)
    check(active, f"cluster cluster-{S}-{E} is active")
    services = ecs.describe_services(cluster=f"cluster-{S}-{E}", services=[f"svc-{S}-{E}"])["services"] if active else []
    check(any(s["status"] == "ACTIVE" for s in services), f"service svc-{S}-{E} is active")

    def window(text):
        return [int(x) for x in text.split(",")]

    wanted = {
        cpu_name: ("AWS/ECS", "CPUUtilization", "Average", window(args.cpu_window), "GreaterThanThreshold",
                   args.cpu, {"ClusterName": f"cluster-{S}-{E}", "ServiceName": f"svc-{S}-{E}"}, ("missing", None)),
        healthy_name: ("AWS/ApplicationELB", "HealthyHostCount", "Minimum", window(args.healthy_window),
                       "LessThanThreshold", args.min_healthy, {"TargetGroup": tg_suffix, "LoadBalancer": alb_suffix},
                       ("breaching",)),
    }
    check(sorted(alarms) == sorted(wanted), f"alarms {sorted(alarms)}")
    for name, (namespace, metric, stat, (period, evaluations, datapoints), comparison, threshold, dims,
               missing) in wanted.items():
        a = alarms.get(name)
        if not a:
            continue
        got = (a["Namespace"], a["MetricName"], a.get("Statistic"), a["Period"], a["EvaluationPeriods"],
               a.get("DatapointsToAlarm"), a["ComparisonOperator"], a["Threshold"])
        want = (namespace, metric, stat, period, evaluations, datapoints, comparison, float(threshold))
        check(got == want, f"{name}: {got}, not {want}")
        check({d["Name"]: d["Value"] for d in a["Dimensions"]} == dims and len(a["Dimensions"]) == 2,
              f"{name} dimensions {a['Dimensions']}, not {dims}")
        check(a.get("TreatMissingData") in missing, f"{name} missing data {a.get('TreatMissingData')}")
        check(a["ActionsEnabled"] and a["AlarmActions"] == [topic_arn] and a["OKActions"] == [topic_arn]
              and not a["InsufficientDataActions"], f"{name} actions {a['AlarmActions']} ok {a['OKActions']}")
        tags = tags_of(cw.list_tags_for_resource(ResourceARN=a["AlarmArn"])["Tags"])
        check(all(tags.get(n) == v for n, v in owned.items()), f"{name} tags {tags}")

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
