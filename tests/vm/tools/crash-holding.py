#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
#
# crash-holding.py FILE CMD...: crashes CMD while it holds FILE's bytes.
#
# Runs CMD with FILE's bytes on its standard input, a pipe left open so that
# CMD, having read them, waits for more (dmcaps reading a table to its end,
# a shell's `read`); waits until CMD has read every byte (FIONREAD on the
# pipe is 0: they are in CMD's memory now, not the pipe's); kills it with
# SIGSEGV, the signal of a crash; and prints what its wait status says:
# "core dumped" or "no core". Whether a core was written, and where, is
# then up to the kernel's core_pattern, CMD's RLIMIT_CORE and whether CMD
# made itself non-dumpable (tests/vm/suites/keywipe.bats).
#
# Exit: 0 CMD died of the SIGSEGV, 1 it ended otherwise, 2 usage or CMD
# never read its input (no progress for 120 s: a hang guard, not a timing).

import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time


def pending(fd):
    return struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0"))[0]


def main():
    if len(sys.argv) < 3:
        print("usage: crash-holding.py FILE CMD...", file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    rd, wr = os.pipe()
    proc = subprocess.Popen(sys.argv[2:], stdin=rd)
    os.close(rd)
    os.write(wr, data)          # a table fits in the pipe's 64 KiB
    last, since = pending(wr), time.monotonic()
    while pending(wr) and proc.poll() is None:
        if pending(wr) != last:
            last, since = pending(wr), time.monotonic()
        elif time.monotonic() - since > 120:
            proc.kill()
            print("crash-holding: the command read nothing for 120 s", file=sys.stderr)
            return 2
        time.sleep(0.01)
    if proc.poll() is not None:
        print(f"crash-holding: the command ended before the crash ({proc.returncode})")
        return 1
    os.kill(proc.pid, signal.SIGSEGV)
    _, status = os.waitpid(proc.pid, 0)
    os.close(wr)
    if not os.WIFSIGNALED(status) or os.WTERMSIG(status) != signal.SIGSEGV:
        print(f"crash-holding: the command ended with status {status:#x}, not SIGSEGV")
        return 1
    print("core dumped" if os.WCOREDUMP(status) else "no core")
    return 0


sys.exit(main())
