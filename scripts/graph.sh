#!/usr/bin/env bash
# Draws docs/catalog-stack.svg, the README's picture: every resource of
# examples/catalog.cfg (environment dev) in its plugin, pointing at what it
# needs first, from `stackhost graph --resources`. Needs graphviz (`dot`;
# Debian: apt-get install graphviz).
# usage: scripts/graph.sh [BUILD]
set -euo pipefail
build=${1:-build}
cd "$(dirname "$0")/.."
command -v dot >/dev/null || { echo "graph.sh: needs graphviz's dot (apt-get install graphviz)" >&2; exit 1; }
"$build/stackhost" -c examples/catalog.cfg -e dev graph --resources | dot -Tsvg -o docs/catalog-stack.svg
echo "docs/catalog-stack.svg"
