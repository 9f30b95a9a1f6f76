#!/usr/bin/env bash
# The command line end to end: the real binary, the real plugins and the
# fixture plugins; checks exit statuses and what stdout and stderr say.
# usage: test_commands.sh STACKHOST SOURCE_DIR FIXTURE_GOOD FIXTURE_BAD
# STACKHOST_WRAPPER (a space-separated command prefix, e.g. valgrind) wraps each run.
set -u
bin=$1 src=$2 good=$3 bad=$4
. "$src/tests/lib/checks.sh"

cat_cfg=$src/examples/catalog.cfg

# --- validate the example, in execution order
for env in dev prod; do
    run -c "$cat_cfg" -e $env validate
    expect_rc 0 "validate $env"
    expect_out "valid for environment $env" "validate $env"
    order=$(grep -oE '^  [0-9]\. [a-z]+' <<<"$out" | awk '{print $2}' | tr '\n' ' ')
    checks=$((checks + 1))
    [ "$order" = "network registry secrets lb compute scaling observability " ] || fail "validate $env order: $order"
done
run validate -c "$cat_cfg"
expect_rc 0 "validate every environment"
expect_out "environment dev" "validate all"
expect_out "environment prod" "validate all"
run -c "$cat_cfg" -e dev validate --json
expect_rc 0 "validate --json"
checks=$((checks + 1))
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["environments"][0]["order"][0]=="network"' <<<"$out" \
    || fail "validate --json is not the expected JSON"

# --- each configuration mistake: exit 2, file, line, key path, what to do
sed 's/^    cidr = /    cidrr = /' "$cat_cfg" >"$tmp/typo.cfg"
line=$(grep -n 'cidrr = ' "$tmp/typo.cfg" | cut -d: -f1)
run -c "$tmp/typo.cfg" -e dev validate
expect_rc 2 "misspelt key"
expect_err "$tmp/typo.cfg:$line: plugins.network.cidrr: unknown key, did you mean 'cidr'?" "misspelt key"

sed 's/^    cpu = 1024;/    cpu = "1024";/' "$cat_cfg" >"$tmp/type.cfg"
run -c "$tmp/type.cfg" -e dev validate
expect_rc 2 "string for a number"
expect_err "plugins.compute.cpu: expected an integer, found a string (\"1024\")" "string for a number"

sed 's/^    keep_images = 5;/    keep_images = 5000;/' "$cat_cfg" >"$tmp/range.cfg"
run -c "$tmp/range.cfg" -e dev validate
expect_rc 2 "out of range"
expect_err "plugins.registry.keep_images: 5000 is out of range: use 1 to 1000" "out of range"

# network: subnet sizes aws refuses, and rules that would be duplicates
sed 's|^    egress_ports = \[5432\];|    egress_ports = [5432, 5432]; public_subnets = ["10.0.0.0/28", "10.0.1.0/24", "10.0.2.0/24"]; private_subnets = ["10.0.10.0/29", "10.0.11.0/24", "10.0.12.0/24"];|' "$cat_cfg" >"$tmp/subnets.cfg"
run -c "$tmp/subnets.cfg" -e dev validate
expect_rc 2 "subnet sizes and duplicate ports"
expect_err "plugins.network.public_subnets[0]: 10.0.0.0/28 is smaller than a /27: a load balancer needs at least a /27" "public subnet too small"
expect_err "plugins.network.private_subnets[0]: 10.0.10.0/29 is smaller than aws's smallest subnet, a /28" "subnet below /28"
expect_err "plugins.network.egress_ports[1]: port 5432 is listed twice" "duplicate egress port"

run -c "$cat_cfg" -e staging validate
expect_rc 2 "unknown environment"
expect_err "unknown environment 'staging'; this file defines: dev, prod" "unknown environment"

