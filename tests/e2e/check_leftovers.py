#!/usr/bin/env python3
"""Lists what a stack left in the account, in every service the catalog
stack uses, read with boto3 (never with stackhost): everything tagged
Project=STACK, Environment=ENV, and everything named like the stack's
resources whatever its tags. States AWS keeps visible for a while count as
gone (catalog-stack.md, "Destroy"): NAT gateways `deleted`, ECS clusters and
services `INACTIVE`, task definitions `INACTIVE`/`DELETE_IN_PROGRESS`, KMS
keys `PendingDeletion`.

usage: check_leftovers.py STACK ENV [--quiet] [--orphan-alarms N]
Prints one line per resource left ("nothing left of STACK/ENV" when none);
exits 1 when something is left.
--orphan-alarms N: moto keeps the pair of target tracking alarms of a
scaling policy that was put again (a put retried after its answer was
lost; AWS replaces the pair), and a pair so kept outlives the policy:
exactly N such alarms of the stack's service are then expected, not
counted as left.
"""
import os
import sys

import boto3
import botocore.exceptions

S, E = sys.argv[1], sys.argv[2]
quiet = "--quiet" in sys.argv[3:]
orphan_alarms = int(sys.argv[sys.argv.index("--orphan-alarms") + 1]) if "--orphan-alarms" in sys.argv else 0
kw = {"endpoint_url": os.environ["AWS_ENDPOINT_URL"], "region_name": os.environ["AWS_REGION"]}
client = lambda name: boto3.client(name, **kw)  # noqa: E731
left = []


def owned(tags, key="Key", value="Value"):
    d = {t[key]: t[value] for t in tags or []}
    return d.get("Project") == S and d.get("Environment") == E


def named(name):
    """The stack's names: {type}-S-...-E, S-...-E (security groups), /S/E/ (parameters)."""
    return name and (name.endswith(f"-{E}") and (f"-{S}-" in name or name.startswith(f"{S}-")))


def ec2_leftovers():
    ec2 = client("ec2")
    tag_filter = [{"Name": "tag:Project", "Values": [S]}, {"Name": "tag:Environment", "Values": [E]}]
    kinds = [
        ("vpc", "describe_vpcs", "Vpcs", "VpcId"),
        ("subnet", "describe_subnets", "Subnets", "SubnetId"),
        ("internet gateway", "describe_internet_gateways", "InternetGateways", "InternetGatewayId"),
        ("route table", "describe_route_tables", "RouteTables", "RouteTableId"),
        ("security group", "describe_security_groups", "SecurityGroups", "GroupId"),
        ("elastic ip", "describe_addresses", "Addresses", "AllocationId"),
    ]
    for kind, op, key, ident in kinds:
        for item in getattr(ec2, op)(Filters=tag_filter)[key]:
            left.append(f"{kind} {item[ident]}")
    # moto's tag filter on NAT gateways is unreliable: read them all
    for nat in ec2.describe_nat_gateways()["NatGateways"]:
        if nat["State"] not in ("deleted", "deleting", "failed") and owned(nat.get("Tags")):
            left.append(f"nat gateway {nat['NatGatewayId']} ({nat['State']})")
    for g in ec2.describe_security_groups()["SecurityGroups"]:
        if named(g["GroupName"]) and not owned(g.get("Tags")):
            left.append(f"security group {g['GroupName']} ({g['GroupId']}, untagged)")


def elbv2_leftovers():
    elb = client("elbv2")
    for lb in elb.describe_load_balancers()["LoadBalancers"]:
        if named(lb["LoadBalancerName"]):
            left.append(f"load balancer {lb['LoadBalancerName']} ({lb['State']['Code']})")
    for tg in elb.describe_target_groups()["TargetGroups"]:
        if named(tg["TargetGroupName"]):
            left.append(f"target group {tg['TargetGroupName']}")


def ecr_leftovers():
    for r in client("ecr").describe_repositories()["repositories"]:
        if named(r["repositoryName"]):
            left.append(f"ecr repository {r['repositoryName']}")


