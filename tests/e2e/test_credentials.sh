#!/usr/bin/env bash
# The credential sources end to end, against moto's STS (its AssumeRole
# and AssumeRoleWithWebIdentity issue temporary credentials, and
# GetCallerIdentity then answers the assumed role): `plan` of the network
# with nothing but the shared files (or web identity) to find credentials
# in, through the proxy, which logs every request. Each plan's first line
# names the caller.
# usage: test_credentials.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_proxy
export AWS_ENDPOINT_URL=$proxy_url

# From here on only the files below (and web identity) hold credentials.
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
export AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials
account=123456789012
echo "moto-web-identity-token" >"$tmp/token"
cat >"$tmp/creds.sh" <<'SH'
touch "$1"
printf '{"Version": 1, "AccessKeyId": "testing", "SecretAccessKey": "process-secret-e2e", "Expiration": "%s"}' \
    "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
SH
cat >"$tmp/credentials" <<INI
[base]
aws_access_key_id = testing
aws_secret_access_key = base-secret-e2e
INI
cat >"$tmp/config" <<INI
[profile dev]
role_arn = arn:aws:iam::$account:role/dev-role
source_profile = base
role_session_name = dev-session

[profile ops]
role_arn = arn:aws:iam::$account:role/ops-role
source_profile = dev
role_session_name = ops-session

[profile oidc]
role_arn = arn:aws:iam::$account:role/oidc-role
web_identity_token_file = $tmp/token
role_session_name = oidc-session

[profile proc]
credential_process = sh "$tmp/creds.sh" "$tmp/process-ran"

[profile regional]
role_arn = arn:aws:iam::$account:role/regional-role
source_profile = base
role_session_name = regional-session
region = eu-west-1

[profile broken]
role_arn = arn:aws:iam::$account:role/orphan
INI
# The network alone; no stack.region, for the profile's region.
cat >"$tmp/stack.cfg" <<CFG
stack = { name = "creds"; };
plugins = { network = { az_count = 2; nat_per_az = false; }; };
environments = { dev = {}; };
CFG
catalog=$src/examples/catalog.cfg
requests() { wc -l <"$proxy_log" | tr -d ' '; }
count() { grep -c "$1" "$proxy_log"; }

# role_arn + source_profile
: >"$proxy_log"
AWS_PROFILE=dev run -c "$catalog" -e dev --only network plan --detailed-exitcode
expect_rc 3 "plan as a role from a source profile"
expect_err "account $account (arn:aws:sts::$account:assumed-role/dev-role/dev-session), region us-east-1" \
    "the first line names the assumed role"
expect_equal 1 "$(count '^sts AssumeRole$')" "one AssumeRole"
expect_no "base-secret-e2e" "the source profile's secret"

# a chain of two roles: the caller is the last one
: >"$proxy_log"
AWS_PROFILE=ops run -c "$catalog" -e dev --only network plan --detailed-exitcode
expect_rc 3 "plan through a chain of roles"
expect_err "(arn:aws:sts::$account:assumed-role/ops-role/ops-session)" "the chain's last role is the caller"
expect_equal 2 "$(count '^sts AssumeRole$')" "two AssumeRoles"

# web identity from the environment, then from a profile (unsigned)
: >"$proxy_log"
AWS_ROLE_ARN=arn:aws:iam::$account:role/ci-role AWS_WEB_IDENTITY_TOKEN_FILE=$tmp/token \
    AWS_ROLE_SESSION_NAME=ci-session run -c "$catalog" -e dev --only network plan --detailed-exitcode
expect_rc 3 "plan with web identity from the environment"
expect_err "(arn:aws:sts::$account:assumed-role/ci-role/ci-session)" "the web identity role is the caller"
expect_equal 1 "$(count '^- AssumeRoleWithWebIdentity$')" "one unsigned AssumeRoleWithWebIdentity"
expect_no "moto-web-identity-token" "the web identity token"
AWS_PROFILE=oidc run -c "$catalog" -e dev --only network plan --detailed-exitcode
expect_rc 3 "plan with web identity from a profile"
expect_err "(arn:aws:sts::$account:assumed-role/oidc-role/oidc-session)" "the profile's web identity role"

# credential_process
AWS_PROFILE=proc run -c "$catalog" -e dev --only network plan --detailed-exitcode
expect_rc 3 "plan with credentials from a program"
expect_err "plan stack catalog, environment dev: account $account" "the program's credentials are used"
checks=$((checks + 1))
[ -e "$tmp/process-ran" ] || fail "credential_process did not run"
expect_no "process-secret-e2e" "what the program printed"

# the profile's region, when neither the config nor the environment sets one
unset AWS_REGION AWS_DEFAULT_REGION
AWS_PROFILE=regional run -c "$tmp/stack.cfg" -e dev plan --detailed-exitcode
expect_rc 3 "plan in the profile's region"
expect_err "(arn:aws:sts::$account:assumed-role/regional-role/regional-session), region eu-west-1 (from profile regional in $tmp/config)" \
    "the profile's region, and where it came from"
expect_out " in eu-west-1" "the plan is for the profile's region's zones"
export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1

# a role without a source: an error naming the profile, before any request
: >"$proxy_log"
AWS_PROFILE=broken run -c "$catalog" -e dev --only network plan --detailed-exitcode
expect_rc 1 "a role_arn profile without a source fails"
expect_err "profile broken: role_arn is set without source_profile, credential_source or web_identity_token_file" \
    "the error names the profile and the key"
expect_equal 0 "$(requests)" "requests sent for a broken profile"

checks_done