sed 's/^    enable = \["scaling"\];/    disable = ["lb"];/' "$cat_cfg" >"$tmp/disabled.cfg"
run -c "$tmp/disabled.cfg" -e dev validate
expect_rc 2 "requires a disabled plugin"
expect_err "plugin 'compute' requires plugin 'lb', which is disabled in environment 'dev' by environments.dev.disable[0]" "requires disabled"

printf 'stack = { name = "cyc"; };\nplugins = { cyc_a = {}; cyc_b = {}; };\nenvironments = { dev = {}; };\n' >"$tmp/cycle.cfg"
run -c "$tmp/cycle.cfg" -e dev --plugin-path "$good" validate
expect_rc 2 "requires cycle"
expect_err "plugin requirements form a cycle: cyc_a -> cyc_b -> cyc_a" "requires cycle"

sed 's/^    memory = 2048;/    memory = 1000;/' "$cat_cfg" >"$tmp/fargate.cfg"
run -c "$tmp/fargate.cfg" -e dev validate
expect_rc 2 "plugin's own check"
expect_err "plugins.compute.memory: fargate with cpu 1024 takes memory 2048 to 8192 MiB in steps of 1024, not 1000" "fargate size"

sed 's/{ name = "api-key"; generate = 48; }/{ name = "api-key"; generate = 48; env = "API_KEY"; }/' "$cat_cfg" >"$tmp/secret.cfg"
run -c "$tmp/secret.cfg" -e dev validate
expect_rc 2 "secrets: env and generate"
expect_err "plugins.secrets.parameters[1]: set exactly one of env (a variable name) or generate (a length)" "secrets"

sed 's/^  name = "catalog";/  name = "catalog-with-a-long-name";/' "$cat_cfg" >"$tmp/long.cfg"
run -c "$tmp/long.cfg" -e prod validate
expect_rc 2 "name over the elb limit"
expect_err "the name alb-catalog-with-a-long-name-prod is 33 characters, over elastic load balancing's 32" "long name"

printf 'stack = { name = "x"; };\nplugins = { network = { cidr = ; }; };\n' >"$tmp/syntax.cfg"
run -c "$tmp/syntax.cfg" -e dev validate
expect_rc 2 "syntax error"
expect_err "$tmp/syntax.cfg:2: syntax error" "syntax error"

run -c "$tmp/missing.cfg" -e dev validate
expect_rc 2 "missing file"
expect_err "cannot read the configuration: No such file or directory" "missing file"

# --- usage
run deplyo
expect_rc 2 "unknown command"
expect_err "unknown command 'deplyo', did you mean 'deploy'?" "unknown command"
run -c "$cat_cfg" plan --detailed-exitcode
expect_rc 2 "plan without an environment"
expect_err "plan needs an environment: pass -e ENV (this file defines: dev, prod)" "plan without env"
run --help
expect_rc 0 "--help"
expect_out "3  plan --detailed-exitcode found changes to make" "--help"
run --version
expect_rc 0 "--version"
expect_out "stackhost 0.1.0 (plugin abi 1.7)" "--version"

# --- plugins
run plugins
expect_rc 0 "plugins"
for p in network registry secrets lb compute scaling observability; do
    expect_out "$p " "plugins lists $p"
done
expect_out "compute        0.1.0    network,registry,secrets,lb" "plugins shows requirements"
run plugins network
expect_rc 0 "plugins network"
expect_out "cidr                   string           default \"10.0.0.0/16\", ipv4 cidr" "plugins network: cidr"
expect_out "the VPC's IPv4 CIDR block" "plugins network: help"
expect_out "egress_ports           list of integers default [5432], 1 to 65535" "plugins network: egress_ports"
run plugins secrets --json
expect_rc 0 "plugins secrets --json"
checks=$((checks + 1))
python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["plugin"]["keys"][0]["fields"][0]["name"]=="name"' <<<"$out" \
    || fail "plugins secrets --json"
