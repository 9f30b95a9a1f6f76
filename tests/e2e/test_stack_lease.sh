#!/usr/bin/env bash
# One operator at a time (core/lease.h), against moto's server through the
# counting proxy: two deploys of one environment started together both end,
# one after the other (the second says it waited, then plans against what
# the first made), with exactly one of each resource; plan and outputs take
# no lease; a deploy killed with kill -9 while holding the lease: the next
# run takes it over once it expires (3 s here) and converges; a lease held
# by a run that is not there: --lock-timeout ends the wait naming the
# holder; unlock shows the holder and asks (no keeps it, yes removes it);
# a lease taken over during a plan stops the run before its apply; a
# destroy leaves no lease behind.
# usage: test_stack_lease.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
# latency spreads a deploy over a few seconds, so the two runs overlap
e2e_start_proxy 20
export STACKHOST_RETRY_BASE_MS=100
export CATALOG_DB_URL=postgres://catalog:stand-in@db.invalid:5432/catalog
cfg=$src/examples/catalog.cfg
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev "$@"; }
leases() {
    awscli ssm get-parameters-by-path --path /stackhost/lease --recursive | json '" ".join(p["Name"] for p in d["Parameters"])'
}
e2e_image "$cfg" dev

# --- two deploys started together: one waits for the other, both end, one of everything
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url "${wrap[@]}" "$bin" -c "$cfg" -e dev --auto-approve deploy >"$tmp/a.out" 2>"$tmp/a.err" &
a=$!
AWS_ENDPOINT_URL=$proxy_url "${wrap[@]}" "$bin" -c "$cfg" -e dev --auto-approve deploy >"$tmp/b.out" 2>"$tmp/b.err" &
b=$!
wait "$a"
rc_a=$?
wait "$b"
rc_b=$?
out=$(cat "$tmp/a.out" "$tmp/b.out") err=$(cat "$tmp/a.err" "$tmp/b.err") rc="$rc_a $rc_b"
expect_equal "0 0" "$rc" "both deploys end"
expect_err "waiting for the lease on stack catalog, environment dev: held by " "one waited, naming the holder"
waited=$(grep -l "waiting for the lease" "$tmp/a.err" "$tmp/b.err" | head -1)
checks=$((checks + 1))
grep -q "no changes: the account matches the configuration" "$waited" ||
    fail "the run that waited planned against what the other made: $(cat "$waited")"
expect_stack "after two deploys at once" dev 1 2 2 10
expect_equal "" "$(leases)" "leases left after both"
expect_equal "2" "$(grep -c '^ssm DeleteParameter lease$' "$proxy_log")" "each run released its lease"

# --- plan and outputs take no lease
: >"$proxy_log"
sh plan --detailed-exitcode
expect_rc 0 "plan"
sh outputs
expect_rc 0 "outputs"
expect_equal "" "$(proxy_lease)" "lease requests of plan and outputs"

# --- kill -9 while holding the lease: the next run waits for it to expire, takes it over, converges
sed 's/max = 10;/max = 11;/' "$cfg" >"$tmp/max11.cfg"
: >"$proxy_log"
# (a 3 s lease, its value says so: the next run takes it over once it expires)
AWS_ENDPOINT_URL=$proxy_url STACKHOST_LEASE_SECONDS=3 "${wrap[@]}" "$bin" -c "$tmp/max11.cfg" -e dev --auto-approve deploy \
    >/dev/null 2>&1 &
pid=$!
while kill -0 "$pid" 2>/dev/null && ! grep -q '^ssm PutParameter lease$' "$proxy_log"; do sleep 0.01; done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
expect_equal "/stackhost/lease/catalog/dev" "$(leases)" "the killed run's lease stays"
sh --auto-approve deploy
expect_rc 0 "deploy after a kill -9"
expect_err "waiting for the lease on stack catalog, environment dev" "it waited"
expect_err "its run is gone; taking it over" "it took the expired lease over"
expect_stack "after the kill -9" dev 1 2 2 10
expect_equal "" "$(leases)" "no lease left"

