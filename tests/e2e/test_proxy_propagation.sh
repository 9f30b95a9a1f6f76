#!/usr/bin/env bash
# The fault proxy's propagation answers (count_proxy.py --propagation,
# proxy_propagation.py), proven with boto3: each rule's refusal parses in
# botocore with AWS's code, HTTP status and message, and the request goes
# through once the window has passed; --fail gives a genuine refusal.
# usage: test_proxy_propagation.sh SOURCE_DIR
set -u
src=$1 bin=true
. "$src/tests/lib/checks.sh"
. "$src/tests/e2e/lib.sh"
e2e_start
e2e_reset
e2e_start_fault_proxy --propagation 1.5
expect_checker "the proxy's propagation answers" check_proxy_propagation "$proxy_url" 1.5
expect_equal "14" "$(python3 - "$proxy_json" <<'PY'
import json, sys
rules = {json.loads(l).get("fault") for l in open(sys.argv[1]) if l.strip()}
print(len({r for r in rules if r and r.startswith("propagation:")}))
PY
)" "every rule answered at least once"
checks_done
