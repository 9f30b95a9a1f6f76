#!/usr/bin/env bash
# The installed SDK, as a third party sees it: install the build tree into
# a temporary prefix, build examples/hello-plugin (a copy, outside the
# source tree) with its Makefile (pkg-config) and with its CMakeLists.txt
# (find_package), then run the installed binary with it: plugins,
# validate, and plan / deploy / outputs / destroy against the emulator.
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
export PKG_CONFIG_PATH=$P/$libdir/pkgconfig
checks=$((checks + 1))
pd=$(pkg-config --variable=plugindir stackhost)
[ "$(cd "$pd" 2>/dev/null && pwd -P)" = "$(cd "$P/$libdir/stackhost/plugins" && pwd -P)" ] || fail "plugindir is $pd"

# --- build the example with its Makefile, then with its CMake
cp -r "$src/examples/hello-plugin" "$work/hello-make"
cp -r "$src/examples/hello-plugin" "$work/hello-cmake"
checks=$((checks + 1))
make -C "$work/hello-make" >"$work/make.log" 2>&1 || { out=$(cat "$work/make.log"); fail "make"; }
checks=$((checks + 1))
(cd "$work/hello-cmake" && unset PKG_CONFIG_PATH && cmake -S . -B b -DCMAKE_PREFIX_PATH="$P" &&
    cmake --build b) >"$work/cmake.log" 2>&1 || { out=$(cat "$work/cmake.log"); fail "cmake build"; }
checks=$((checks + 1))
[ -f "$work/hello-cmake/b/hello.so" ] || fail "cmake built no hello.so"
checks=$((checks + 1))
! grep -qF -e "$src" -e "$build" "$work/make.log" "$work/hello-cmake/b/CMakeCache.txt" ||
    fail "the example was built with a path into the source tree"

for dir in "$work/hello-make" "$work/hello-cmake/b"; do
    run --plugin-path "$dir" plugins
    expect_rc 0 "plugins ($dir)"
    checks=$((checks + 1))
    grep -qE '^hello +1\.0\.0 +network ' <<<"$out" || fail "plugins lists hello with its requirement ($dir)"
    run --plugin-path "$dir" plugins hello
    expect_rc 0 "plugins hello"
    expect_out "greeting" "plugins hello shows its key"
done
hello=$work/hello-cmake/b

cat >"$work/hello.cfg" <<CFG
stack = { name = "hello"; region = "us-east-1"; };
plugins = { network = { cidr = "10.0.0.0/16"; nat_per_az = false; }; hello = { greeting = "hello"; }; };
environments = { dev = {}; };
CFG
cat >"$work/empty.cfg" <<CFG
stack = { name = "hello"; region = "us-east-1"; };
plugins = { network = { cidr = "10.0.0.0/16"; }; hello = { greeting = ""; }; };
environments = { dev = {}; };
CFG
h() { run -c "$work/hello.cfg" --plugin-path "$hello" -e dev "$@"; }

h validate
expect_rc 0 "validate"
run -c "$work/empty.cfg" --plugin-path "$hello" -e dev validate
expect_rc 2 "validate refuses an empty greeting"
expect_err "greeting must not be empty" "hello's own check"

. "$src/tests/e2e/lib.sh"
e2e_start
trap 'e2e_stop; rm -f "$moto_log"; rm -rf "$work"' EXIT
e2e_reset
h plan --detailed-exitcode
expect_rc 3 "plan"
expect_out "create" "plan lists the network's changes"
h --auto-approve deploy
expect_rc 0 "deploy"
expect_out "hello.message = hello from vpc-" "hello's output after deploy"
h outputs
expect_rc 0 "outputs"
expect_out "hello.message = hello from vpc-" "outputs"
h plan --detailed-exitcode
expect_rc 0 "plan after deploy: nothing to do"
h --auto-approve destroy
expect_rc 0 "destroy"
checks_done
