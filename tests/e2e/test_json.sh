#!/usr/bin/env bash
# Every --json document against its schema (docs/json/*.schema.json, with
# tests/e2e/check_json.py): validate, plugins, plugins NAME, plan, deploy,
# outputs, and the errors document of a failing command, against moto's
# server with the fixture plugins.
# usage: test_json.sh STACKHOST SOURCE_DIR FIXTURE_GOOD
set -u
bin=$1 src=$2 good=$3
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset

cat >"$tmp/fx.cfg" <<CFG
stack = { name = "fx"; outputs = { token = "beta.token"; }; };
plugins = { alpha = {}; beta = { secret_env = "FX_SECRET"; }; gamma = {}; delta = {}; };
environments = { dev = {}; broken = { plugins = { beta = { fail = true; }; }; }; };
CFG
export FX_SECRET="fx-very-secret-value-123"
fx() { run -c "$tmp/fx.cfg" --plugin-path "$good" "$@"; }
# schema NAME WHAT: $out is a document of schema NAME
schema() {
    checks=$((checks + 1))
    printf '%s' "$out" >"$tmp/doc.json"
    local why
    why=$("$venv/bin/python" "$src/tests/e2e/check_json.py" "$src" "$1" "$tmp/doc.json") || fail "$2: $why"
}

run -c "$src/examples/catalog.cfg" validate --json
expect_rc 0 "validate --json"
schema validate "validate --json"
run plugins --json
expect_rc 0 "plugins --json"
schema plugins "plugins --json"
run plugins scaling --json
expect_rc 0 "plugins scaling --json"
schema plugin "plugins scaling --json"
expect_equal "2" "$(json '[k["default"] for k in d["plugin"]["keys"] if k["name"] == "min"][0]' <<<"$out")" \
    "a default is typed"
fx -e dev plan --json
expect_rc 0 "plan --json"
schema plan "plan --json"
expect_equal "alpha|thing-alpha-dev|create|4" \
    "$(json '"|".join([d["changes"][0][k] for k in ("plugin", "name", "action")] + [str(d["summary"]["create"])])' <<<"$out")" \
    "a change and the summary, typed"
fx -e dev deploy --auto-approve --json
expect_rc 0 "deploy --json"
schema outputs "deploy --json"
fx -e dev outputs --json
expect_rc 0 "outputs --json"
schema outputs "outputs --json"
expect_equal "beta" "$(json 'd["outputs"]["token"]' <<<"$out")" "a stack output"
fx -e dev plan --json --destroy
schema plan "plan --destroy --json"
# the cost: of the catalog not deployed, all of it is created (before 0), after is cost's total
run -c "$src/examples/catalog.cfg" -e prod cost --json
expect_rc 0 "cost --json"
schema cost "cost --json"
total=$(json 'd["totals"]["monthly_usd"]' <<<"$out")
CATALOG_DB_URL=postgres://catalog.example/db run -c "$src/examples/catalog.cfg" -e prod plan --json
expect_rc 0 "plan --json of the catalog"
schema plan "plan --json of the catalog, with its cost"
expect_equal "0|$total" "$(json '"%g|%g" % (d["cost"]["before_monthly_usd"], d["cost"]["after_monthly_usd"])' <<<"$out")" \
    "a first deploy's plan costs nothing before, cost's total after"
expect_equal "37.35" "$(json '[c["monthly_usd"] for c in d["changes"] if c["name"] == "nat-catalog-a-prod"][0]' <<<"$out")" \
    "a change's monthly_usd (a nat gateway's hours and the assumed GB)"

# errors: of the configuration, of a plugin during a run
fx -e nosuch plan --json
expect_rc 2 "plan of an unknown environment"
schema errors "errors of the configuration"
expect_equal "$tmp/fx.cfg" "$(json 'd["errors"][0]["file"]' <<<"$out")" "the error's file"
fx -e broken deploy --auto-approve --json
expect_rc 1 "a failing deploy"
schema errors "errors of a run"
expect_no "$FX_SECRET" "no secret in the errors"
fx -e dev destroy --auto-approve
expect_rc 0 "destroy"
checks_done