def iam_leftovers():
    iam = client("iam")
    for r in iam.list_roles()["Roles"]:
        if named(r["RoleName"]):
            left.append(f"iam role {r['RoleName']}")
    for p in iam.list_policies(Scope="Local")["Policies"]:
        if named(p["PolicyName"]):
            left.append(f"iam policy {p['PolicyName']}")


def ssm_leftovers():
    ssm = client("ssm")
    pages = ssm.get_paginator("describe_parameters").paginate(
        ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": [f"/{S}/{E}"]}])
    for page in pages:
        for p in page["Parameters"]:
            left.append(f"ssm parameter {p['Name']}")


def ecs_leftovers():
    ecs = client("ecs")
    for arn in ecs.list_clusters()["clusterArns"]:
        cluster = ecs.describe_clusters(clusters=[arn])["clusters"][0]
        if cluster["status"] == "INACTIVE":
            continue
        if named(cluster["clusterName"]):
            left.append(f"ecs cluster {cluster['clusterName']}")
        services = ecs.list_services(cluster=arn)["serviceArns"]
        for i in range(0, len(services), 10):
            for svc in ecs.describe_services(cluster=arn, services=services[i:i + 10])["services"]:
                if svc["status"] != "INACTIVE" and named(svc["serviceName"]):
                    left.append(f"ecs service {svc['serviceName']} ({svc['status']})")
    family = f"task-{S}-{E}"
    for arn in ecs.list_task_definitions(familyPrefix=family, status="ACTIVE")["taskDefinitionArns"]:
        if arn.split("/")[-1].rsplit(":", 1)[0] == family:
            left.append(f"task definition {arn.split('/')[-1]} (ACTIVE)")


def logs_leftovers():
    for g in client("logs").describe_log_groups(logGroupNamePrefix="logs-")["logGroups"]:
        if named(g["logGroupName"]):
            left.append(f"log group {g['logGroupName']}")


def scaling_leftovers():
    aas = client("application-autoscaling")
    resource = f"service/cluster-{S}-{E}/svc-{S}-{E}"
    for t in aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]:
        if t["ResourceId"] == resource:
            left.append(f"scalable target {resource}")
    for p in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"]:
        if p["ResourceId"] == resource:
            left.append(f"scaling policy {p['PolicyName']}")


def monitoring_leftovers():
    cw = client("cloudwatch")
    tracking = []
    for a in cw.describe_alarms()["MetricAlarms"]:
        name = a["AlarmName"]
        dims = {d["Name"]: d["Value"] for d in a.get("Dimensions", [])}
        # AWS-owned target tracking alarms of the stack's service count too: they go with the policy
        if name.startswith("TargetTracking-") and dims.get("ServiceName") == f"svc-{S}-{E}" \
                and dims.get("ClusterName") == f"cluster-{S}-{E}":
            tracking.append(f"cloudwatch alarm {name}")
        elif named(name):
            left.append(f"cloudwatch alarm {name}")
    if len(tracking) != orphan_alarms:
        left.extend(tracking)
    sns = client("sns")
    for t in sns.list_topics()["Topics"]:
        if named(t["TopicArn"].split(":")[-1]):
            left.append(f"sns topic {t['TopicArn'].split(':')[-1]}")
    kms = client("kms")
    for alias in kms.list_aliases()["Aliases"]:
        if alias["AliasName"] == f"alias/kms-{S}-alarms-{E}":
            left.append(f"kms alias {alias['AliasName']}")
    for key in kms.list_keys()["Keys"]:
        try:
            meta = kms.describe_key(KeyId=key["KeyId"])["KeyMetadata"]
            tags = kms.list_resource_tags(KeyId=key["KeyId"]).get("Tags", [])
        except botocore.exceptions.ClientError:
            continue
        if meta["KeyState"] != "PendingDeletion" and owned(tags, "TagKey", "TagValue"):
            left.append(f"kms key {key['KeyId']} ({meta['KeyState']})")


for look in (ec2_leftovers, elbv2_leftovers, ecr_leftovers, iam_leftovers, ssm_leftovers, ecs_leftovers,
             logs_leftovers, scaling_leftovers, monitoring_leftovers):
    look()

for line in left:
    print(line)
if not left and not quiet:
    print(f"nothing left of {S}/{E}")
sys.exit(1 if left else 0)
