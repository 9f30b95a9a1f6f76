#!/usr/bin/env python3
"""Checks the registry of catalog-stack.md in the emulator with boto3 (an
independent reading, not stackhost's).

usage: check_registry.py STACK ENV KEEP MUTABILITY [VERSIONS]   exit 0 when every row holds
       check_registry.py --gone STACK ENV                       exit 0 when nothing owned remains
VERSIONS: how many versions the push policy has (default 1).
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
S, E = args[0], args[1]
kw = {"endpoint_url": os.environ["AWS_ENDPOINT_URL"], "region_name": os.environ["AWS_REGION"]}
ecr, iam = boto3.client("ecr", **kw), boto3.client("iam", **kw)
account = boto3.client("sts", **kw).get_caller_identity()["Account"]
repo_name, policy_name = f"ecr-{S}-{E}", f"policy-{S}-ecr-push-{E}"
repo_arn = f"arn:aws:ecr:{kw['region_name']}:{account}:repository/{repo_name}"
policy_arn = f"arn:aws:iam::{account}:policy/{policy_name}"
owned = {"Project": S, "Environment": E, "ManagedBy": "stackhost", "CostCenter": "retail-catalog"}
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def absent(call):
    try:
        call()
        return False
    except botocore.exceptions.ClientError as error:
        return error.response["Error"]["Code"] in ("RepositoryNotFoundException", "NoSuchEntity")


if gone:
    check(absent(lambda: ecr.describe_repositories(repositoryNames=[repo_name])), f"repository {repo_name} remains")
    check(absent(lambda: iam.get_policy(PolicyArn=policy_arn)), f"policy {policy_name} remains")
else:
    keep, mutability = int(args[2]), args[3]
    versions = int(args[4]) if len(args) > 4 else 1
    repos = [r for r in ecr.describe_repositories()["repositories"] if r["repositoryName"] == repo_name]
    check(len(repos) == 1, f"one repository {repo_name}, found {len(repos)}")
    if repos:
        r = repos[0]
        check(r["repositoryArn"] == repo_arn, f"repository arn {r['repositoryArn']}")
        check(r["imageScanningConfiguration"]["scanOnPush"] is True, "scan on push")
        check(r["imageTagMutability"] == mutability, f"tag mutability {r['imageTagMutability']}")
        check(r.get("encryptionConfiguration", {}).get("encryptionType") == "AES256", "AES256 encryption")
        tags = {t["Key"]: t["Value"] for t in ecr.list_tags_for_resource(resourceArn=repo_arn)["tags"]}
        check(all(tags.get(k) == v for k, v in owned.items()), f"repository tags {tags}")
        text = ecr.get_lifecycle_policy(repositoryName=repo_name)["lifecyclePolicyText"]
        rules = json.loads(text)["rules"]
        check(len(rules) == 1, f"one lifecycle rule: {text}")
        sel, act = rules[0]["selection"], rules[0]["action"]
        check(rules[0]["rulePriority"] == 1 and sel["tagStatus"] == "any" and sel["countType"] == "imageCountMoreThan"
              and sel["countNumber"] == keep and act["type"] == "expire", f"lifecycle rule {text}")
    policies = [p for p in iam.list_policies(Scope="Local")["Policies"] if p["PolicyName"] == policy_name]
    check(len(policies) == 1, f"one policy {policy_name}, found {len(policies)}")
    if policies:
        p = iam.get_policy(PolicyArn=policy_arn)["Policy"]
        check(p["Path"] == "/", f"policy path {p['Path']}")
        tags = {t["Key"]: t["Value"] for t in iam.list_policy_tags(PolicyArn=policy_arn)["Tags"]}
        check(all(tags.get(k) == v for k, v in owned.items()), f"policy tags {tags}")
        listed = iam.list_policy_versions(PolicyArn=policy_arn)["Versions"]
        check(len(listed) == versions, f"{versions} policy version(s), found {len(listed)}")
        doc = iam.get_policy_version(PolicyArn=policy_arn, VersionId=p["DefaultVersionId"])["PolicyVersion"]["Document"]
        if isinstance(doc, str):
            doc = json.loads(urllib.parse.unquote(doc))
        statements = doc["Statement"] if isinstance(doc["Statement"], list) else [doc["Statement"]]
        push = {"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload",
                "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"}
        granted = {}
        for s in statements:
            check(s["Effect"] == "Allow", f"statement effect {s}")
            actions = s["Action"] if isinstance(s["Action"], list) else [s["Action"]]
            resources = s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]
            for a in actions:
                granted.setdefault(a, set()).update(resources)
        check(set(granted) == push | {"ecr:GetAuthorizationToken"}, f"policy actions {sorted(granted)}")
        for a in push:
            check(granted.get(a) == {repo_arn}, f"{a} on exactly the repository: {granted.get(a)}")
        check(granted.get("ecr:GetAuthorizationToken") == {"*"}, "ecr:GetAuthorizationToken on *")

for f in failures:
    print(f)
sys.exit(1 if failures else 0)
