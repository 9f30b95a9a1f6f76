#!/usr/bin/env python3
"""Runs one command of the benchmark and prints one JSON record of it.

usage: measure.py [--proxy-json FILE --proxy-log FILE] [--label KEY=VALUE]...
                  [--stdout FILE] [--stderr FILE] [--resources] [--work-time]
                  [--repeat N] [--ok-codes 0,3] -- COMMAND [ARGS...]

The command runs as a child; its own figures come from the kernel
(os.wait4): wall seconds, CPU seconds (user + sys) and peak RSS
(ru_maxrss, in MB). With --proxy-json/--proxy-log both proxy logs are
emptied before the command starts, and read when it has ended (the proxy
writes a request's line before it answers, so once the child has its last
answer the logs are complete): requests, mutating requests (every
operation but Describe*, List*, Get*, and but the environment's lease: the
rule of proxy_mutations in tests/e2e/lib.sh), the lease's requests,
requests per service, the answers the proxy rewrote
or made up (its "fault" field, e.g. nat-pending), and busy seconds: the
sum of every request's time in the proxy (its own latency included).
Effective concurrency is busy / wall: the mean number of requests in
flight while the command ran.

--resources  the command is `stackhost ... --json plan`: the record also
             holds the number of resources the plan reports and how many of
             them it would change.
--work-time  the command prints {"work_seconds": S} as its last line of
             stdout (bench/sequential.py): S, the time from its first
             request to its last answer, is the record's wall time, and the
             process's whole time is kept as process_wall.
--repeat N   runs the command N times (no proxy figures): the record holds
             every wall time (for `validate`).
--ok-codes   the exit codes that mean success (default 0; `plan` also has 3,
             "changes to make").
--imposed COMMAND --trace FILE [--imposed-wait S]
             the command wrote its trace (stackhost --trace) to FILE: the
             record also holds the round trips AWS imposes on a COMMAND
             (deploy, destroy, plan, nothing) as bench/limit.py reads them
             from it, their steps, and S, the seconds AWS makes the chain
             wait besides (a NAT gateway pending); and the round trips the
             run took in sequence (limit.taken: the longest chain of
             requests each sent after the one before was answered).
Labels are copied into the record (numbers as numbers). The record has the
command's "rc" and "ok"; exit status 0 when it succeeded, 1 when not.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import time

import limit

READ = re.compile(r"^(Describe|List|Get)[A-Z]")


def label(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text}: a label is KEY=VALUE")
    try:
        return key, int(value)
    except ValueError:
        return key, value


def run_once(command, stdout, stderr):
    """(rc, wall seconds, rusage) of one run of command."""
    with open(stdout, "wb") as out, open(stderr, "wb") as err:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped by wait4: tell Popen
    return child.returncode, wall, usage


def proxy_figures(path):
    rows = [json.loads(line) for line in open(path) if line.strip()]
    services, faults = {}, {}
    for r in rows:
        services[r["service"]] = services.get(r["service"], 0) + 1
        if r.get("fault"):
            faults[r["fault"]] = faults.get(r["fault"], 0) + 1
    return {"requests": len(rows),
            "mutating": sum(1 for r in rows if not READ.match(r["operation"]) and not r.get("lease")),
            "lease": sum(1 for r in rows if r.get("lease")),
            "busy": sum(r["end"] - r["start"] for r in rows),
            "services": services, "faults": faults}


def last_json_line(path):
    lines = [line for line in open(path, errors="replace").read().splitlines() if line.strip()]
    return json.loads(lines[-1]) if lines else {}


def main():
    parser = argparse.ArgumentParser(description="Runs one benchmark command; prints its JSON record.")
    parser.add_argument("--proxy-json")
    parser.add_argument("--proxy-log")
    parser.add_argument("--label", type=label, action="append", default=[])
    parser.add_argument("--stdout", default=os.devnull)
    parser.add_argument("--stderr", default=os.devnull)
    parser.add_argument("--resources", action="store_true")
    parser.add_argument("--work-time", action="store_true")
    parser.add_argument("--repeat", type=int, default=0)
    parser.add_argument("--ok-codes", type=lambda text: {int(c) for c in text.split(",")}, default={0})
    parser.add_argument("--imposed")
    parser.add_argument("--trace")
    parser.add_argument("--imposed-wait", type=float, default=0.0)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    record = dict(args.label)

    if args.repeat:
        walls = []
        for _ in range(args.repeat):
            rc, wall, _ = run_once(command, args.stdout, args.stderr)
            walls.append(wall)
            if rc not in args.ok_codes:
                break
        record.update(rc=rc, ok=rc in args.ok_codes, walls=walls)
        print(json.dumps(record))
        return 0 if record["ok"] else 1

    proxied = args.proxy_json and args.proxy_log
    if proxied:
        for path in (args.proxy_json, args.proxy_log):
            open(path, "w").close()
    rc, wall, usage = run_once(command, args.stdout, args.stderr)
    ok = rc in args.ok_codes
    record.update(rc=rc, ok=ok, wall=wall, cpu=usage.ru_utime + usage.ru_stime, rss_mb=usage.ru_maxrss / 1024)
    if args.work_time and ok:
        record.update(process_wall=wall, wall=float(last_json_line(args.stdout)["work_seconds"]))
    if proxied:
        record.update(proxy_figures(args.proxy_json))
        record["concurrency"] = record["busy"] / record["wall"] if record["wall"] else 0.0
    if args.imposed and args.trace and ok:
        n, steps = limit.imposed(args.imposed, args.trace)
        record.update(imposed_round_trips=n, imposed_steps=steps, imposed_wait=args.imposed_wait)
        length, chain = limit.taken(args.trace)
        record.update(taken_round_trips=length, taken_chain=[name for _, name in chain])
    if args.resources and ok:
        text = open(args.stdout, errors="replace").read()
        changes = json.loads(text[text.index("{"):])["changes"]
        record.update(resources=len(changes), to_change=sum(1 for c in changes if c["action"] != "no-op"))
    print(json.dumps(record))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
