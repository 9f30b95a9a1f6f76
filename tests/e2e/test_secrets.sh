#!/usr/bin/env bash
# The secrets plugin end to end against moto's server, checked with boto3
# (check_secrets.py): both parameters as SecureString with the right values
# and tags; a missing variable stops the first deploy before any change; a
# redeploy changes nothing and keeps the generated key; a changed variable
# updates that parameter only; a foreign parameter is left alone; destroy
# twice; no value shown at -v -v; then deploy/plan/destroy through the
# fault proxy over seeds 1..3.
# usage: test_secrets.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_fault_proxy
export STACKHOST_RETRY_BASE_MS=100

cfg=$tmp/secrets.cfg
cat >"$cfg" <<CFG
stack = { name = "catalog"; region = "us-east-1"; tags = { CostCenter = "retail-catalog"; }; };
plugins = { secrets = { parameters = (
  { name = "db-connection-string"; env = "CATALOG_DB_URL"; },
  { name = "api-key"; generate = 48; }
); }; };
environments = { dev = {}; };
CFG
sh() { AWS_ENDPOINT_URL=$proxy_url run -c "$cfg" -e dev "$@"; }
direct() { run -c "$cfg" -e dev "$@"; }
check_secrets() { "$venv/bin/python" "$src/tests/e2e/check_secrets.py" "$@"; }
api_key() { check_secrets --value catalog dev api-key; }
export CATALOG_DB_URL="postgres://catalog:first-$RANDOM$RANDOM@db.internal:5432/catalog"

# --- a value shorter than 8 characters is refused at validate: hiding it would mangle every line
CATALOG_DB_URL=short sh validate
expect_rc 2 "a 5-character secret"
expect_err "CATALOG_DB_URL holds a value of 5 characters: a secret needs at least 8" "the short value refused"
expect_no "short'" "the value itself never shown"

# --- an endpoint that echoes the request: the password, in whatever form the answer holds
# it (as sent, JSON-escaped, percent-encoded), never reaches stderr
password='p/w"d+%&=x y-'"$RANDOM$RANDOM"
proxy_set '{"echo": "PutParameter"}' >/dev/null
CATALOG_DB_URL="postgres://catalog:$password@db.internal:5432/catalog" sh -v -v --auto-approve deploy
proxy_set '{"echo": ""}' >/dev/null
expect_rc 1 "deploy through an endpoint that echoes the request"
expect_err "(the answer's text is not shown: the request carried a secret)" "the echo not quoted"
checks=$((checks + 1))
for form in "$password" "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1])[1:-1])' "$password")" \
    "$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1], safe=""))' "$password")" \
    "${password:0:8}"; do
    if grep -qF -- "$form" <<<"$out$err"; then
        fail "the password shows in the output, as '$form'"
        break
    fi
done
sh --auto-approve destroy
expect_rc 0 "destroy after the echo"

# --- a missing variable on the first deploy: an error naming it, before any change
: >"$proxy_log"
CATALOG_DB_URL='' sh --auto-approve deploy
expect_rc 1 "deploy without CATALOG_DB_URL"
expect_err "CATALOG_DB_URL" "the error names the variable"
expect_err "db-connection-string" "the error names the parameter"
expect_equal "" "$(proxy_mutations)" "mutating requests of a deploy without its variable"

# --- deploy: both parameters, values and tags
sh --auto-approve deploy
expect_rc 0 "deploy"
expect_out "secrets.db_connection_string_arn = arn:aws:ssm:us-east-1:123456789012:parameter/catalog/dev/db-connection-string" \
    "the db parameter's arn"
expect_out "secrets.api_key_arn = arn:aws:ssm:us-east-1:123456789012:parameter/catalog/dev/api-key" "the api key's arn"
expect_checker "the parameters after deploy" check_secrets catalog dev
key=$(api_key)

# --- plan: no change; redeploy: no mutating request, the key unchanged
direct plan --detailed-exitcode
expect_rc 0 "plan after deploy"
# only what plan compares is asked decrypted: the value from the variable, never the
# generated key (a plan role needs no kms:Decrypt for it); with the variable unset, nothing
decrypted() {
    python3 -c 'import json, sys
names = sorted(n for l in open(sys.argv[1]) if l.strip() for n in json.loads(l).get("decrypted", []))
print(" ".join(names))' "$proxy_json"
}
: >"$proxy_json"
sh plan --detailed-exitcode
expect_rc 0 "plan through the proxy"
expect_equal "/catalog/dev/db-connection-string" "$(decrypted)" "the values plan asked decrypted"
: >"$proxy_json"
CATALOG_DB_URL='' sh plan --detailed-exitcode
expect_rc 0 "plan with the variable unset"
expect_equal "" "$(decrypted)" "values asked decrypted with the variable unset"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 0 "redeploy"
expect_equal "" "$(proxy_mutations)" "mutating requests of a redeploy"
expect_equal "$key" "$(api_key)" "the api key after a redeploy"