run plugins nope
expect_rc 2 "plugins with an unknown name"
expect_err "plugin 'nope' not found: no nope.so in" "plugins nope"

# --- every fixture refusal names its file and says why
run --plugin-path "$good:$bad" plugins
expect_rc 1 "plugins with refused fixtures"
expect_err "$bad/old_abi.so: plugin refused: it was built for plugin abi 0.7, this host speaks 1.7" "old abi"
expect_err "$bad/new_minor.so: plugin refused: it was built for plugin abi 1.99, newer than this host's 1.7" "newer minor"
expect_err "$bad/no_symbol.so: plugin refused: it does not export the symbol 'stackhost_plugin'" "missing symbol"
expect_err "$bad/small_desc.so: plugin refused: its descriptor claims 24 bytes" "descriptor too small"
expect_err "$bad/alpha_copy.so: plugin refused: duplicate plugin name 'alpha': already loaded from $good/alpha.so" "duplicate"
expect_err "$bad/unresolved.so: plugin refused: cannot load it:" "unresolved symbol"
expect_err "$bad/bad_default.so: plugin refused: configuration key 'count' has an invalid default" "bad default"
expect_out "alpha " "good fixtures still listed"
printf 'stack = { name = "g"; };\nplugins = { needs_ghost = {}; };\nenvironments = { dev = {}; };\n' >"$tmp/ghost.cfg"
run -c "$tmp/ghost.cfg" -e dev --plugin-path "$good" validate
expect_rc 2 "unknown requirement"
expect_err "plugin 'needs_ghost' requires plugin 'ghost', which is not in the plugins group" "unknown requirement"

# --- every catalog plugin deploys and destroys (said by `plugins`: a deploy of
# the catalog here would talk to aws)
run plugins --json
expect_rc 0 "plugins --json"
for p in network registry secrets lb compute scaling observability; do
    checks=$((checks + 1))
    python3 -c 'import json,sys; assert {p["name"]: p["can"] for p in json.load(sys.stdin)["plugins"]}[sys.argv[1]] == ["deploy", "destroy"]' \
        "$p" <<<"$out" || fail "plugins --json: $p cannot deploy and destroy"
done

# --- a plugin without a create callback cannot deploy, and says so (never a
# silent success). No catalog plugin or fixture lacks one any more: a plugin
# that declares only its name stands in, built here against the sdk headers.
mkdir -p "$tmp/keys_only"
printf '#include <stackhost/plugin.h>\nSH_PLUGIN_EXPORT = {SH_PLUGIN_ABI, .name = "keys_only", .version = "0.0.1",\n  .description = "declares its configuration only"};\n' \
    >"$tmp/keys_only/keys_only.c"
checks=$((checks + 1))
"${CC:-cc}" -std=c11 -shared -fPIC -I"$src/include" -o "$tmp/keys_only/keys_only.so" "$tmp/keys_only/keys_only.c" ||
    fail "building a plugin without create"
printf 'stack = { name = "k"; };\nplugins = { keys_only = {}; };\nenvironments = { dev = {}; };\n' >"$tmp/keys_only.cfg"
for command in deploy destroy; do
    # refused before any request; were it not, nothing leaves this machine
    AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
        run -c "$tmp/keys_only.cfg" -e dev --plugin-path "$tmp/keys_only" --auto-approve $command
    expect_rc 1 "$command of a plugin without its callback"
    expect_err "plugin 'keys_only' 0.0.1 cannot $command yet: it declares its configuration, but its aws work is not implemented" \
        "$command refused"
done
run -c "$cat_cfg" -e dev graph
expect_rc 0 "graph"
expect_out '"compute" -> "lb";' "graph"

