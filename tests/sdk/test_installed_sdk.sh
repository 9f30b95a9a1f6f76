#!/usr/bin/env bash
# The installed SDK, as a third party sees it: install the build tree into
# a temporary prefix, then follow docs/writing-a-plugin.md's steps as written,
# in copies of examples/hello-plugin outside the source tree: build it with
# its Makefile (pkg-config) and with its CMakeLists.txt (find_package), list
# and validate it with the shipped hello.cfg either way, and plan / deploy /
# outputs / destroy against the emulator. Every command line the guide shows
# is run here word for word, or is setup this test does its own way.
# The prefix is moved after installing: nothing may depend on where it was.
# Temporary directories only: the test may run for several build trees at once.
# usage: test_installed_sdk.sh BUILD_DIR SOURCE_DIR LIBDIR
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) libdir=$3
. "$src/tests/lib/checks.sh"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
checks=$((checks + 1))
cmake --install "$build" --prefix "$work/first" >"$work/install.log" 2>&1 ||
    { out=$(cat "$work/install.log"); fail "cmake --install"; }
mv "$work/first" "$work/prefix"
P=$work/prefix
bin=$P/bin/stackhost
for f in bin/stackhost include/stackhost/stackhost.h include/stackhost/version.h "$libdir/libstackhost_converge.a" \
    "$libdir/pkgconfig/stackhost.pc" "$libdir/cmake/stackhost/stackhostConfig.cmake" \
    "$libdir/cmake/stackhost/StackhostPlugin.cmake" "$libdir/stackhost/plugins/network.so"; do
    checks=$((checks + 1))
    [ -e "$P/$f" ] || fail "installed $f"
done
checks=$((checks + 1))
! grep -rqF -- "$work/first" "$P/$libdir/pkgconfig" "$P/$libdir/cmake" || fail "an installed file names the install prefix"

# The relocated prefix still finds its own plugins (no --plugin-path).
run plugins
expect_rc 0 "installed plugins"
expect_out "network" "the installed host finds its plugins after a move"

# pkg-config, relocated.
checks=$((checks + 1))
pd=$(PKG_CONFIG_PATH=$P/$libdir/pkgconfig pkg-config --variable=plugindir stackhost)
[ "$(cd "$pd" 2>/dev/null && pwd -P)" = "$(cd "$P/$libdir/stackhost/plugins" && pwd -P)" ] || fail "plugindir is $pd"
unset PKG_CONFIG_PATH # the guide's pkg-config route sets it; its CMake route needs none

