#!/usr/bin/env bash
# Hostile input: files and values far beyond any real configuration are
# refused before libconfig parses them, errors quote at most a short
# prefix of a value, and stack.tags follow AWS's tag rules at validate.
# usage: test_limits.sh STACKHOST SOURCE_DIR
set -u
bin=$1 src=$2
. "$src/tests/lib/checks.sh"

tail_cfg='plugins = { network = {}; };
environments = { dev = {}; };'

# --- a 4 MiB string: refused by its length, naming the file and line, quoting nothing of it
python3 -c 'import sys; print("stack = { name = \"c\";\n  tags = { Team = \"" + "a" * 4194304 + "\"; }; };")' >"$tmp/huge.cfg"
echo "$tail_cfg" >>"$tmp/huge.cfg"
run -c "$tmp/huge.cfg" -e dev validate
expect_rc 2 "a 4 MiB string"
expect_err "huge.cfg: the configuration is over 1048576 bytes (1 MiB)" "a file over 1 MiB"
python3 -c 'import sys; print("stack = { name = \"c\";\n  tags = { Team = \"" + "a" * 100000 + "\"; }; };")' >"$tmp/long.cfg"
echo "$tail_cfg" >>"$tmp/long.cfg"
run -c "$tmp/long.cfg" -e dev validate
expect_rc 2 "a 100 kB string"
expect_err "long.cfg:2: a string of 100000 bytes, over the limit of 65536 (64 KiB) for one value" "a long string"
checks=$((checks + 1))
[ ${#err} -lt 1000 ] || fail "the error about a long string is ${#err} bytes"

# --- the same in an @include'd file, and comments do not count as strings
printf '# "%s"\nstack = { name = "c"; };\n@include "part.cfg"\n' "$(head -c 70000 /dev/zero | tr '\0' b)" >"$tmp/top.cfg"
python3 -c 'print("plugins = { network = { cidr = \"" + "1" * 70000 + "\"; }; };\nenvironments = { dev = {}; };")' >"$tmp/part.cfg"
run -c "$tmp/top.cfg" -e dev validate
expect_rc 2 "a long string in an included file"
expect_err "part.cfg:1: a string of 70000 bytes" "the included file is named"
expect_no "top.cfg:1" "a comment is not a string"

# --- a file that @includes itself, and includes that multiply: refused at once, naming the line
printf '@include "self.cfg"\n@include "self.cfg"\n@include "self.cfg"\n@include "self.cfg"\nstack = { name = "c"; };\n' \
    >"$tmp/self.cfg"
run_bounded 1 50 -c "$tmp/self.cfg" -e dev validate
expect_rc 2 "a file that includes itself"
expect_err "self.cfg:1: @include \"$tmp/self.cfg\" includes a file that is already being read" "the cycle named"
printf 'a = 1;\n' >"$tmp/d0.cfg"
for i in 1 2 3 4 5 6 7 8 9; do
    printf '@include "d%d.cfg"\n@include "d%d.cfg"\n@include "d%d.cfg"\n' $((i - 1)) $((i - 1)) $((i - 1)) >"$tmp/d$i.cfg"
done
run_bounded 1 50 -c "$tmp/d9.cfg" -e dev validate
expect_rc 2 "3^9 includes"
expect_err "the configuration @includes more than 256 files" "the include budget"

# --- SIGTERM while reading the configuration (an @include of a fifo nobody writes: the read
# blocks) ends the process at once, by the signal, as nothing is under way
mkfifo "$tmp/blocked.cfg"
printf 'stack = { name = "c"; };\n@include "blocked.cfg"\n' >"$tmp/waits.cfg"
"${wrap[@]}" "$bin" -c "$tmp/waits.cfg" -e dev validate >/dev/null 2>&1 &
waiting=$!
sleep 0.5
kill -TERM "$waiting"
for _ in $(seq 1 50); do kill -0 "$waiting" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$waiting" 2>/dev/null; then
    kill -KILL "$waiting"
    rc=alive
else
    wait "$waiting"
    rc=$?
fi
out='' err=''
expect_rc 143 "SIGTERM while validate reads the configuration"

# --- an @include of a file that is not there: named where it is included (file and line)
printf 'stack = { name = "c"; };\n\n@include "missing.cfg"\n' >"$tmp/includes_missing.cfg"
run -c "$tmp/includes_missing.cfg" -e dev validate
expect_rc 2 "an @include of a missing file"
expect_err "includes_missing.cfg:3: @include \"$tmp/missing.cfg\": cannot read it: No such file or directory" \
    "the including file and line"

# --- 3,000 copies of one port: each repeat said once, the list capped, at once
python3 -c 'print("stack = { name = \"c\"; };\nplugins = { network = { egress_ports = [" + ", ".join(["5432"] * 3000) + "]; }; };\nenvironments = { dev = {}; };")' >"$tmp/ports.cfg"
run_bounded 1 50 -c "$tmp/ports.cfg" -e dev validate
expect_rc 2 "3000 copies of a port"
expect_err "plugins.network.egress_ports[1]: port 5432 is listed twice" "the first repeat"
expect_err "... and 2799 more problems (the first 200 are shown)" "the rest counted"
checks=$((checks + 1))
[ "$(wc -l <<<"$err")" -le 201 ] || fail "$(wc -l <<<"$err") lines of errors"

# --- an endpoint answering 100 MiB (streamed, no length given): refused at 16 MiB, in bounded memory
python3 - "$tmp/port" <<'PY' &
import http.server, sys
class Flood(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.end_headers()
        chunk = b"a" * (1 << 20)
        try:
            for _ in range(100):
                self.wfile.write(chunk)
        except OSError:
            pass
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Flood)
open(sys.argv[1], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
flood=$!
for _ in $(seq 1 50); do [ -s "$tmp/port" ] && break; sleep 0.1; done
AWS_ENDPOINT_URL=http://127.0.0.1:$(cat "$tmp/port") AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \
    AWS_MAX_ATTEMPTS=1 run_bounded 10 64 -c "$src/examples/catalog.cfg" -e dev plan --detailed-exitcode
kill "$flood"
expect_rc 1 "an answer of 100 MiB"
expect_err "AnswerTooLarge" "the answer refused"
expect_err "the answer is larger than 16777216 bytes" "its bound named"

# --- a value under the limits but wrong: quoted short
python3 -c 'print("stack = { name = \"" + "n" * 5000 + "\"; };")' >"$tmp/name.cfg"
echo "$tail_cfg" >>"$tmp/name.cfg"
run -c "$tmp/name.cfg" -e dev validate
expect_rc 2 "a 5000-character stack name"
expect_err "stack.name: 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn...' (5000 characters): names are at most 63 characters" \
    "the name is quoted by a prefix"
checks=$((checks + 1))
[ ${#err} -lt 1000 ] || fail "the error about a long name is ${#err} bytes"

# --- stack.tags against AWS's rules
cat >"$tmp/tags.cfg" <<'CFG'
stack = { name = "c"; tags = { CostCenter = "retail\nteam"; Team = "a#b"; Owner = "ops@example.com"; }; };
plugins = { network = {}; };
environments = { dev = {}; };
CFG
run -c "$tmp/tags.cfg" -e dev validate
expect_rc 2 "tags with a newline and a '#'"
expect_err "stack.tags.CostCenter: tag value holds a control character (byte 0x0a at 6)" "a newline in a tag"
expect_err "stack.tags.Team: tag value holds '#', which aws does not allow in tags" "a '#' in a tag"
expect_no "stack.tags.Owner" "an e-mail address is a valid tag value"
python3 -c '
tags = "; ".join("T%d = \"v\"" % i for i in range(47))
print("stack = { name = \"c\"; tags = { %s; }; };" % tags)' >"$tmp/many.cfg"
echo "$tail_cfg" >>"$tmp/many.cfg"
run -c "$tmp/many.cfg" -e dev validate
expect_rc 2 "47 tags"
expect_err "47 tags, but aws allows 50 a resource and stackhost sets 4 itself" "too many tags"
python3 -c '
tags = "; ".join("T%d = \"v\"" % i for i in range(46))
print("stack = { name = \"c\"; tags = { %s; }; };" % tags)' >"$tmp/enough.cfg"
echo "$tail_cfg" >>"$tmp/enough.cfg"
run -c "$tmp/enough.cfg" -e dev validate
expect_rc 0 "46 tags"

checks_done
