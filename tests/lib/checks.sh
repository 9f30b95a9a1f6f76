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

# run_bounded SECONDS MEGABYTES ARGS...: as run, and fails the check when the run took
# longer or its peak memory was larger (measured only without a wrapper or a sanitizer:
# valgrind's and the sanitizers' own time and memory would be counted too).
run_bounded() {
    local limit_s=$1 limit_mb=$2
    shift 2
    if [ ${#wrap[@]} -gt 0 ] || ldd "$bin" 2>/dev/null | grep -qE 'lib(a|ub)san'; then
        run "$@"
        return
    fi
    local used
    used=$(python3 - "$tmp/out" "$tmp/err" "$bin" "$@" <<'PY'
import resource, subprocess, sys, time
out, err, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
start = time.monotonic()
with open(out, "wb") as o, open(err, "wb") as e:
    rc = subprocess.call(cmd, stdout=o, stderr=e)
print(rc, round(time.monotonic() - start, 3), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
PY
)
    read -r rc seconds peak_mb <<<"$used"
    out=$(cat "$tmp/out")
    err=$(cat "$tmp/err")
    checks=$((checks + 1))
    python3 -c "import sys; sys.exit(0 if $seconds < $limit_s and $peak_mb < $limit_mb else 1)" ||
        fail "took ${seconds}s and ${peak_mb} MB, over ${limit_s}s or ${limit_mb} MB"
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
