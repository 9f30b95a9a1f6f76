#!/usr/bin/env bash
# The engine end to end through the real binary, against moto's server:
# plan, deploy, outputs, a failing deploy, destroy, with fixture plugins.
# Every run names the account and region first. And no secret (secret
# key, session token, signature, a plugin's registered secret) reaches
# stdout or stderr at -v -v with session credentials.
# usage: test_fixture_run.sh STACKHOST SOURCE_DIR FIXTURE_GOOD
set -u
bin=$1 src=$2 good=$3
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset

cat >"$tmp/fx.cfg" <<CFG
stack = { name = "fx"; tags = { CostCenter = "7"; }; };
plugins = { alpha = {}; beta = { secret_env = "FX_SECRET"; }; gamma = {}; delta = {}; };
environments = { dev = {}; broken = { plugins = { beta = { fail = true; }; }; }; };
CFG
export FX_SECRET="fx-very-secret-value-123"
fx() { run -c "$tmp/fx.cfg" --plugin-path "$good" "$@"; }

fx -e dev plan --detailed-exitcode
expect_rc 3 "plan with changes"
expect_err "plan stack fx, environment dev: account 123456789012 (arn:aws:sts::123456789012:user/moto), region us-east-1" \
    "plan names the account first"
expect_out "+   create    thing-alpha-dev" "plan lines"
expect_out "plan: 4 to create, 0 to update, 0 to replace, 0 to delete" "plan summary"
# colour on a terminal, as + green; none with NO_COLOR or --no-color, nor through a pipe
term() { "$venv/bin/python" "$src/tests/e2e/on_terminal.py" "never asked" "" "${wrap[@]}" "$bin" "$@"; }
checks=$((checks + 4))
green=$'\033[32m+   create'
[[ $(term -c "$tmp/fx.cfg" --plugin-path "$good" -e dev plan) == *"$green"* ]] || fail "plan on a terminal is coloured"
[[ $(NO_COLOR=1 term -c "$tmp/fx.cfg" --plugin-path "$good" -e dev plan) != *$'\033['* ]] || fail "NO_COLOR: no colour"
[[ $(term -c "$tmp/fx.cfg" --plugin-path "$good" -e dev plan --no-color) != *$'\033['* ]] || fail "--no-color: no colour"
[[ $out != *$'\033['* ]] || fail "no colour through a pipe"
# a plugin reading a key its table does not declare: a plugin bug, said at once
printf 'stack = { name = "fx"; };\nplugins = { alpha = { read_undeclared = true; }; };\nenvironments = { dev = {}; };\n' \
    >"$tmp/bug.cfg"
run -c "$tmp/bug.cfg" --plugin-path "$good" -e dev plan
expect_rc 1 "a plugin reading an undeclared key"
expect_err "plugin bug: plugin 'alpha' reads the configuration key 'desired_cont', which its key table does not declare" \
    "an undeclared key is a plugin bug"
fx -e dev plan --detailed-exitcode --json
expect_rc 3 "plan --json"
checks=$((checks + 1))
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["summary"]["create"]==4 and len(d["changes"])==4' <<<"$out" ||
    fail "plan --json"

# Session credentials, the most verbose logging: nothing secret may show.
export AWS_ACCESS_KEY_ID=ASIAE2ETESTKEY
export AWS_SECRET_ACCESS_KEY="e2e/Secret+Access+Key/0123456789abcdef"
export AWS_SESSION_TOKEN="e2e-session-token-FwoGZXIvYXdzEXAMPLE0123456789"
fx -e dev -v -v --auto-approve deploy
expect_rc 0 "fixture deploy"
expect_err "deploy stack fx, environment dev: account 123456789012" "deploy banner"
expect_err "alpha: create thing-alpha-dev" "progress line"
expect_err "aws: sts GetCallerIdentity: http 200, 1 attempt" "-v shows each request"
expect_err "canonical request" "-v -v traces the signing"
expect_out "delta.token = delta" "outputs after deploy"
# gamma reads its configuration typed (config_bind, host->config_read): the defaults, as bound
expect_out "gamma.mode = fast" "a string read through config_read"
expect_out "gamma.delay = 0" "an integer read through config_read"
expect_err "using the secret ***" "a plugin's secret redacted in logs"
expect_no "$FX_SECRET" "plugin secret at -v -v"
expect_no "$AWS_SECRET_ACCESS_KEY" "secret access key at -v -v"
expect_no "$AWS_SESSION_TOKEN" "session token at -v -v"
expect_no "Signature=" "signature at -v -v"
expect_err "x-amz-security-token:***" "the token is redacted inside the canonical request"

fx -e dev outputs --json
expect_rc 0 "outputs --json"
checks=$((checks + 1))
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["plugins"]["beta"]["token"]=="beta"' <<<"$out" || fail "outputs --json"

fx -e broken -v -v --auto-approve deploy
expect_rc 1 "fixture deploy that fails"
expect_err "beta: injected failure (secret was ***)" "failure reported"
# delta may have started on beta's outputs (dataflow) before beta failed: then it is cut
# short, not skipped, and its own error (the token never came) is not reported
expect_err "stopped after an earlier failure" "dependents skipped"
checks=$((checks + 1))
grep -qE "warning: delta: deploy (not run|cut short): stopped after an earlier failure" <<<"$err" ||
    fail "delta is skipped or cut short"
expect_no "has not published its token" "no error that follows from beta's"
expect_no "$FX_SECRET" "secret never in errors"
expect_no "$AWS_SECRET_ACCESS_KEY" "secret key never in errors"

fx -e dev --auto-approve destroy
expect_rc 0 "fixture destroy"
expect_err "destroy stack fx, environment dev: account 123456789012" "destroy banner"
expect_err "destroy complete: stack fx, environment dev" "destroy"

# No credentials anywhere: one clear error listing where it looked, exit 1.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
fx -e dev plan --detailed-exitcode
expect_rc 1 "no credentials"
expect_err "cannot tell which account would change: sts GetCallerIdentity: NoCredentials: no aws credentials found; looked in the environment" \
    "no credentials"

checks_done
