#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal, as a person at a terminal would:
answers ANSWER (a line) once PROMPT appears in what it printed, then
prints everything it printed (stdout and stderr, as the terminal showed
them) and exits with its status. A command that never shows PROMPT is
answered nothing.

usage: on_terminal.py PROMPT ANSWER COMMAND ARGS..."""
import os
import pty
import sys
import time

prompt, answer, command = sys.argv[1].encode(), sys.argv[2].encode(), sys.argv[3:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
seen, answered, deadline = b"", False, time.time() + 600
while time.time() < deadline:
    try:
        chunk = os.read(fd, 4096)
    except OSError:  # the child ended: the terminal is closed
        break
    if not chunk:
        break
    seen += chunk
    if not answered and prompt in seen:
        os.write(fd, answer + b"\n")
        answered = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(seen.decode("utf-8", "replace").replace("\r\n", "\n"))
sys.exit(os.waitstatus_to_exitcode(status))
