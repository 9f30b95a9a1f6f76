#!/usr/bin/env python3
"""Runs stackhost with STACKHOST_PAUSE_AT_EXIT=1: it stops itself once
everything is freed, just before exiting. Then reads its whole memory
(/proc/PID/maps and /proc/PID/mem: a core image, taken as root) and counts
each secret in it: a secret wiped before its memory was freed is not there.
Also reads its limits: no core file (RLIMIT_CORE 0).

usage: scan_memory.py SECRETS_FILE OUTPUT_PREFIX COMMAND ARGS...
  SECRETS_FILE  one secret a line; a line "@ssm NAME" is the value of the
                SSM parameter NAME read while the process is stopped (a
                value generated inside the run); the secrets are never
                printed, only their labels
  OUTPUT_PREFIX the command's stdout and stderr go to PREFIX.out, PREFIX.err
Prints "label: N copies" per secret and "core file size: LIMIT"; exits 1
when a secret was found or core files are allowed, 2 when the process never
stopped, else the command's status is in the last line ("exit N").
"""
import os
import re
import signal
import subprocess
import sys

import boto3


def secrets_of(path, lines):
    found = []
    for i, line in enumerate(lines):
        if line.startswith("@ssm "):
            name = line[5:].strip()
            ssm = boto3.client("ssm", endpoint_url=os.environ["AWS_ENDPOINT_URL_CHECK"],
                               region_name=os.environ.get("AWS_REGION", "us-east-1"),
                               aws_access_key_id="testing", aws_secret_access_key="testing")
            value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
            found.append((f"parameter {name}", value.encode()))
        elif line:
            found.append((f"secret on line {i + 1} of {path}", line.encode()))
    return found


def memory_of(pid):
    data = []
    with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
        for entry in maps:
            m = re.match(r"([0-9a-f]+)-([0-9a-f]+) (\S+)", entry)
            if not m or m.group(3)[0] != "r" or "[vvar]" in entry or "[vsyscall]" in entry:
                continue
            start, end = int(m.group(1), 16), int(m.group(2), 16)
            if end - start > 1 << 30:
                continue  # a sanitizer's shadow reservation: terabytes of nothing, not the heap
            try:
                mem.seek(start)
                data.append(mem.read(end - start))
            except (OSError, ValueError, OverflowError):
                pass  # a guard page
    return data


def main():
    path, prefix, command = sys.argv[1], sys.argv[2], sys.argv[3:]
    lines = [l.rstrip("\n") for l in open(path)]
    env = dict(os.environ, STACKHOST_PAUSE_AT_EXIT="1")
    with open(prefix + ".out", "wb") as out, open(prefix + ".err", "wb") as err:
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env)
        _, status = os.waitpid(child.pid, os.WUNTRACED)
        if not os.WIFSTOPPED(status):
            print(f"the process never stopped (status {status}): no image taken")
            sys.exit(2)
        limits = open(f"/proc/{child.pid}/limits").read()
        core = re.search(r"Max core file size\s+(\S+)", limits).group(1)
        image = memory_of(child.pid)
        secrets = secrets_of(path, lines)
        os.kill(child.pid, signal.SIGCONT)
        _, status = os.waitpid(child.pid, 0)
    bad = core != "0"
    print(f"core file size: {core}")
    for label, secret in secrets:
        copies = sum(region.count(secret) for region in image)
        print(f"{label}: {copies} copies")
        bad |= copies > 0
    print(f"exit {os.waitstatus_to_exitcode(status)}")
    sys.exit(1 if bad else 0)


main()
