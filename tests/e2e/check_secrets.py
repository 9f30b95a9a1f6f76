#!/usr/bin/env python3
"""Checks the secrets of catalog-stack.md in the emulator with boto3 (an
independent reading, not stackhost's).

usage: check_secrets.py STACK ENV           exactly db-connection-string (its value
                                            is $CATALOG_DB_URL) and api-key (48
                                            URL-safe characters), SecureString, tagged;
       check_secrets.py --gone STACK ENV    nothing under /STACK/ENV/ remains;
       check_secrets.py --value STACK ENV NAME   prints the decrypted value.
Prints one line per failed check (never a value).
"""
import os
import re
import sys

import boto3

args = sys.argv[1:]
mode = args.pop(0) if args[0].startswith("--") else "check"
S, E = args[0], args[1]
ssm = boto3.client("ssm", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name=os.environ["AWS_REGION"])
prefix = f"/{S}/{E}"
failures = []


def check(ok, what):
    if not ok:
        failures.append(what)


def listed():
    pages = ssm.get_paginator("get_parameters_by_path").paginate(Path=prefix, Recursive=True, WithDecryption=True)
    return {p["Name"]: p for page in pages for p in page["Parameters"]}


if mode == "--value":
    print(ssm.get_parameter(Name=f"{prefix}/{args[2]}", WithDecryption=True)["Parameter"]["Value"])
    sys.exit(0)

params = listed()
if mode == "--gone":
    check(not params, f"parameters left under {prefix}/: {sorted(params)}")
else:
    db, key = f"{prefix}/db-connection-string", f"{prefix}/api-key"
    check(sorted(params) == sorted([db, key]), f"parameters under {prefix}/: {sorted(params)}")
    for name, p in params.items():
        check(p["Type"] == "SecureString", f"{name}: type {p['Type']}")
        tags = {t["Key"]: t["Value"] for t in ssm.list_tags_for_resource(ResourceType="Parameter", ResourceId=name)["TagList"]}
        want = {"Project": S, "Environment": E, "ManagedBy": "stackhost", "CostCenter": "retail-catalog"}
        for k, v in want.items():
            check(tags.get(k) == v, f"{name}: tag {k} is {tags.get(k)!r}, expected {v!r}")
    if db in params:
        check(params[db]["Value"] == os.environ.get("CATALOG_DB_URL"), f"{db}: not the value of CATALOG_DB_URL")
    if key in params:
        check(re.fullmatch(r"[A-Za-z0-9_-]{48}", params[key]["Value"]) is not None,
              f"{key}: not 48 URL-safe characters")
for line in failures:
    print(line)
sys.exit(1 if failures else 0)
