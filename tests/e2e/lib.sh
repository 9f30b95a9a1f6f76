# Sourced by the end-to-end tests. Installs moto's server and the AWS CLI
# (pinned in requirements.txt) into the project's .venv when missing,
# starts the server on 127.0.0.1 and a free port, points stackhost and the
# AWS CLI at it with dummy credentials, and always stops it on exit.
e2e_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
venv=${STACKHOST_VENV:-$e2e_root/.venv}
moto_pid=''
moto_port=''

# Creates or updates the virtualenv; one test at a time (flock).
e2e_venv() {
    (
        flock 9
        want=$(sha256sum "$e2e_root/tests/e2e/requirements.txt" | cut -d' ' -f1)
        if [ ! -x "$venv/bin/moto_server" ] || [ "$(cat "$venv/.requirements.sha256" 2>/dev/null)" != "$want" ]; then
            echo "e2e: installing the emulator and the aws cli into $venv" >&2
            python3 -m venv "$venv" &&
                "$venv/bin/pip" install -q --disable-pip-version-check -r "$e2e_root/tests/e2e/requirements.txt" &&
                echo "$want" >"$venv/.requirements.sha256"
        fi
    ) 9>"$e2e_root/.venv.lock"
}

e2e_stop() {
    if [ -n "$moto_pid" ]; then
        kill "$moto_pid" 2>/dev/null
        wait "$moto_pid" 2>/dev/null
        moto_pid=''
    fi
}

e2e_start() {
    e2e_venv || { echo "e2e: cannot install the emulator" >&2; exit 1; }
    moto_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    moto_log=$(mktemp)
    "$venv/bin/moto_server" -H 127.0.0.1 -p "$moto_port" >"$moto_log" 2>&1 &
    moto_pid=$!
    trap 'e2e_stop; rm -f "$moto_log"' EXIT
    for _ in $(seq 1 100); do
        python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$moto_port/moto-api/data.json', timeout=1)" \
            2>/dev/null && break
        sleep 0.2
    done
    export AWS_ENDPOINT_URL=http://127.0.0.1:$moto_port
    export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
    export AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
    export AWS_EC2_METADATA_DISABLED=true AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_CONFIG_FILE=/dev/null
    unset AWS_PROFILE AWS_SESSION_TOKEN AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_CREDENTIALS_FULL_URI
}

# Forgets every resource: each test starts from an empty account.
e2e_reset() {
    python3 -c "import urllib.request as u; u.urlopen(u.Request('$AWS_ENDPOINT_URL/moto-api/reset', method='POST'))"
}

# The independent checker.
awscli() {
    "$venv/bin/aws" --endpoint-url "$AWS_ENDPOINT_URL" --region "$AWS_REGION" --output json "$@"
}

# json FIELD-EXPRESSION: reads stdin as JSON and prints a Python expression of it (d).
json() {
    python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"
}

# e2e_start_fault_proxy [OPTIONS...]: starts the proxy (count_proxy.py)
# in front of the emulator with the given options (--latency-ms N, --seed N,
# --throttle P, --errors P, --drop-before P, --drop-after P,
# --unknown-ids SECONDS, --nat-pending SECONDS, --alb-provisioning SECONDS; none: every request is
# forwarded unchanged); sets proxy_url, proxy_log (one "service operation"
# line per request that went through), proxy_json (one JSON object per
# request, see count_proxy.py) and proxy_seed (the seed of its random
# choices, given or drawn: rerun with --seed "$proxy_seed" to replay). The
# proxy stops on exit.
e2e_start_fault_proxy() {
    # ECS as AWS runs it (proxy_rollouts.py): a deployment completes with healthy targets when
    # its image is in the repository and fails when not, so deploy's wait for the rollout ends
    set -- --rollouts "$@"
    proxy_log=$(mktemp)
    proxy_json=$(mktemp)
    local portfile errfile
    portfile=$(mktemp)
    errfile=$(mktemp)
    python3 "$e2e_root/tests/e2e/count_proxy.py" --json-log "$proxy_json" "$@" \
        "$AWS_ENDPOINT_URL" "$proxy_log" >"$portfile" 2>"$errfile" &
    proxy_pid=$!
    trap 'kill $proxy_pid 2>/dev/null; e2e_stop; rm -f "$moto_log" "$proxy_log" "$proxy_json"' EXIT
    for _ in $(seq 1 50); do
        [ -s "$portfile" ] && break
        kill -0 "$proxy_pid" 2>/dev/null || break
        sleep 0.1
    done
    if [ ! -s "$portfile" ]; then
        echo "e2e: the proxy did not start: $(cat "$errfile")" >&2
        rm -f "$portfile" "$errfile"
        exit 1
    fi
    proxy_url=http://127.0.0.1:$(head -n 1 "$portfile")
    rm -f "$portfile" "$errfile"
    proxy_seed=$(proxy_settings | json 'd["seed"]')
}