# --- a new value in the environment: that parameter only
old_url=$CATALOG_DB_URL
export CATALOG_DB_URL="postgres://catalog:second-$RANDOM$RANDOM@db.internal:5432/catalog"
sh plan --detailed-exitcode
expect_rc 3 "plan with a changed variable"
expect_out "parameter /catalog/dev/db-connection-string (value changes)" "plan says the value changes"
expect_no "$CATALOG_DB_URL" "plan with a changed variable (new value)"
expect_no "$old_url" "plan with a changed variable (old value)"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 0 "deploy a changed variable"
expect_equal "ssm PutParameter" "$(proxy_mutations)" "the requests that change something"
expect_checker "the parameters after a changed variable" check_secrets catalog dev
expect_equal "$key" "$(api_key)" "the api key after a changed variable"
# the variable unset once the parameter exists: the stored value is kept
CATALOG_DB_URL='' sh --auto-approve deploy
expect_rc 0 "deploy without the variable once the parameter exists"

# --- destroy; a second destroy succeeds
sh --auto-approve destroy
expect_rc 0 "destroy"
expect_checker "leftovers after destroy" check_secrets --gone catalog dev
sh --auto-approve destroy
expect_rc 0 "second destroy"

# --- a parameter with our name and no tags: deploy stops before any change
awscli ssm put-parameter --name /catalog/dev/api-key --type SecureString --value foreign-value >/dev/null
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 1 "deploy with a foreign parameter"
expect_err "a parameter named /catalog/dev/api-key exists without this stack's ownership tags" "the foreign parameter named"
expect_equal "" "$(proxy_mutations)" "mutating requests with a foreign parameter in the way"
expect_equal "foreign-value" "$(api_key)" "the foreign parameter untouched"
e2e_reset

# --- an owned String parameter: SSM cannot change the type in place (in a
# path hierarchy it answers HierarchyTypeMismatchException), so it is a
# replacement behind --allow-replace, keeping the value
tags='Key=Project,Value=catalog Key=Environment,Value=dev Key=ManagedBy,Value=stackhost'
# shellcheck disable=SC2086
plain=plainTextKeyValue-0123456789-abcdefghijklmnopqrs # 48 URL-safe characters, as generated
awscli ssm put-parameter --name /catalog/dev/api-key --type String --value "$plain" --tags $tags >/dev/null
direct plan --detailed-exitcode
expect_rc 1 "plan with a String parameter, without --allow-replace"
expect_err "parameter /catalog/dev/api-key is of type String and must be SecureString, which ssm cannot change in place" \
    "plan refuses as deploy will"
direct --allow-replace plan --detailed-exitcode
expect_rc 3 "plan --allow-replace with a String parameter"
expect_out "-/+ replace   parameter /catalog/dev/api-key (type String -> SecureString: deleted and made again (ssm cannot change a type in place))" \
    "plan shows the replacement"
: >"$proxy_log"
sh --auto-approve deploy
expect_rc 1 "deploy without --allow-replace"
expect_err "parameter /catalog/dev/api-key is of type String and must be SecureString, which ssm cannot change in place: run deploy --allow-replace" \
    "the replacement refused, saying what to do"
expect_equal "" "$(proxy_mutations)" "mutating requests of a refused replacement"
: >"$proxy_log"
sh --allow-replace --auto-approve deploy
expect_rc 0 "deploy --allow-replace"
expect_equal "ssm DeleteParameter
ssm PutParameter
ssm PutParameter" "$(proxy_mutations | sort)" "the parameter deleted and made again (the other one created)"
expect_equal "ssm DeleteParameter" "$(proxy_mutations | grep -m1 DeleteParameter)" "the delete sent"
expect_checker "the parameters after the replacement" check_secrets catalog dev
expect_equal "$plain" "$(api_key)" "the value kept through the replacement"
expect_no "$plain" "the replaced value in the output"
direct plan --detailed-exitcode
expect_rc 0 "plan after the replacement"
sh --auto-approve destroy
expect_rc 0 "destroy after the replacement"
e2e_reset

# --- no value anywhere in a full run at -v -v
sh -v -v --auto-approve deploy
all="$out$err"
key=$(api_key)
sh -v -v plan --detailed-exitcode
all="$all$out$err"
sh -v -v --auto-approve destroy
all="$all$out$err"
out=$all err=''
expect_rc 0 "destroy at -v -v"
expect_no "$CATALOG_DB_URL" "a run at -v -v (the db value)"
expect_no "$key" "a run at -v -v (the generated key)"
expect_checker "leftovers after the run at -v -v" check_secrets --gone catalog dev

# --- through the faults: exactly the two parameters, values right, then nothing
for seed in 1 2 3; do
    e2e_reset
    : >"$proxy_json"
    proxy_set "{\"seed\": $seed, \"throttle\": 0.05, \"errors\": 0.05, \"drop_before\": 0.05, \"drop_after\": 0.05}" >/dev/null
    until_converged sh --auto-approve deploy
    expect_rc 0 "deploy through faults, seed $seed"
    expect_checker "the parameters after a deploy through faults, seed $seed" check_secrets catalog dev
    direct plan --detailed-exitcode
    expect_rc 0 "plan straight to the emulator after a deploy through faults, seed $seed"
    until_converged sh --auto-approve destroy
    expect_rc 0 "destroy through faults, seed $seed"
    expect_checker "leftovers after a destroy through faults, seed $seed" check_secrets --gone catalog dev
    faults=$(proxy_faults)
    echo "seed $seed: $faults faults injected" >&2
done
proxy_set '{"throttle": 0, "errors": 0, "drop_before": 0, "drop_after": 0}' >/dev/null
checks_done