# --- the guide's command lines: those of its ```sh blocks, trailing comments off
sh_lines() { awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on { sub(/[ \t]+#.*$/, ""); if ($0 != "") print }' "$1"; }
sh_lines "$src/docs/writing-a-plugin.md" >"$work/guide.lines"
: >"$work/guide.run"
# What this test does its own way: the install above (into a temporary prefix, then
# moved), $bin instead of PATH, and tests/e2e/lib.sh's emulator on a free port.
setup_lines=(
    'P=$HOME/stackhost'
    'cmake --install build --prefix $P'
    'export PATH=$P/bin:$PATH'
    "python3 -m venv ~/moto && ~/moto/bin/pip install 'moto[server]'"
    '~/moto/bin/moto_server -p 5000 &'
    'export AWS_ENDPOINT_URL=http://127.0.0.1:5000 AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1'
    'aws route53 create-hosted-zone --name example.test --caller-reference guide'
)
# guide LINE: runs a command line the guide shows, word for word, here: stackhost
# through `run` (the test's wrapper), anything else through the shell, its output in $out.
guide() {
    checks=$((checks + 1))
    grep -qxF -- "$1" "$work/guide.lines" || fail "the guide does not show: $1"
    printf '%s\n' "$1" >>"$work/guide.run"
    case $1 in
    stackhost\ *) eval "run ${1#stackhost }" ;;
    *)
        eval "$1" >"$work/step.log" 2>&1
        rc=$? out=$(cat "$work/step.log") err=''
        ;;
    esac
}

# listed with its requirement, its keys and outputs; valid with the shipped hello.cfg
list_and_validate() {
    local dir=$1 how=$2
    guide "stackhost --plugin-path $dir plugins"
    expect_rc 0 "plugins ($how)"
    checks=$((checks + 1))
    grep -qE '^hello +1\.0\.0 +network ' <<<"$out" || fail "plugins lists hello with its requirement ($how)"
    guide "stackhost --plugin-path $dir plugins hello"
    expect_rc 0 "plugins hello ($how)"
    expect_out "greeting" "plugins hello shows its key ($how)"
    expect_out "outputs:  message" "plugins hello shows its declared outputs ($how)"
    guide "stackhost --plugin-path $dir -c hello.cfg -e dev validate"
    expect_rc 0 "validate the shipped hello.cfg ($how)"
}

# copies of the example as shipped (not what a build in the source tree left)
for d in hello-make hello-cmake; do
    mkdir "$work/$d"
    cp "$src/examples/hello-plugin/"{hello.c,hello.cfg,Makefile,CMakeLists.txt} "$work/$d/"
done

# --- the pkg-config route: hello.so beside hello.c
cd "$work/hello-make" || exit 1
make_line='PKG_CONFIG_PATH=$P/lib/pkgconfig make'
if [ "$libdir" = lib ]; then
    guide "$make_line"
else # the guide's note: a multiarch libdir
    printf '%s\n' "$make_line" >>"$work/guide.run"
    PKG_CONFIG_PATH=$P/$libdir/pkgconfig make >"$work/step.log" 2>&1
    rc=$? out=$(cat "$work/step.log")
fi
expect_rc 0 "make"
cp "$work/step.log" "$work/make.log"
checks=$((checks + 1))
[ -f hello.so ] || fail "make built no ./hello.so"
list_and_validate . "make"
# the other route's directory is not there: an error, not a search skipping it
run --plugin-path ./build plugins
expect_rc 2 "a --plugin-path that does not exist"
expect_err "plugin directory './build' (from --plugin-path) does not exist" "the guide's example of the error"
sed 's/greeting = "hi";/greeting = "";/' hello.cfg >empty.cfg
run --plugin-path . -c empty.cfg -e dev validate
expect_rc 2 "validate refuses an empty greeting"
expect_err "greeting must not be empty" "hello's own check"

# --- the CMake route: hello.so in ./build, found by find_package alone
cd "$work/hello-cmake" || exit 1
guide 'cmake -S . -B build -DCMAKE_PREFIX_PATH=$P && cmake --build build'
expect_rc 0 "cmake build"
checks=$((checks + 1))
[ -f build/hello.so ] || fail "cmake built no ./build/hello.so"
checks=$((checks + 1))
! grep -qF -e "$src" -e "$build" "$work/make.log" build/CMakeCache.txt ||
    fail "the example was built with a path into the source tree"
list_and_validate ./build "cmake"

# --- against the emulator, as the guide runs it (the pkg-config build)
cd "$work/hello-make" || exit 1
. "$src/tests/e2e/lib.sh"
e2e_start
trap 'e2e_stop; rm -f "$moto_log"; rm -rf "$work"' EXIT
e2e_reset
guide 'stackhost --plugin-path . -c hello.cfg -e dev plan'
expect_rc 0 "plan"
expect_out "create" "plan lists the network's changes"
guide 'stackhost --plugin-path . -c hello.cfg -e dev deploy --auto-approve'
expect_rc 0 "deploy"
expect_out "message = hi from vpc-" "the stack output after deploy"
expect_out "hello.message = hi from vpc-" "hello's output after deploy"
guide 'stackhost --plugin-path . -c hello.cfg -e dev outputs'
expect_rc 0 "outputs"
expect_out "message = hi from vpc-" "outputs"
guide 'stackhost --plugin-path . -c hello.cfg -e dev plan --detailed-exitcode'
expect_rc 0 "plan after deploy: nothing to do"
guide 'stackhost --plugin-path . -c hello.cfg -e dev destroy --auto-approve'
expect_rc 0 "destroy"

# --- the dns plugin (examples/dns-plugin): Route 53, a service the host does not know,
# declared by the plugin; built both ways against the installed SDK only; on the emulator,
# in a zone that holds a record someone else made
for d in dns-make dns-cmake; do
    mkdir "$work/$d"
    cp "$src/examples/dns-plugin/"{dns.c,dns.cfg,Makefile,CMakeLists.txt} "$work/$d/"
done
cd "$work/dns-cmake" || exit 1
guide 'cmake -S . -B build -DCMAKE_PREFIX_PATH=$P && cmake --build build'
expect_rc 0 "cmake build of dns"
checks=$((checks + 1))
[ -f build/dns.so ] || fail "cmake built no ./build/dns.so"
guide 'stackhost --plugin-path ./build -c dns.cfg -e dev validate'
expect_rc 0 "validate dns.cfg (cmake)"
cd "$work/dns-make" || exit 1
PKG_CONFIG_PATH=$P/$libdir/pkgconfig make >"$work/step.log" 2>&1
rc=$? out=$(cat "$work/step.log")
expect_rc 0 "make of dns"
guide 'stackhost --plugin-path . plugins dns'
expect_out "requires: lb" "plugins dns"
expect_out "calls:    route53 (rest-xml, declared by the plugin)" "plugins dns names the service it declares"
e2e_reset
zone=$(awscli route53 create-hosted-zone --name example.test --caller-reference guide | json 'd["HostedZone"]["Id"].split("/")[-1]')
awscli route53 change-resource-record-sets --hosted-zone-id "$zone" --change-batch \
    '{"Changes":[{"Action":"CREATE","ResourceRecordSet":{"Name":"other.example.test","Type":"A","TTL":60,"ResourceRecords":[{"Value":"192.0.2.1"}]}}]}' >/dev/null
records() { awscli route53 list-resource-record-sets --hosted-zone-id "$zone" |
    json '" ".join(sorted(r["Name"] + r["Type"] for r in d["ResourceRecordSets"] if r["Type"] not in ("NS", "SOA")))'; }
guide 'stackhost --plugin-path . -c dns.cfg -e dev deploy --auto-approve'
expect_rc 0 "deploy with dns"
expect_equal "other.example.test.A shop.example.test.A shop.example.test.TXT" "$(records)" "the alias and its owner record"
expect_equal "alb-shop-dev-1.us-east-1.elb.amazonaws.com." "$(awscli route53 list-resource-record-sets --hosted-zone-id "$zone" |
    json '[r["AliasTarget"]["DNSName"] for r in d["ResourceRecordSets"] if r["Type"] == "A" and r["Name"].startswith("shop")][0]')" \
    "the alias points at the load balancer"
