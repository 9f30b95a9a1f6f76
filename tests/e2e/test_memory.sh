#!/usr/bin/env bash
# Secrets kept out of memory (issue 23): stackhost's whole memory, read as
# a core image once everything was freed (scan_memory.py), holds no copy of
# the session token it signed with (read from a credentials file, never in
# its environment), of a parameter's old value that plan decrypted to
# compare, or of the key a deploy generated; and core files are off.
# usage: test_memory.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
export AWS_ENDPOINT_URL_CHECK=$AWS_ENDPOINT_URL
cfg=$tmp/secrets.cfg
catalog_cfg "$cfg" secrets
token=planted-session-token-$RANDOM$RANDOM$RANDOM
old=planted-old-value-$RANDOM$RANDOM$RANDOM
# credentials from a file: the token is read into the heap, sent in every request's headers
printf '[default]\naws_access_key_id = ASIAMEMORYTEST\naws_secret_access_key = memory-test-secret-key-0123456789\naws_session_token = %s\n' \
    "$token" >"$tmp/credentials"
scan() { # scan SECRETS_FILE ARGS...: stackhost ARGS under the scanner; leaves $out, $err, $rc, $scanned
    local secrets=$1
    shift
    scanned=$(env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_SHARED_CREDENTIALS_FILE="$tmp/credentials" \
        "$venv/bin/python" "$src/tests/e2e/scan_memory.py" "$secrets" "$tmp/run" "$bin" "$@")
    rc=$?
    out=$(cat "$tmp/run.out")
    err=$(cat "$tmp/run.err")
}

# --- deploy: the generated api key, the token
printf '%s\n@ssm /catalog/dev/api-key\n' "$token" >"$tmp/deploy.secrets"
CATALOG_DB_URL=$old scan "$tmp/deploy.secrets" -c "$cfg" -e dev --auto-approve deploy
expect_rc 0 "deploy, its memory scanned: $scanned"
expect_equal "exit 0" "$(tail -1 <<<"$scanned")" "the deploy itself"
checks=$((checks + 1))
grep -q "^core file size: 0$" <<<"$scanned" || fail "core files are not off: $scanned"

# --- plan with a new value: the old one, decrypted to compare, is wiped after
printf '%s\n%s\n' "$token" "$old" >"$tmp/plan.secrets"
CATALOG_DB_URL=postgres://catalog:rotated-$RANDOM@db.invalid/catalog scan "$tmp/plan.secrets" -c "$cfg" -e dev plan --detailed-exitcode
expect_rc 0 "plan, its memory scanned: $scanned"
expect_equal "exit 3" "$(tail -1 <<<"$scanned")" "the plan itself (changes to make)"

run -c "$cfg" -e dev --auto-approve destroy
expect_rc 0 "destroy"
checks_done