# --- a lease renewed by a run elsewhere: --lock-timeout ends the wait, naming the holder, nothing changed
lease='{"token":"elsewhere","holder":"ci@runner-7 (pid 4242)","command":"deploy","since":"2026-12-06T06:00:00Z","seconds":3600,"until":4102444800,"until_text":"2100-01-01T00:00:00Z"}'
awscli ssm put-parameter --name /stackhost/lease/catalog/dev --type String --value "$lease" >/dev/null
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url run -c "$tmp/max11.cfg" -e dev --auto-approve --lock-timeout=2 deploy
expect_rc 1 "deploy while another run holds the lease"
expect_err "error: stack catalog, environment dev is locked by ci@runner-7 (pid 4242), running deploy since 2026-12-06T06:00:00Z" \
    "the holder named"
expect_err "waited 2s (--lock-timeout)" "the wait's limit named"
expect_equal "" "$(proxy_mutations)" "mutating requests while locked"

# --- unlock: shows the holder, asks; no keeps the lease, yes removes it
on_terminal no -c "$cfg" -e dev unlock
expect_rc 1 "unlock answered no"
expect_out "the lease is held by ci@runner-7 (pid 4242)" "unlock shows the holder"
expect_out "unlock cancelled" "a wrong answer keeps it"
expect_equal "/stackhost/lease/catalog/dev" "$(leases)" "the lease kept"
on_terminal dev -c "$cfg" -e dev unlock
expect_rc 0 "unlock answered dev"
expect_out "lease removed: stack catalog, environment dev" "unlock removes it"
expect_equal "" "$(leases)" "the lease removed"
sh unlock
expect_rc 2 "unlock without a terminal or --auto-approve"
sh --auto-approve unlock
expect_rc 0 "unlock with nothing held"
expect_err "no lease is held" "nothing to unlock"

# --- the lease taken over while the plan runs (stackhost unlock, then another run): the
# check before the apply stops the run, nothing changes, the other run's lease stays
sed 's/max = 10;/max = 12;/' "$cfg" >"$tmp/max12.cfg"
proxy_set '{"latency_ms": 400}' # the plan's rounds take seconds: the takeover lands in them
: >"$proxy_log"
AWS_ENDPOINT_URL=$proxy_url "${wrap[@]}" "$bin" -c "$tmp/max12.cfg" -e dev --auto-approve --lock-timeout 5 deploy \
    >"$tmp/c.out" 2>"$tmp/c.err" &
pid=$!
# the plan's first lookup: the lease is taken by then (the run plans only once it holds it)
while kill -0 "$pid" 2>/dev/null && ! grep -qvE '^(sts |ssm [A-Za-z]+ lease$)' "$proxy_log"; do sleep 0.01; done
awscli ssm put-parameter --overwrite --name /stackhost/lease/catalog/dev --type String --value "$lease" >/dev/null
wait "$pid"
rc=$? out=$(cat "$tmp/c.out") err=$(cat "$tmp/c.err")
expect_rc 1 "deploy whose lease was taken over during its plan"
expect_err "deploy stopped before changing anything: the lease /stackhost/lease/catalog/dev is held by ci@runner-7 (pid 4242), running deploy since" \
    "the check before the apply names the new holder"
expect_err "warning: not released: the lease /stackhost/lease/catalog/dev is held by ci@runner-7" \
    "the other run's lease is not released"
expect_equal "" "$(proxy_mutations)" "mutating requests after the lease was taken over"
expect_equal "/stackhost/lease/catalog/dev" "$(leases)" "the other run's lease stays"
awscli ssm delete-parameter --name /stackhost/lease/catalog/dev >/dev/null
proxy_set '{"latency_ms": 20}'

# --- destroy: nothing of the stack left, no lease either
sh --auto-approve destroy
expect_rc 0 "destroy"
expect_checker "after destroy" check_leftovers catalog dev --quiet
expect_equal "" "$(leases)" "no lease after destroy"

checks_done