# e2e_push_image REPOSITORY TAG: an image in the repository (a manifest
# with no layers: nothing pulls it here), as `docker push` leaves it.
e2e_push_image() {
    awscli ecr describe-images --repository-name "$1" --image-ids "imageTag=$2" >/dev/null 2>&1 && return 0
    local manifest='{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,"digest":"sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},"layers":[]}'
    awscli ecr put-image --repository-name "$1" --image-tag "$2" --image-manifest "$manifest" >/dev/null
}

# e2e_image CFG ENV [TAG]: the repository of ENV made by the registry plugin
# alone (deploy --only registry, straight to the emulator) and an image
# pushed to it with TAG (default 1.0.0), as a first deploy asks: deploy
# never rolls out a service whose image is not there.
e2e_image() {
    local cfg=$1 env=$2 tag=${3:-1.0.0} made repo
    made=$("${wrap[@]}" "$bin" -q -c "$cfg" -e "$env" --only registry --auto-approve deploy) ||
        { echo "e2e: the repository of $env was not made" >&2; return 1; }
    repo=$(sed -n 's/^registry.repository_name = //p' <<<"$made")
    e2e_push_image "$repo" "$tag"
}

# on_terminal ANSWER ARGS...: stackhost ARGS through the proxy on a pseudo-terminal
# (on_terminal.py), answering ANSWER once it asks ("... is accepted: "); leaves $out
# (everything it printed, as the terminal showed it, without colour: NO_COLOR) and $rc.
on_terminal() {
    local answer=$1
    shift
    out=$(NO_COLOR=1 AWS_ENDPOINT_URL=$proxy_url "$venv/bin/python" "$e2e_root/tests/e2e/on_terminal.py" "is accepted: " \
        "$answer" "${wrap[@]}" "$bin" "$@")
    rc=$?
    err=''
}

# e2e_start_proxy [LATENCY_MS]: the proxy with no fault, adding LATENCY_MS
# (default 0) to every request.
e2e_start_proxy() {
    e2e_start_fault_proxy --latency-ms "${1:-0}"
}

