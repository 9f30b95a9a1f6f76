#!/usr/bin/env python3
"""Checks the compute rows of catalog-stack.md in the emulator with boto3
(an independent reading, not stackhost's): every value it compares with
is found here by name or tag (subnets, security group, target group,
repository, parameters), never taken from stackhost's outputs.

usage: check_compute.py [--task-policy JSON] STACK ENV IMAGE_TAG DESIRED REVISIONS
           exit 0 when every row holds; REVISIONS: ACTIVE revisions of the family
       check_compute.py --gone STACK ENV
           exit 0 when nothing of compute remains (INACTIVE services and
           clusters, INACTIVE / DELETE_IN_PROGRESS task definitions count as gone)
Prints one line per failed check.
"""
import json
import os
import sys
import urllib.parse

import boto3
import botocore.exceptions

args = sys.argv[1:]
gone = args[0] == "--gone"
if gone:
    args = args[1:]
task_policy = None
if args[0] == "--task-policy":
    task_policy, args = json.loads(args[1]), args[2:]
S, E = args[0], args[1]
region = os.environ["AWS_REGION"]
kw = {"endpoint_url": os.environ["AWS_ENDPOINT_URL"], "region_name": region}
ecs, logs, iam = boto3.client("ecs", **kw), boto3.client("logs", **kw), boto3.client("iam", **kw)
account = boto3.client("sts", **kw).get_caller_identity()["Account"]
cluster, log_group, family, service = f"cluster-{S}-{E}", f"logs-{S}-{E}", f"task-{S}-{E}", f"svc-{S}-{E}"
exec_role, task_role, container = f"role-{S}-exec-{E}", f"role-{S}-task-{E}", f"{S}-api"
owned = {"Project": S, "Environment": E, "ManagedBy": "stackhost", "CostCenter": "retail-catalog"}
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def tags_ok(tags, what):
    check(all(tags.get(k) == v for k, v in owned.items()), f"{what} tags {tags}")


def ecs_tags(items):
    return {t["key"]: t["value"] for t in items or []}


def document(doc):
    """IAM answers documents percent-encoded (boto3 decodes most of them)."""
    if isinstance(doc, str):
        doc = json.loads(urllib.parse.unquote(doc))
    return doc


def as_list(v):
    return v if isinstance(v, list) else [v]


def role(name):
    try:
        return iam.get_role(RoleName=name)["Role"]
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "NoSuchEntity":
            return None
        raise


def revisions(status):
    arns = ecs.list_task_definitions(familyPrefix=family, status=status)["taskDefinitionArns"]
    return [a for a in arns if f":task-definition/{family}:" in a]


def active_clusters():
    found = ecs.describe_clusters(clusters=[cluster], include=["TAGS", "SETTINGS"])["clusters"]
    return [c for c in found if c["status"] != "INACTIVE"]


def active_services():
    try:
        found = ecs.describe_services(cluster=cluster, services=[service], include=["TAGS"])["services"]
    except botocore.exceptions.ClientError as error:
        if error.response["Error"]["Code"] == "ClusterNotFoundException":
            return []
        raise
    return [s for s in found if s["status"] != "INACTIVE"]


def log_groups():
    return [g for g in logs.describe_log_groups(logGroupNamePrefix=log_group)["logGroups"]
            if g["logGroupName"] == log_group]


def name_tag(item):
    """An EC2 item's Name tag."""
    return {t["Key"]: t["Value"] for t in item.get("Tags", [])}.get("Name", "")


def check_trust(r, task):
    """ecs-tasks.amazonaws.com of this account only: aws:SourceAccount, and for the task
    role aws:SourceArn of the account's ecs (the confused-deputy guard)."""
    trust = document(r["AssumeRolePolicyDocument"])
    statements = as_list(trust["Statement"])
    principals = [s.get("Principal", {}).get("Service") for s in statements]
    check(principals == ["ecs-tasks.amazonaws.com"], f"{r['RoleName']} trusts {principals}")
    condition = statements[0].get("Condition", {}) if statements else {}
    check(condition.get("StringEquals", {}).get("aws:SourceAccount") == account,
          f"{r['RoleName']}'s trust is limited to account {account}: {condition}")
    want = f"arn:aws:ecs:{region}:{account}:*" if task else None
    check(condition.get("ArnLike", {}).get("aws:SourceArn") == want,
          f"{r['RoleName']}'s trust names source arn {want}: {condition}")