# --- stack.outputs naming a key its plugin does not publish: found by validate
sed 's/"lb.alb_url"/"lb.alb_ur1"/' "$cat_cfg" >"$tmp/typo.cfg"
grep -q 'lb.alb_ur1' "$tmp/typo.cfg" || fail "the example no longer names lb.alb_url: update this test"
run -c "$tmp/typo.cfg" -e dev validate
expect_rc 2 "validate a stack output of a key never published"
expect_err "typo.cfg:" "the error names the file"
expect_err "plugin 'lb' publishes no output 'alb_ur1' (did you mean 'alb_url'?)" "the error names the key"
run plugins lb -c "$cat_cfg"
expect_out "outputs:  alb_arn, alb_arn_suffix, alb_dns_name, alb_url, target_group_arn, target_group_arn_suffix" \
    "plugins NAME lists the outputs"

# --- a region is part of every host name: one that is not a dns label fails before any request
sed 's/region = "us-east-1";//' "$cat_cfg" >"$tmp/noregion.cfg"
AWS_REGION=us-east-1.evil.example AWS_ENDPOINT_URL=http://127.0.0.1:9 run -c "$tmp/noregion.cfg" -e dev plan --detailed-exitcode
expect_rc 2 "a region with a dot"
expect_err "region 'us-east-1.evil.example' (from AWS_REGION) is not an aws region name" "the region refused"
AWS_REGION=x/y run -c "$tmp/noregion.cfg" -e dev validate
expect_rc 2 "a region with a slash"

# --- a secret's value may not come from the deployer's credentials
sed 's/env = "CATALOG_DB_URL";/env = "AWS_SECRET_ACCESS_KEY";/' "$cat_cfg" >"$tmp/credvar.cfg"
run -c "$tmp/credvar.cfg" -e dev validate
expect_rc 2 "a secret from AWS_SECRET_ACCESS_KEY"
expect_err "plugins.secrets.parameters[0].env: 'AWS_SECRET_ACCESS_KEY': names a variable that holds the deployer's credentials" "the key named"

# --- a configuration names plugins, and a plugin runs code: a plugin found through the
# config's plugin_path never replaces a built-in one, and no plugin file or directory others
# can write is loaded; neither is opened (its constructor, leaving a marker, never runs)
shadow=$(dirname "$good")/shadow
export STACKHOST_TEST_MARKER=$tmp/loaded
sed "s|^stack = {|plugin_path = \"$shadow\";\nstack = {|" "$cat_cfg" >"$tmp/shadow.cfg"
run -c "$tmp/shadow.cfg" -e dev validate
expect_rc 2 "a plugin_path plugin named like a built-in"
expect_err "plugin refused: $shadow/secrets.so, found through the configuration's plugin_path, would replace the built-in or installed plugin" \
    "the shadowing refused, naming both files"
checks=$((checks + 1))
[ ! -e "$STACKHOST_TEST_MARKER" ] || fail "the shadowing plugin's constructor ran"
run --plugin-path "$shadow" plugins secrets
expect_rc 0 "the same plugin named by the operator (--plugin-path) loads"
checks=$((checks + 1))
[ -e "$STACKHOST_TEST_MARKER" ] || fail "a plugin on --plugin-path was not loaded"
rm -f "$STACKHOST_TEST_MARKER"
mkdir -p "$tmp/open"
cp "$shadow/secrets.so" "$tmp/open/marker.so"
chmod 777 "$tmp/open"
run --plugin-path "$tmp/open" plugins marker
expect_rc 1 "a plugin in a world-writable directory"
expect_err "plugin refused before loading: its directory $tmp/open can be written by others (mode 777" \
    "the writable directory named"
chmod 755 "$tmp/open"
chmod 666 "$tmp/open/marker.so"
run --plugin-path "$tmp/open" plugins marker
expect_rc 1 "a world-writable plugin file"
expect_err "plugin refused before loading: $tmp/open/marker.so can be written by others (mode 666" \
    "the writable file named"
checks=$((checks + 1))
[ ! -e "$STACKHOST_TEST_MARKER" ] || fail "a writable plugin's constructor ran"
unset STACKHOST_TEST_MARKER

checks_done
