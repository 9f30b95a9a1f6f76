#!/usr/bin/env bash
# What a configuration and the command line name of plugins, checked before
# anything is sent (exit 2): each directory of --plugin-path,
# STACKHOST_PLUGIN_PATH and plugin_path must exist and be a directory, and
# each stack output must name a key its plugin declares in `.publishes` (a
# plugin without `.publishes` publishes nothing a stack output can name).
# usage: test_plugin_refs.sh STACKHOST SOURCE_DIR FIXTURE_GOOD FIXTURE_UNDECLARED
set -u
bin=$1 src=$2 good=$3 undeclared=$4
. "$src/tests/lib/checks.sh"

# Were anything sent, it would go nowhere: port 9 of this machine.
export AWS_ENDPOINT_URL=http://127.0.0.1:9 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing
unset STACKHOST_PLUGIN_PATH
cat >"$tmp/fx.cfg" <<'CFG'
stack = { name = "fx"; };
plugins = { alpha = {}; };
environments = { dev = {}; };
CFG

# --- a named plugin directory that is not there
for command in validate plan graph; do
    run -c "$tmp/fx.cfg" -e dev --plugin-path "$tmp/nowhere" $command
    expect_rc 2 "$command with a --plugin-path that does not exist"
    expect_err "plugin directory '$tmp/nowhere' (from --plugin-path) does not exist: name the directory that holds the plugin's .so" \
        "$command names the directory and where it came from"
    expect_no "not found" "$command: only the directory is reported"
done
run --plugin-path "$tmp/nowhere" plugins
expect_rc 2 "plugins with a --plugin-path that does not exist"
expect_err "plugin directory '$tmp/nowhere' (from --plugin-path) does not exist" "plugins names it"
run --plugin-path "$tmp/nowhere" plugins alpha
expect_rc 2 "plugins NAME with a --plugin-path that does not exist"

# each entry of a list; a file is not a directory
run -c "$tmp/fx.cfg" -e dev --plugin-path "$good:$tmp/gone:$good/alpha.so" validate
expect_rc 2 "--plugin-path with a missing and a file entry"
expect_err "plugin directory '$tmp/gone' (from --plugin-path) does not exist" "the missing entry named"
expect_err "plugin directory '$good/alpha.so' (from --plugin-path) is not a directory" "the file entry named"
expect_no "'$good' (from" "the good entry is not"

STACKHOST_PLUGIN_PATH="$good:$tmp/env-gone" run -c "$tmp/fx.cfg" -e dev plan
expect_rc 2 "STACKHOST_PLUGIN_PATH with a missing entry"
expect_err "plugin directory '$tmp/env-gone' (from STACKHOST_PLUGIN_PATH) does not exist" "the environment's entry named"

printf 'plugin_path = "missing-plugins";\n' | cat - "$tmp/fx.cfg" >"$tmp/pp.cfg"
run -c "$tmp/pp.cfg" -e dev --plugin-path "$good" validate
expect_rc 2 "a plugin_path that does not exist"
expect_err "$tmp/pp.cfg:1: plugin_path: plugin directory '$tmp/missing-plugins' does not exist" \
    "the configuration's file and line named"
run -c "$tmp/pp.cfg" plugins
expect_rc 2 "plugins -c with a plugin_path that does not exist"
expect_err "$tmp/pp.cfg:1: plugin_path: plugin directory" "plugins names the file and line"

# existing directories, in each place: fine
mkdir -p "$tmp/empty-dir"
printf 'plugin_path = "empty-dir";\n' | cat - "$tmp/fx.cfg" >"$tmp/pp-ok.cfg"
STACKHOST_PLUGIN_PATH=$tmp/empty-dir run -c "$tmp/pp-ok.cfg" -e dev --plugin-path "$good" validate
expect_rc 0 "every named directory exists"

# --- stack.outputs against what the plugin declares it publishes
cat >"$tmp/typo.cfg" <<'CFG'
stack = {
  name = "fx";
  outputs = {
    vpc = "network.vpcid";
  };
};
plugins = { network = {}; };
environments = { dev = {}; };
CFG
run -c "$tmp/typo.cfg" -e dev validate
expect_rc 2 "validate a stack output of a key network does not publish"
expect_err "$tmp/typo.cfg:4: stack.outputs.vpc: plugin 'network' publishes no output 'vpcid' (did you mean 'vpc_id'?); it publishes availability_zones, vpc_id, " \
    "file:line, the plugin, the key, the suggestion and what it publishes"
sed 's/"network.vpcid"/"network.vpc_id"/' "$tmp/typo.cfg" >"$tmp/fixed.cfg"
run -c "$tmp/fixed.cfg" -e dev validate
expect_rc 0 "a published key"

# the fixture `undeclared` declares no publishes: none of its outputs can be named
cat >"$tmp/undeclared.cfg" <<'CFG'
stack = {
  name = "fx";
  outputs = { token = "undeclared.token"; };
};
plugins = { undeclared = {}; };
environments = { dev = {}; };
CFG
run -c "$tmp/undeclared.cfg" -e dev --plugin-path "$undeclared" plan
expect_rc 2 "a stack output of a plugin without publishes"
expect_err "$tmp/undeclared.cfg:3: stack.outputs.token: plugin 'undeclared' declares no publishes, so none of its outputs can be a stack output ('undeclared.token')" \
    "the error says the plugin declares no publishes"
sed 's/undeclared.token/alpha.token/; s/undeclared = {}/alpha = {}/' "$tmp/undeclared.cfg" >"$tmp/declared.cfg"
run -c "$tmp/declared.cfg" -e dev --plugin-path "$good" validate
expect_rc 0 "the same output of a plugin that declares it"

# the built-in plugins publish what the example's stack outputs read
run -c "$src/examples/catalog.cfg" validate
expect_rc 0 "examples/catalog.cfg, every environment"

checks_done
