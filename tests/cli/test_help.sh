#!/usr/bin/env bash
# What the command line says about itself: help, help COMMAND, COMMAND
# --help, options refused where they do not apply, --trace checked before
# the run, the completion scripts (run in bash as bash runs them), and the
# manual page and completions installed with the program.
# usage: test_help.sh STACKHOST SOURCE_DIR BUILD_DIR
set -u
bin=$1 src=$2 build=$3
. "$src/tests/lib/checks.sh"
cat_cfg=$src/examples/catalog.cfg

# --- help, help COMMAND, COMMAND --help
run help
expect_rc 0 "help"
expect_out "completion SHELL" "help lists every command"
run help deploy
expect_rc 0 "help deploy"
expect_out "usage: stackhost deploy [options]" "help deploy"
expect_out "--auto-approve" "help deploy lists its options"
expect_out "examples:" "help deploy has examples"
expect_no "      --detailed-exitcode" "help deploy lists only deploy's options"
help_deploy=$out
run -c "$cat_cfg" -e dev deploy --auto-approve --help
expect_rc 0 "deploy --help"
expect_equal "$help_deploy" "$out" "deploy --help is help deploy"
run help deplyo
expect_rc 2 "help of an unknown command"
expect_err "unknown command 'deplyo', did you mean 'deploy'?" "help deplyo"
for cmd in validate plan deploy destroy outputs plugins graph unlock help completion; do
    run help $cmd
    expect_rc 0 "help $cmd"
    expect_out "usage: stackhost $cmd" "help $cmd"
done

# --- options that do not apply are refused, not ignored; one-dash and mistyped long options
run -c "$cat_cfg" -e dev graph --json
expect_rc 2 "graph --json"
expect_err "--json is not an option of graph" "graph --json"
run -c "$cat_cfg" validate --trace "$tmp/t.json"
expect_rc 2 "validate --trace"
expect_err "--trace is not an option of validate" "validate --trace"
run -c "$cat_cfg" -e dev deploy -auto-approve
expect_rc 2 "-auto-approve"
expect_err "long options take two dashes: '--auto-approve'" "-auto-approve"
run -c "$cat_cfg" -e dev plan --detailed-exitcod
expect_err "did you mean '--detailed-exitcode'?" "a mistyped option"

# --- --trace that cannot be written: refused before anything is sent (no endpoint needed)
AWS_ENDPOINT_URL=http://127.0.0.1:9 run -c "$cat_cfg" -e dev plan --trace "$tmp/no/such/dir/t.json"
expect_rc 2 "unwritable --trace"
expect_err "--trace $tmp/no/such/dir/t.json: cannot write it" "unwritable --trace"
expect_no "plan stack catalog" "unwritable --trace: the run did not start"

# --- --set is checked like the file, and named
run -c "$cat_cfg" -e dev validate --set compute.desired_cont=3
expect_rc 2 "--set of an unknown key"
expect_err "--set compute.desired_cont: unknown key, did you mean 'desired_count'?" "--set typo"
run -c "$cat_cfg" -e dev validate --set scaling.max=many
expect_err "--set scaling.max: expected an integer" "--set of a bad type"
run -c "$cat_cfg" -e dev validate --set computee.image_tag=2.0.0
expect_err "--set computee.image_tag: the file has no plugin 'computee' (did you mean 'compute'?)" "--set plugin typo"
run -c "$cat_cfg" -e dev validate --set compute.image_tag=2.0.0
expect_rc 0 "--set of a good value"

# --- a misspelt plugin gets a did-you-mean; libconfig's bare "syntax error" says what to look for
printf 'stack = { name = "x"; };\nplugins = { netwrk = {}; };\nenvironments = { dev = {}; };\n' >"$tmp/netwrk.cfg"
run -c "$tmp/netwrk.cfg" -e dev validate
expect_rc 2 "a misspelt plugin section"
expect_err "plugin 'netwrk' not found (did you mean 'network'?)" "a misspelt plugin section"
run plugins computee
expect_err "plugin 'computee' not found (did you mean 'compute'?)" "plugins NAME misspelt"
printf 'stack = { name = "x"\nplugins = {};\n' >"$tmp/syntax.cfg"
run -c "$tmp/syntax.cfg" validate
expect_rc 2 "a syntax error"
expect_err "syntax error: the file cannot be read from here on; look at this line and the one before it for a missing ';'" \
    "a syntax error says what to look for"
expect_no "syntax error: syntax error" "libconfig's words alone"

# --- the completion scripts, run by bash as bash runs them
complete_words() { # complete_words WORDS...: what bash offers for the last word
    PATH="$(dirname "$bin"):$PATH" bash -c '
        source <("$0" completion bash)
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _stackhost
        echo "${COMPREPLY[*]}"' "$bin" "$@"
}
expect_equal "deploy destroy" "$(complete_words stackhost de)" "completion of commands"
expect_equal "--auto-approve" "$(complete_words stackhost deploy --auto)" "completion of deploy's options"
expect_equal "--destroy --detailed-exitcode" "$(complete_words stackhost plan --de)" "completion of plan's options"
expect_equal "" "$(complete_words stackhost graph --js)" "no --json offered to graph"
expect_equal "dev prod" "$(complete_words stackhost -c "$cat_cfg" -e '')" "completion of environments"
expect_equal "bash" "$(complete_words stackhost completion b)" "completion of shells"
run completion fish
expect_rc 2 "completion of an unknown shell"
if command -v zsh >/dev/null; then
    run completion zsh
    checks=$((checks + 1))
    zsh -n <<<"$out" || fail "the zsh completion does not parse"
    expect_out "#compdef stackhost" "zsh completion"
fi

# --- installed: the program on PATH, its manual page, its completions
prefix=$tmp/prefix
checks=$((checks + 1))
cmake --install "$build" --prefix "$prefix" >/dev/null || fail "cmake --install"
run_installed() { out=$(PATH="$prefix/bin:$PATH" stackhost "$@" 2>"$tmp/err"); rc=$?; err=$(cat "$tmp/err"); }
run_installed --version
expect_rc 0 "the installed stackhost on PATH"
expect_out "stackhost " "--version"
checks=$((checks + 3))
page=$(MANWIDTH=100 man -M "$prefix/share/man" stackhost 2>&1) || fail "man stackhost: $page"
for o in $(PATH="$prefix/bin:$PATH" stackhost --help | grep -oE -- '--[a-z-]+' | sort -u); do
    grep -qF -- "$o" <<<"$page" || fail "the manual page lacks $o"
done
[ -s "$prefix/share/bash-completion/completions/stackhost" ] || fail "bash completion installed"
[ -s "$prefix/share/zsh/site-functions/_stackhost" ] || fail "zsh completion installed"

checks_done
