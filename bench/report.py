#!/usr/bin/env python3
"""Prints bench/run's tables, targets and summary from the records of
bench/measure.py (one JSON object a line).

usage: report.py RESULTS.jsonl [--elapsed SECONDS] [--note TEXT]...

Every figure is the median over the rounds of the runs that succeeded
(a failed run is counted and named, never averaged in). Requests per
resource divide by the number of resources the plan after the deploy
reports (bench/README.md). The limit of a stackhost run is the round
trips AWS imposes on it (bench/limit.py, from its trace) x the latency,
plus the waits AWS imposes on that chain. The targets are issues 16's and
26's; a missed target is reported, not an error. Exit status 0.
"""
import argparse
import json
import statistics

STACKHOST_ROWS = ("deploy", "plan", "redeploy", "destroy", "destroy of nothing")
PROVISIONING = "deploy, provisioning"
TARGET_LATENCY = 50
# the proxy logs a request's service by its signing name; shorter here
SHORT = {"elasticloadbalancing": "elbv2", "application-autoscaling": "autoscaling", "monitoring": "cloudwatch",
         "servicequotas": "quotas"}


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Runs:
    """The records of one row (tool, scenario, latency) and their medians."""

    def __init__(self, records):
        self.records = records
        self.ok = [r for r in records if r.get("ok", r["rc"] == 0)]
        self.failed = len(records) - len(self.ok)

    def __getitem__(self, key):
        return median([r.get(key) for r in self.ok])

    def services(self):
        names = {s for r in self.ok for s in r.get("services", {})}
        counts = {s: median([r.get("services", {}).get(s, 0) for r in self.ok]) for s in names}
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def faults(self):
        names = {f for r in self.ok for f in r.get("faults", {})}
        return {f: median([r.get("faults", {}).get(f, 0) for r in self.ok]) for f in sorted(names)}


def number(value, digits=2):
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) and not value.is_integer() else f"{value:g}"


