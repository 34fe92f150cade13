#!/usr/bin/env python3
"""Copy lines from a FIFO to stdout (flushed), forever: an ExaBGP API process.

ExaBGP runs this as `process ... { run fifo-lines.py FIFO; }`; the test writes
API commands ("announce route ...") into FIFO. The FIFO is opened read-write so
it never reaches end-of-file when a writer closes it. stdin (ExaBGP's answers)
is drained so ExaBGP never blocks writing to us; with a second argument it is
appended to that file (e.g. `receive { notification; }` events from the API).
"""
import os
import select
import sys

path = sys.argv[1]
events = open(sys.argv[2], "ab", buffering=0) if len(sys.argv) > 2 else None
if not os.path.exists(path):
    os.mkfifo(path)
fd = os.open(path, os.O_RDWR)
buf = b""
while True:
    r, _, _ = select.select([fd, 0], [], [])
    if 0 in r:
        data = os.read(0, 65536)
        if not data:
            sys.exit(0)  # ExaBGP went away
        if events:
            events.write(data)
    if fd in r:
        buf += os.read(fd, 65536)
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            sys.stdout.write(line.decode() + "\n")
            sys.stdout.flush()
