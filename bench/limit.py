#!/usr/bin/env python3
"""The round trips AWS itself imposes on a command, read from its trace.

usage: limit.py COMMAND TRACE.json      (COMMAND: deploy, destroy, plan, nothing)

A round trip is imposed when a request needs an id from an earlier answer
or a state AWS requires first; everything else could go at once. For each
command the chain below lists those steps in order; a step counts when
the trace (stackhost --trace: every request, with its service and
operation) shows it was needed, so a deploy that creates nothing has no
creation steps and a destroy that finds nothing only looks. The limit of
a run is the steps it needed x the latency a request takes, plus the
waits AWS imposes on the chain (a NAT gateway pending: bench/run passes
that as --imposed-wait). Our own requests (the environment's lease, an
SSM parameter) are not AWS's: they count against stackhost, not in the
limit.

  deploy   STS; the lookups; the VPC; its subnets; the NAT gateways (in a
           public subnet); their poll until available; the private routes
           through them; the service (in the private subnets); its scalable
           target; its scaling policy
  destroy  STS; the lookups; the scalable target deregistered; the service
           deleted; the groups and subnets once the interfaces are gone
           (and the gateway detached); the VPC; a final lookup
  plan     STS; the lookups; the reads that need an id from them (a VPC's
           attributes, a load balancer's listeners); the listeners' tags
           (their arns come from those reads)
  nothing  a destroy that finds nothing: STS; the lookups

Beside the limit, what the run took: the longest chain of requests in
the trace each sent after the one before it was answered (ours
included). At 50 ms a request that is the part of the wall time the
latency can explain; the rest is the emulator answering one request at
a time (about 5 ms each on 2 cores) and stackhost's own time. A chain
is at most what the run waited for: two requests the emulator answered
late can look chained without one waiting for the other.

Printed: the count and the steps, one line (JSON with --json).
"""
import json
import re
import sys

READ = re.compile(r"^(Describe|List|Get|BatchGet|Lookup)[A-Z]")


def requests(events):
    """(service, operation) of every AWS request the trace records, in time order."""
    calls = [e for e in events if e.get("ph") == "X" and e.get("cat") == "aws"]
    calls.sort(key=lambda e: e["ts"])
    return [(e["args"].get("service", ""), e["args"].get("operation", ""), e["args"].get("plugin", ""))
            for e in calls]


def ours(call):
    """The environment's lease (an SSM parameter the host reads and writes): not AWS's step."""
    return call[2] == "stackhost" and call[0] == "ssm"


def any_of(calls, *ops):
    return any(f"{s} {o}" in ops for s, o, _ in calls)


def count(calls, service, operation):
    return sum(1 for s, o, _ in calls if s == service and o == operation)


def steps(command, calls):
    """The names of the imposed steps the calls show."""
    calls = [c for c in calls if not ours(c)]
    mutated = [c for c in calls if not READ.match(c[1])]
    looked = any(READ.match(o) and s != "sts" for s, o, _ in calls)
    found = []

    def step(name, present):
        if present:
            found.append(name)

    step("sts", any_of(calls, "sts GetCallerIdentity"))
    step("lookups", looked)
    if command == "deploy":
        step("vpc", any_of(mutated, "ec2 CreateVpc"))
        step("subnets", any_of(mutated, "ec2 CreateSubnet"))
        step("nat gateways", any_of(mutated, "ec2 CreateNatGateway"))
        step("nat poll", any_of(mutated, "ec2 CreateNatGateway"))
        step("private routes", any_of(mutated, "ec2 CreateRoute"))
        step("service", any_of(mutated, "ecs CreateService"))
        step("scalable target", any_of(mutated, "application-autoscaling RegisterScalableTarget"))
        step("scaling policy", any_of(mutated, "application-autoscaling PutScalingPolicy"))
    elif command == "destroy":
        step("scalable target", any_of(mutated, "application-autoscaling DeregisterScalableTarget"))
        step("service", any_of(mutated, "ecs DeleteService"))
        step("groups and subnets", any_of(mutated, "ec2 DeleteSecurityGroup", "ec2 DeleteSubnet",
                                          "ec2 DetachInternetGateway"))
        step("vpc", any_of(mutated, "ec2 DeleteVpc"))
        step("final lookup", bool(mutated))
    elif command == "plan":
        step("reads by id", any_of(calls, "ec2 DescribeVpcAttribute", "elbv2 DescribeListeners"))
        # the load balancer's and target group's tags, then the listeners'
        step("listener tags", count(calls, "elbv2", "DescribeTags") >= 2)
    elif command != "nothing":
        raise ValueError(f"{command}: not deploy, destroy, plan or nothing")
    return found


def taken(trace_path):
    """(length, [(plugin, "service Operation"), ...]) of the longest chain of
    requests in the trace, each sent once the one before it was answered."""
    doc = json.load(open(trace_path))
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    calls = sorted((e for e in events if e.get("ph") == "X" and e.get("cat") == "aws"), key=lambda e: e["ts"])
    depth, before = [], []
    for i, call in enumerate(calls):
        best, at = 0, None
        for j in range(i):
            if calls[j]["ts"] + calls[j]["dur"] <= call["ts"] and depth[j] > best:
                best, at = depth[j], j
        depth.append(best + 1)
        before.append(at)
    if not calls:
        return 0, []
    i = max(range(len(calls)), key=lambda k: depth[k])
    chain = []
    while i is not None:
        chain.append((calls[i]["args"].get("plugin", ""), calls[i]["name"]))
        i = before[i]
    return len(chain), chain[::-1]


def imposed(command, trace_path):
    """(count, steps) of the round trips AWS imposes on the run the trace records."""
    doc = json.load(open(trace_path))
    events = doc["traceEvents"] if isinstance(doc, dict) else doc
    found = steps(command, requests(events))
    return len(found), found


def main():
    args = [a for a in sys.argv[1:] if a != "--json"]
    if len(args) != 2:
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        return 2
    n, found = imposed(args[0], args[1])
    length, chain = taken(args[1])
    if "--json" in sys.argv:
        print(json.dumps({"imposed_round_trips": n, "imposed_steps": found, "taken_round_trips": length,
                          "taken_chain": [name for _, name in chain]}))
    else:
        print(f"{n} round trips: {', '.join(found)}")
        print(f"taken: {length} in sequence: {', '.join(name for _, name in chain)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
