# Sourced by the shell tests: run the real binary, check what it did.
# Needs $bin (the stackhost executable); STACKHOST_WRAPPER (a space-separated
# command prefix, e.g. valgrind) wraps every run.
read -r -a wrap <<<"${STACKHOST_WRAPPER:-}"
tmp=$(mktemp -d)
failures=0 checks=0
out='' err='' rc=0

# run ARGS...: runs stackhost, leaving $out, $err and $rc.
run() {
    "${wrap[@]}" "$bin" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
}

fail() {
    failures=$((failures + 1))
    printf 'FAIL: %s\n  command rc=%s\n  stdout: %s\n  stderr: %s\n' "$1" "$rc" "$out" "$err"
}

expect_rc() { checks=$((checks + 1)); [ "$rc" = "$1" ] || fail "$2: expected exit $1"; }
expect_out() { checks=$((checks + 1)); grep -qF -- "$1" <<<"$out" || fail "$2: stdout lacks '$1'"; }
expect_err() { checks=$((checks + 1)); grep -qF -- "$1" <<<"$err" || fail "$2: stderr lacks '$1'"; }
expect_no() { checks=$((checks + 1)); ! grep -qF -- "$1" <<<"$out$err" || fail "$2: output shows '$1'"; }
# expect_equal WANT GOT WHAT
expect_equal() { checks=$((checks + 1)); [ "$1" = "$2" ] || { out="$2"; fail "$3: expected '$1', got '$2'"; }; }

checks_done() {
    rm -rf "$tmp"
    echo "$checks checks, $failures failed"
    [ "$failures" = 0 ]
}