# proxy_set OPTIONS_JSON: changes the running proxy's settings for the
# requests that follow, e.g. proxy_set '{"throttle": 0, "drop_after": 0}'
# (keys: seed, throttle, errors, drop_before, drop_after, unknown_ids,
# nat_pending, alb_provisioning, latency_ms; dashes work too; a seed restarts the random
# sequence). Fails, saying why, on an unknown key or a bad value.
proxy_set() {
    python3 - "$proxy_url" "$1" <<'PY'
import sys, urllib.error, urllib.request
request = urllib.request.Request(sys.argv[1] + "/__proxy/settings", data=sys.argv[2].encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
try:
    urllib.request.build_opener(urllib.request.ProxyHandler({})).open(request, timeout=10).read()
except urllib.error.HTTPError as error:
    sys.exit(f"proxy_set: {error.read().decode().strip()}")
PY
}

# proxy_settings: prints the running proxy's settings as a JSON object.
proxy_settings() {
    python3 - "$proxy_url" <<'PY'
import sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
sys.stdout.write(opener.open(sys.argv[1] + "/__proxy/settings", timeout=10).read().decode())
PY
}

# The operations logged by the proxy that change something in the stack
# (not Describe*, List*, Get*, nor the environment's lease).
proxy_mutations() {
    grep -vE ' (Describe|List|Get)[A-Z]| lease$' "$proxy_log" || true
}

# proxy_lease: the requests of the environment's lease in $proxy_log (lease.h), one per line.
proxy_lease() {
    grep -E ' lease$' "$proxy_log" || true
}

# proxy_faults [SERVICE]: how many requests in $proxy_json the proxy
# injected a fault into (only SERVICE's, e.g. elasticloadbalancing, when given).
proxy_faults() {
    python3 - "$proxy_json" "${1:-}" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
print(sum(1 for r in rows if r.get("fault") and (not sys.argv[2] or r["service"] == sys.argv[2])))
PY
}

# until_converged RUN ARGS...: RUN ARGS (a function that calls run), run
# again, at most twice more, while it fails with a fault that outlasted the
# client's retries ("..., N attempts)"): at the faults' rates one request
# in a few thousand meets five in a row, and for that the promise is that
# the next run converges, not that one run always wins. Any other failure
# is left in $rc for the test to see.
until_converged() {
    local try
    "$@"
    for try in 2 3; do
        [ "$rc" != 0 ] && grep -qE ', [0-9]+ attempts\)' <<<"$err" || break
        echo "note: $* failed on a fault that outlasted the retries; run $try:" >&2
        grep -E '^error:' <<<"$err" | head -3 >&2
        "$@"
    done
}

# Prints "requests=N wall=S sum=S concurrency=X" for the requests in
# $proxy_json: wall runs from the first start to the last end, sum adds up
# each request's time in the proxy; concurrency = sum / wall, the mean
# number of requests in flight.
proxy_concurrency() {
    python3 - "$proxy_json" <<'PY'
import json, sys
spans = [(r["start"], r["end"]) for r in (json.loads(line) for line in open(sys.argv[1]) if line.strip())]
wall = max(e for _, e in spans) - min(s for s, _ in spans) if spans else 0.0
busy = sum(e - s for s, e in spans)
print(f"requests={len(spans)} wall={wall:.3f} sum={busy:.3f} concurrency={busy / wall if wall else 0:.2f}")
PY
}

# expect_checker WHAT CHECKER ARGS...: tests/e2e/CHECKER.py (boto3, straight
# against the emulator) must print no failure (needs tests/lib/checks.sh).
expect_checker() {
    local what=$1 checker=$2 result
    shift 2
    result=$("$venv/bin/python" "$e2e_root/tests/e2e/$checker.py" "$@")
    checks=$((checks + 1))
    [ -z "$result" ] || { out=$result; fail "$what"; }
}

# expect_stack WHAT ENV NATS DESIRED MIN MAX [check_lb options]: every row of
# catalog-stack.md for one environment of examples/catalog.cfg.
expect_stack() {
    local what=$1 env=$2 nats=$3 desired=$4 min=$5 max=$6
    shift 6
    expect_checker "$what: network" check_network catalog "$env" "$nats"
    expect_checker "$what: registry" check_registry catalog "$env" 5 IMMUTABLE
    expect_checker "$what: secrets" check_secrets catalog "$env"
    expect_checker "$what: lb" check_lb catalog "$env" "$@"
    expect_checker "$what: compute" check_compute catalog "$env" 1.0.0 "$desired" 1
    expect_checker "$what: scaling" check_scaling catalog "$env" "$min" "$max" 70
    expect_checker "$what: observability" check_observability catalog "$env" --notify catalog-oncall@example.com \
        --cpu 80 --min-healthy 2
}

# The network of catalog-stack.md (check_network.py).
expect_network() {
    local what=$1
    shift
    expect_checker "$what" check_network "$@"
}

# catalog_cfg FILE SECTION...: writes a configuration of the catalog stack
# (stack "catalog", the CostCenter tag) to FILE with these plugin sections:
# a plugin's name gives its usual test settings (secrets from
# $CATALOG_DB_URL and a generated key, compute running image 1.0.0, one
# NAT gateway, a repository destroy may delete with its images), anything else ("compute = { ... };") is written as given.
# $catalog_environments (default "dev = {};") is the environments group.
catalog_cfg() {
    local file=$1 section
    shift
    {
        echo 'stack = { name = "catalog"; region = "us-east-1"; tags = { CostCenter = "retail-catalog"; }; };'
        echo 'plugins = {'
        for section in "$@"; do
            case $section in
            network) echo '  network = { nat_per_az = false; };' ;;
            secrets) echo '  secrets = { parameters = (
    { name = "db-connection-string"; env = "CATALOG_DB_URL"; },
    { name = "api-key"; generate = 48; }
  ); };' ;;
            compute) echo '  compute = { image_tag = "1.0.0"; };' ;;
            registry) echo '  registry = { delete_images = true; };' ;;
            lb | scaling | observability) echo "  $section = {};" ;;
            *) echo "  $section" ;;
            esac
        done
        echo '};'
        echo "environments = { ${catalog_environments:-dev = {\};} };"
    } >"$file"
}
