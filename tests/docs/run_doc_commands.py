#!/usr/bin/env python3
"""Runs every command the README and docs show, as written, each file's
blocks in one shell session (exports and cd carry over, as for a reader).

A command is shown in a fenced block marked ```sh. Each such block runs in
bash (set -eo pipefail) in the working directory WORKDIR, in file order,
with the environment this script is given; it must exit 0 unless the
comment just above the block says otherwise:

    <!-- docs-test: exit 3 -->          the block's last command exits 3
    <!-- docs-test: skip REASON -->      not run here, and REASON says why
                                         (a real account, docker, the suite itself)

A ```text block just after a ```sh block, under <!-- docs-test: output -->,
is output the block prints: each of its non-empty lines must appear in what
the block printed (stdout and stderr), so sample output cannot drift.

A command outside a ```sh block (an indented block, or ```bash/```shell/```
without a language holding a line that starts with `stackhost`, `make`,
`cmake` or `$ `) fails the check: the test could not run it.

usage: run_doc_commands.py [--list] WORKDIR FILE.md...
Prints one line per block and exits 1 when any fails."""
import re
import subprocess
import sys

COMMAND = re.compile(r"^\s*(\$ |stackhost |make |cmake |P/bin/stackhost |PKG_CONFIG_PATH=)")
DIRECTIVE = re.compile(r"<!--\s*docs-test:\s*(.*?)\s*-->")


def blocks(path):
    """Yields (line, lang, text, directive) of every fenced block, and
    (line, None, text, None) of indented blocks holding commands."""
    lines = open(path).read().split("\n")
    i, directive, in_list = 0, None, False
    while i < len(lines):
        line = lines[i]
        m = DIRECTIVE.search(line)
        if m:
            directive = m.group(1)
            i += 1
            continue
        fence = re.match(r"^(\s*)```(\S*)\s*$", line)
        if fence:
            indent, lang, start, body = fence.group(1), fence.group(2), i + 1, []
            i += 1
            while i < len(lines) and not re.match(r"^\s*```\s*$", lines[i]):
                body.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i])
                i += 1
            yield start, lang, "\n".join(body), directive
            directive = None
            i += 1
            continue
        if line.startswith("    ") and not line.strip().startswith(("-", "*")) and (i == 0 or not lines[i - 1].strip()):
            start, body = i + 1, []
            while i < len(lines) and (lines[i].startswith("    ") or not lines[i].strip()):
                body.append(lines[i][4:])
                i += 1
            if any(COMMAND.match(b) for b in body):
                yield start, None, "\n".join(body), None
            directive = None
            continue
        if line.strip():
            directive = None if not line.startswith("<!--") else directive
        i += 1


def main():
    listing = sys.argv[1] == "--list"
    workdir, files = sys.argv[1 + listing], sys.argv[2 + listing:]
    failed = 0
    for n, path in enumerate(files):
        last_output, last_ran = "", False
        state = f"{workdir}/.session-{n}"
        for line, lang, text, directive in blocks(path):
            where = f"{path}:{line}"
            if lang is None or (lang in ("", "bash", "shell", "console") and
                                any(COMMAND.match(t) for t in text.split("\n"))):
                print(f"FAIL {where}: commands outside a ```sh block: the docs test cannot run them")
                failed += 1
                continue
            if lang == "text" and directive == "output":
                missing = [l.strip() for l in text.split("\n") if l.strip() and l.strip() not in last_output]
                if not last_ran:
                    print(f"FAIL {where}: sample output of a block that did not run")
                    failed += 1
                elif missing:
                    print(f"FAIL {where}: the sample output does not match what the block printed: "
                          f"{missing[0]!r}\n--- printed:\n{last_output}---")
                    failed += 1
                else:
                    print(f"ok   {where}: sample output matches")
                continue
            if lang != "sh":
                continue
            last_ran = False
            if directive and directive.startswith("skip"):
                reason = directive[4:].strip()
                if not reason:
                    print(f"FAIL {where}: a skipped block must say why")
                    failed += 1
                else:
                    print(f"skip {where}: {reason}")
                continue
            if listing:
                print(f"run  {where}: {text.strip().splitlines()[0] if text.strip() else ''}")
                continue
            want = 0
            if directive and directive.startswith("exit "):
                want = int(directive.split()[1])
            # one shell session per file, as a reader's: what a block exports or
            # where it cds holds for the blocks after it
            session = (f'[ -f "{state}" ] && . "{state}"\n'
                       f'trap \'export -p > "{state}"; echo "cd $(printf %q "$PWD")" >> "{state}"\' EXIT\n')
            done = subprocess.run(["bash", "-eo", "pipefail", "-c", session + text], cwd=workdir,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
            last_output, last_ran = done.stdout, True
            first = text.strip().split("\n")[0]
            if done.returncode != want:
                print(f"FAIL {where}: exit {done.returncode}, not {want}: {first}\n--- printed:\n{done.stdout}---")
                failed += 1
            else:
                print(f"ok   {where}: {first}")
    sys.exit(1 if failed else 0)


main()