def main():
    if gone:
        check(not active_clusters(), f"cluster {cluster} remains")
        check(not active_services(), f"service {service} remains")
        check(not revisions("ACTIVE") and not revisions("INACTIVE"),
              f"task definitions remain: {revisions('ACTIVE') + revisions('INACTIVE')}")
        check(not log_groups(), f"log group {log_group} remains")
        check(role(exec_role) is None, f"role {exec_role} remains")
        check(role(task_role) is None, f"role {task_role} remains")
    else:
        tag, desired, want_revisions = args[2], int(args[3]), int(args[4])
        ec2, ecr, elbv2 = boto3.client("ec2", **kw), boto3.client("ecr", **kw), boto3.client("elbv2", **kw)
        ssm = boto3.client("ssm", **kw)
        # what compute must use, found independently
        mine = [{"Name": "tag:Project", "Values": [S]}, {"Name": "tag:Environment", "Values": [E]}]
        subnets = ec2.describe_subnets(Filters=mine)["Subnets"]
        private = sorted(s["SubnetId"] for s in subnets if name_tag(s).startswith(f"subnet-{S}-private-"))
        groups = ec2.describe_security_groups(Filters=mine)["SecurityGroups"]
        task_sg = [g["GroupId"] for g in groups if name_tag(g) == f"sg-{S}-tasks-{E}"]
        repo = ecr.describe_repositories(repositoryNames=[f"ecr-{S}-{E}"])["repositories"][0]
        tg_arn = elbv2.describe_target_groups(Names=[f"tg-{S}-{E}"])["TargetGroups"][0]["TargetGroupArn"]
        params = {p["Name"]: p["ARN"] for p in ssm.get_parameters_by_path(Path=f"/{S}/{E}/")["Parameters"]}
        secret_names = {n.rsplit("/", 1)[1].upper().replace("-", "_"): arn for n, arn in params.items()}
        check(len(private) == 3 and len(task_sg) == 1, f"network found: private {private}, task group {task_sg}")

        clusters = active_clusters()
        check(len(clusters) == 1, f"one cluster {cluster}, found {len(clusters)}")
        if clusters:
            settings = {s["name"]: s["value"] for s in clusters[0].get("settings", [])}
            check(settings.get("containerInsights") == "enabled", f"cluster settings {settings}")
            tags_ok(ecs_tags(clusters[0].get("tags")), "cluster")

        groups = log_groups()
        check(len(groups) == 1, f"one log group {log_group}, found {len(groups)}")
        log_arn = f"arn:aws:logs:{region}:{account}:log-group:{log_group}"
        if groups:
            check(groups[0].get("retentionInDays") == 7, f"log retention {groups[0].get('retentionInDays')}")
            tags_ok(logs.list_tags_for_resource(resourceArn=log_arn)["tags"], "log group")

        # the execution role: exactly these grants, on exactly these resources
        r = role(exec_role)
        check(r is not None, f"role {exec_role}")
        if r:
            check_trust(r, task=False)
            tags_ok({t["Key"]: t["Value"] for t in r.get("Tags", [])}, exec_role)
            attached = iam.list_attached_role_policies(RoleName=exec_role)["AttachedPolicies"]
            check(not attached, f"{exec_role}: managed policies attached: {attached}")
            names = iam.list_role_policies(RoleName=exec_role)["PolicyNames"]
            check(names == [f"policy-{S}-exec-{E}"], f"{exec_role} inline policies {names}")
            granted = {}
            for policy in names:
                doc = document(iam.get_role_policy(RoleName=exec_role, PolicyName=policy)["PolicyDocument"])
                for s in as_list(doc["Statement"]):
                    check(s["Effect"] == "Allow" and "NotResource" not in s and "NotAction" not in s, f"statement {s}")
                    for a in as_list(s["Action"]):
                        granted.setdefault(a, set()).update(as_list(s["Resource"]))
            pull = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
            want = {a: {repo["repositoryArn"]} for a in pull}
            want["ecr:GetAuthorizationToken"] = {"*"}
            want["logs:CreateLogStream"] = want["logs:PutLogEvents"] = {f"{log_arn}:*"}
            want["ssm:GetParameters"] = set(params.values())
            check(len(params) == 2, f"two parameters found: {params}")
            check(granted == want, f"{exec_role} grants {granted}, want {want}")
            stars = [a for a, res in granted.items() if "*" in res and a != "ecr:GetAuthorizationToken"]
            check(not stars, f"{exec_role}: '*' for {stars}")

        r = role(task_role)
        check(r is not None, f"role {task_role}")
        if r:
            check_trust(r, task=True)
            tags_ok({t["Key"]: t["Value"] for t in r.get("Tags", [])}, task_role)
            attached = iam.list_attached_role_policies(RoleName=task_role)["AttachedPolicies"]
            check(not attached, f"{task_role}: managed policies attached: {attached}")
            names = iam.list_role_policies(RoleName=task_role)["PolicyNames"]
            if task_policy is None:
                check(names == [], f"{task_role} grants something: {names}")
            else:
                check(names == [f"policy-{S}-task-{E}"], f"{task_role} inline policies {names}")
                if names:
                    doc = document(iam.get_role_policy(RoleName=task_role, PolicyName=names[0])["PolicyDocument"])
                    check(doc == task_policy, f"{task_role} policy {doc}")

        active = revisions("ACTIVE")
        check(len(active) == want_revisions, f"{want_revisions} active revision(s) of {family}, found {len(active)}")
        answer = ecs.describe_task_definition(taskDefinition=family, include=["TAGS"])
        td = answer["taskDefinition"]
        tags_ok(ecs_tags(answer.get("tags")), "task definition")
        check(td["requiresCompatibilities"] == ["FARGATE"] and td["networkMode"] == "awsvpc", "fargate, awsvpc")
        check(td["cpu"] == "1024" and td["memory"] == "2048", f"cpu {td['cpu']} memory {td['memory']}")
        check(td.get("runtimePlatform") == {"operatingSystemFamily": "LINUX", "cpuArchitecture": "X86_64"},
              f"platform {td.get('runtimePlatform')}")
        check(td.get("executionRoleArn") == f"arn:aws:iam::{account}:role/{exec_role}", "execution role")
        check(td.get("taskRoleArn") == f"arn:aws:iam::{account}:role/{task_role}", "task role")
        check(len(td["containerDefinitions"]) == 1, "one container")
        c = td["containerDefinitions"][0]
        check(c["name"] == container and c["essential"] is True, f"container {c['name']}")
        check(c["image"] == f"{repo['repositoryUri']}:{tag}", f"image {c['image']}")
        ports = [(p["containerPort"], p["protocol"]) for p in c["portMappings"]]
        check(ports == [(8080, "tcp")], f"ports {c['portMappings']}")
        lc = c.get("logConfiguration", {})
        check(lc.get("logDriver") == "awslogs" and lc.get("options") == {
            "awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": S}, f"logs {lc}")
        check({s["name"]: s["valueFrom"] for s in c.get("secrets", [])} == secret_names, f"secrets {c.get('secrets')}")
        check(c.get("environment") == [{"name": "PORT", "value": "8080"}], f"environment {c.get('environment')}")
        check(c.get("readonlyRootFilesystem") is True, "read-only root filesystem")
        volumes = [v.get("name") for v in td.get("volumes", [])]
        mounts = [(m.get("sourceVolume"), m.get("containerPath"), m.get("readOnly")) for m in c.get("mountPoints", [])]
        check(volumes == ["tmp"] and mounts == [("tmp", "/tmp", False)],
              f"a writable /tmp: volumes {volumes}, mount points {mounts}")

        services = active_services()
        check(len(services) == 1, f"one service {service}, found {len(services)}")
        if services:
            s = services[0]
            check(s["status"] == "ACTIVE" and s["launchType"] == "FARGATE", f"service {s['status']} {s['launchType']}")
            check(s["desiredCount"] == desired, f"desired count {s['desiredCount']}, want {desired}")
            check(s["taskDefinition"] == td["taskDefinitionArn"], f"service runs {s['taskDefinition']}")
            vpc = s["networkConfiguration"]["awsvpcConfiguration"]
            check(sorted(vpc["subnets"]) == private, f"service subnets {vpc['subnets']}, want {private}")
            check(vpc["securityGroups"] == task_sg, f"service groups {vpc['securityGroups']}, want {task_sg}")
            check(vpc["assignPublicIp"] == "DISABLED", "no public ip")
            check(s["loadBalancers"] == [{"targetGroupArn": tg_arn, "containerName": container, "containerPort": 8080}],
                  f"load balancers {s['loadBalancers']}")
            check(s.get("propagateTags") == "SERVICE", f"propagate tags {s.get('propagateTags')}")
            # moto does not keep these at creation; when it answers them they must be right
            dc = s.get("deploymentConfiguration")
            check(dc is None or (dc["deploymentCircuitBreaker"] == {"enable": True, "rollback": True}
                                 and dc["minimumHealthyPercent"] == 100 and dc["maximumPercent"] == 200),
                  f"deployment {dc}")
            check(s.get("healthCheckGracePeriodSeconds", 60) == 60, "grace period")
            check(s.get("enableECSManagedTags", True) is True, "ecs managed tags")
            tags_ok(ecs_tags(s.get("tags")), "service")


try:
    main()
except Exception as error:  # a checker that cannot read is a failure, never a pass
    failures.append(f"the checker failed: {type(error).__name__}: {error}")

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
