#!/usr/bin/env python3
"""Gearman worker: `gearman -w` (gearman-tools), one process per function, run from Python.

Usage: cli_worker.py HOST PORT      Functions: see Peers/README.md.
`gearman -w` pipes the payload into a command and returns its stdout; a non-zero exit
status becomes WORK_FAIL. It cannot send WORK_EXCEPTION or WORK_STATUS, so `exception`
and `status` are not registered. `gearman -w` ignores SIGTERM, so its processes get SIGKILL
when this one ends, and this one ends as soon as one of them exits.
"""
import ctypes
import os
import signal
import subprocess
import sys

PR_SET_PDEATHSIG = 1

FUNCTIONS = {
    "reverse": ["python3", "-c", "import sys; sys.stdout.buffer.write(sys.stdin.buffer.read()[::-1])"],
    "echo": ["cat"],
    "fail": ["false"],
    "slow": ["sh", "-c", "sleep 2; od -An -N8 -tx1 /dev/urandom | tr -d ' \\n'"],
    "record": ["sh", "-c", 'IFS="|" read -r path tag; printf "%s\\n" "$tag" >> "$path"; printf ok'],
}


def die_with_parent():
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def main():
    host, port = sys.argv[1], sys.argv[2]
    children = [
        subprocess.Popen(
            ["gearman", "-w", "-h", host, "-p", port, "-f", name, "--"] + command,
            preexec_fn=die_with_parent,
        )
        for name, command in FUNCTIONS.items()
    ]

    def stop_children():
        for child in children:
            child.kill()

    def on_signal(signum, frame):
        stop_children()
        os._exit(0)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    os.wait()
    stop_children()
    sys.exit("cli_worker: a gearman -w process exited")


if __name__ == "__main__":
    main()
