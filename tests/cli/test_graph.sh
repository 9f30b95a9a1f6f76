#!/usr/bin/env bash
# `stackhost graph`: the plugin graph, and with --resources every declared
# resource in its plugin's cluster, pointing at what it needs first,
# across plugins too; a dangling reference is an error naming it.
# usage: test_graph.sh STACKHOST SOURCE_DIR FIXTURE_GOOD
set -u
bin=$1 src=$2 good=$3
. "$src/tests/lib/checks.sh"

cat_cfg=$src/examples/catalog.cfg
run -c "$cat_cfg" -e dev graph
expect_rc 0 "graph"
expect_out '"compute" -> "lb";' "the plugin graph"

run -c "$cat_cfg" -e prod graph --resources
expect_rc 0 "graph --resources"
expect_out 'subgraph "cluster_network" {' "a cluster per plugin"
expect_out '"network.vpc" [label="vpc vpc-catalog-prod"];' "labels name the environment's resources"
expect_out '"network.nat" -> "network.eips";' "an edge inside a plugin"
checks=$((checks + 1))
python3 - "$out" <<'PY' || fail "graph --resources: an edge points at an undeclared node"
import re, sys
dot = sys.argv[1]
nodes = set(re.findall(r'^\s+"([^"]+)" \[label=', dot, re.M))
edges = re.findall(r'^\s+"([^"]+)" -> "([^"]+)";', dot, re.M)
assert edges, "no edges"
assert all(a in nodes and b in nodes for a, b in edges), [e for e in edges if not set(e) <= nodes]
PY

# fixtures: beta's resource comes after alpha's, across plugins
cat >"$tmp/fix.cfg" <<'CFG'
stack = { name = "fx"; };
plugins = { alpha = {}; beta = {}; };
environments = { dev = {}; };
CFG
run -c "$tmp/fix.cfg" -e dev --plugin-path "$good" graph --resources
expect_rc 0 "graph --resources of fixtures"
expect_out '"beta.thing" -> "alpha.base";' "an edge across plugins"
expect_out '"beta.thing" [label="thing \"fx\""];' "labels are escaped"
expect_out '"alpha.base" [label="base-fx-dev"];' "{S} and {E} replaced"

checks_done