def compact(pairs):
    return ", ".join(f"{SHORT.get(name, name)} {number(count, 1)}" for name, count in pairs) or "-"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("results")
    parser.add_argument("--elapsed", type=float)
    parser.add_argument("--note", action="append", default=[])
    args = parser.parse_args()
    records = [json.loads(line) for line in open(args.results) if line.strip()]

    rows = {}
    for r in records:
        rows.setdefault((r["tool"], r["scenario"], r.get("latency")), []).append(r)
    runs = {key: Runs(value) for key, value in rows.items()}
    latencies = sorted({key[2] for key in runs if key[1] in STACKHOST_ROWS})
    plans = [r for r in records if r["tool"] == "stackhost" and r["scenario"] == "plan" and "resources" in r]
    resources = median([r["resources"] for r in plans])

    def row(tool, scenario, latency):
        return runs.get((tool, scenario, latency))

    def per_resource(run):
        return run["requests"] / resources if run and resources and run["requests"] is not None else None

    # --- the table
    order = [(s, lat) for lat in latencies for s in STACKHOST_ROWS] + [(PROVISIONING, TARGET_LATENCY)]
    print(f"{'':30} {'wall s':>7} {'cpu s':>6} {'rss MB':>6} {'requests':>8} {'mutating':>8} {'req/res':>7} "
          f"{'conc':>5}")
    for tool, title in (("stackhost", "stackhost"), ("sequential", "sequential baseline (bench/sequential.py)")):
        print(title)
        for scenario, latency in order:
            run = row(tool, scenario, latency)
            if not run:
                continue
            failed = f"  ({run.failed} of {len(run.records)} runs failed)" if run.failed else ""
            print(f"  {scenario:<20} {latency:>4} ms {number(run['wall'], 3):>7} {number(run['cpu'], 3):>6} "
                  f"{number(run['rss_mb'], 1):>6} {number(run['requests'], 1):>8} {number(run['mutating'], 1):>8} "
                  f"{number(per_resource(run)):>7} {number(run['concurrency']):>5}{failed}")
    validate = row("stackhost", "validate", None)
    validate_ms = None
    if validate:
        walls = [w for r in validate.ok for w in r["walls"]]
        validate_ms = median(walls) * 1000 if walls else None
        print(f"  validate: median {number(validate_ms, 1)} ms over {len(walls)} runs")
    print(f"resources: {number(resources)} (what `plan --json` lists after the deploy); wall: the whole process, "
          "for the baseline from its first request to its last answer")
    started = [r["process_wall"] - r["wall"] for r in records if r["tool"] == "sequential" and "process_wall" in r]
    if started:
        print(f"  (the baseline's interpreter and boto3 start-up, {number(median(started))} s a run, is left out)")

    # --- ratios to the baseline
    print()
    print("stackhost / sequential baseline")
    for scenario, latency in [(s, lat) for lat in latencies for s in ("deploy", "destroy")] + [
            (PROVISIONING, TARGET_LATENCY)]:
        mine, base = row("stackhost", scenario, latency), row("sequential", scenario, latency)
        if not mine or not base or mine["wall"] is None or base["wall"] is None:
            continue
        print(f"  {scenario:<20} {latency:>4} ms  {mine['wall'] / base['wall']:.2f}x time "
              f"({number(mine['wall'])} s / {number(base['wall'])} s), {mine['requests'] / base['requests']:.2f}x "
              f"requests ({number(mine['requests'], 1)} / {number(base['requests'], 1)})")

    # --- against the round trips AWS imposes
    print()
    print("stackhost / the round-trip limit (bench/limit.py: the steps AWS imposes, read from each run's trace, "
          "x the latency, + the waits on that chain; taken: the longest chain of requests in the trace, each "
          "sent once the one before was answered, the lease's included)")

    def limit_of(run, latency):
        n = run["imposed_round_trips"] if run else None
        return None if n is None else n * latency / 1000.0 + (run["imposed_wait"] or 0.0)

    def floor(scenario):
        """The same command at 0 ms: the emulator's and stackhost's own time."""
        at0 = row("stackhost", scenario, 0)
        return f"; at 0 ms it takes {number(at0['wall'])} s" if at0 and at0.ok and at0["wall"] is not None else ""

    for scenario, latency in [(s, lat) for lat in latencies if lat for s in STACKHOST_ROWS] + [
            (PROVISIONING, TARGET_LATENCY)]:
        run = row("stackhost", scenario, latency)
        lim = limit_of(run, latency)
        if not run or lim is None or run["wall"] is None:
            continue
        steps = run.ok[-1].get("imposed_steps", [])
        wait = f" + {number(run['imposed_wait'])} s" if run["imposed_wait"] else ""
        print(f"  {scenario:<20} {latency:>4} ms  {run['wall'] / lim:.2f}x the limit ({number(run['wall'])} s / "
              f"{number(lim)} s: {number(run['imposed_round_trips'])} round trips{wait}: {', '.join(steps)})")
        if run.ok[-1].get("taken_round_trips") is not None:
            print(f"  {'':<20} {'':>4}     taken: {number(run['taken_round_trips'])} round trips in sequence "
                  f"(x {latency} ms = {number(run['taken_round_trips'] * latency / 1000.0)} s of the "
                  f"{number(run['wall'])} s{floor(scenario)}): {', '.join(run.ok[-1].get('taken_chain', []))}")

    # --- requests per service
    print()
    print("requests per service (median; one line for the latencies where they are the same)")
    for tool in ("stackhost", "sequential"):
        lines = {}  # (scenario, counts) -> latencies, in the table's order
        for scenario, latency in order:
            run = row(tool, scenario, latency)
            if run and run.ok:
                lines.setdefault((scenario, compact(run.services())), []).append(str(latency))
        for (scenario, counts), at in lines.items():
            print(f"  {tool:<10} {scenario + ' (' + ', '.join(at) + ' ms)':<31} {counts}")
    for tool in ("stackhost", "sequential"):
        run = row(tool, PROVISIONING, TARGET_LATENCY)
        if run and run.ok:
            rewritten = ", ".join(f"{f} {number(n, 1)}" for f, n in run.faults().items()) or "none"
            print(f"  answers the proxy rewrote in {tool}'s {PROVISIONING}: {rewritten}")
    for r in plans:
        if r["to_change"]:
            print(f"note: the plan after the deploy at {r['latency']} ms in round {r['round']} had "
                  f"{r['to_change']} change(s) to make: that deploy did not converge")
    for note in args.note:
        print(f"note: {note}")

    # --- targets
    print()
    print("targets (issue 16)")

    def target(what, measured, ok):
        verdict = "-" if ok is None else ("ok" if ok else "MISS")
        print(f"  {what:<56} {measured:<30} {verdict}")

    redeploys = [row("stackhost", "redeploy", lat) for lat in latencies]
    redeploys = [r for r in redeploys if r and r.ok]
    if redeploys:
        mutating = max(r["mutating"] for r in redeploys)
        per_res = max(per_resource(r) or 0 for r in redeploys)
        target("redeploy: 0 mutating, <= 1.5 requests/resource",
               f"{number(mutating, 1)} mutating, {number(per_res)} req/res", mutating == 0 and per_res <= 1.5)
    else:
        target("redeploy: 0 mutating, <= 1.5 requests/resource", "not measured", None)
    plan = row("stackhost", "plan", TARGET_LATENCY)
    plan_s = plan["wall"] if plan else None
    target(f"plan at {TARGET_LATENCY} ms: < 2 s", f"{number(plan_s)} s" if plan_s is not None else "not measured",
           None if plan_s is None else plan_s < 2)
    deploy = row("stackhost", "deploy", TARGET_LATENCY)
    deploy_s, conc = (deploy["wall"], deploy["concurrency"]) if deploy else (None, None)
    target(f"deploy at {TARGET_LATENCY} ms: concurrency >= 3, <= 2.5 s",
           f"concurrency {number(conc)}, {number(deploy_s)} s" if deploy_s is not None else "not measured",
           None if deploy_s is None else conc >= 3 and deploy_s <= 2.5)
    provisioning = row("stackhost", PROVISIONING, TARGET_LATENCY)
    prov_s = provisioning["wall"] if provisioning else None
    target(f"deploy, NAT 6 s and ALB 4 s provisioning, {TARGET_LATENCY} ms: < 8 s",
           f"{number(prov_s)} s" if prov_s is not None else "not measured", None if prov_s is None else prov_s < 8)
    target("validate: < 20 ms", f"{number(validate_ms, 1)} ms" if validate_ms is not None else "not measured",
           None if validate_ms is None else validate_ms < 20)
    deploys = [r for (tool, scenario, _), r in runs.items()
               if tool == "stackhost" and scenario in ("deploy", PROVISIONING) and r.ok]
    rss = max((r["rss_mb"] for r in deploys), default=None)
    target("peak RSS of a deploy: < 30 MB", f"{number(rss, 1)} MB" if rss is not None else "not measured",
           None if rss is None else rss < 30)
    print("targets (issue 26, at the round-trip limit)")
    destroy = row("stackhost", "destroy", TARGET_LATENCY)
    base_destroy = row("sequential", "destroy", TARGET_LATENCY)
    for what, scenario, most in (("destroy", "destroy", 1.0), ("destroy of nothing", "destroy of nothing", 0.25),
                                 ("plan", "plan", 0.35), ("no-op redeploy", "redeploy", 0.35),
                                 ("deploy", "deploy", 1.0), ("deploy, NAT 6 s and ALB 4 s provisioning",
                                                             PROVISIONING, 6.9)):
        run = row("stackhost", scenario, TARGET_LATENCY)
        wall = run["wall"] if run else None
        lim = limit_of(run, TARGET_LATENCY)
        shown = f"{number(wall)} s (limit {number(lim)} s)" if wall is not None and lim is not None else \
            f"{number(wall)} s" if wall is not None else "not measured"
        target(f"{what} at {TARGET_LATENCY} ms: <= {number(most)} s", shown, None if wall is None else wall <= most)
    if destroy and base_destroy and destroy["wall"] and base_destroy["wall"]:
        speedup = base_destroy["wall"] / destroy["wall"]
        target(f"destroy at {TARGET_LATENCY} ms: >= 6x the sequential script", f"{speedup:.1f}x", speedup >= 6)
    if args.elapsed is not None:
        print(f"bench time: {args.elapsed:.0f} s")

    # --- the one-line summary
    base = row("sequential", "deploy", TARGET_LATENCY)
    base_prov = row("sequential", PROVISIONING, TARGET_LATENCY)
    parts = []
    if deploy_s is not None:
        versus = f", {deploy_s / base['wall']:.2f}x sequential" if base and base["wall"] else ""
        parts.append(f"deploy {number(deploy_s)} s @{TARGET_LATENCY}ms (conc {number(conc)}{versus})")
    if plan_s is not None:
        parts.append(f"plan {number(plan_s)} s")
    if redeploys:
        parts.append(f"redeploy {number(mutating, 1)} mutating {number(per_res)} req/res")
    if prov_s is not None:
        seq = f" (seq {number(base_prov['wall'])} s)" if base_prov and base_prov["wall"] else ""
        parts.append(f"provisioning deploy {number(prov_s)} s{seq}")
    if validate_ms is not None:
        parts.append(f"validate {number(validate_ms, 1)} ms")
    if rss is not None:
        parts.append(f"rss {number(rss, 1)} MB")
    print("summary: " + ", ".join(parts))


if __name__ == "__main__":
    main()