guide 'stackhost --plugin-path . -c dns.cfg -e dev outputs dns.url'
expect_equal "http://shop.example.test" "$out" "outputs dns.url"
guide 'stackhost --plugin-path . -c dns.cfg -e dev plan --detailed-exitcode'
expect_rc 0 "nothing to change after the deploy"
guide 'stackhost --plugin-path . -c dns.cfg -e dev plan --set dns.record=other.example.test'
expect_rc 1 "a record someone else made"
expect_err "other.example.test. already has an A record that is not this stack's" "never touches what is not its own"
guide 'stackhost --plugin-path . -c dns.cfg -e dev deploy --auto-approve --set dns.record=www.example.test'
expect_rc 0 "record moved"
expect_equal "other.example.test.A www.example.test.A www.example.test.TXT" "$(records)" "both records moved"
guide 'stackhost --plugin-path . -c dns.cfg -e dev destroy --auto-approve --set dns.record=www.example.test'
expect_rc 0 "destroy with dns"
expect_equal "other.example.test.A" "$(records)" "destroy leaves the foreign record alone"

# --- nothing the guide shows goes untested; the example's README shows only the guide's lines
while IFS= read -r line; do
    checks=$((checks + 1))
    grep -qxF -- "$line" "$work/guide.run" || printf '%s\n' "${setup_lines[@]}" | grep -qxF -- "$line" ||
        { out=''; fail "the guide shows a command this test does not run: $line"; }
done <"$work/guide.lines"
while IFS= read -r line; do
    checks=$((checks + 1))
    grep -qxF -- "$line" "$work/guide.lines" ||
        { out=''; fail "examples/hello-plugin/README.md shows a command the guide does not: $line"; }
done < <(sh_lines "$src/examples/hello-plugin/README.md")
checks_done
