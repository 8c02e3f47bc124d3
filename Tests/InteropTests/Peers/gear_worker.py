#!/usr/bin/env python3
"""Gearman worker built on python `gear` (gear.Worker).

Usage: gear_worker.py HOST PORT
Functions: see Peers/README.md.
"""
import os
import sys
import time

import gear

SLOW_SECONDS = 2


def record(payload):
    path, tag = payload.split(b"|", 1)
    with open(path, "ab") as f:
        f.write(tag + b"\n")


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    worker = gear.Worker("interop-gear-worker")
    worker.addServer(host, port)
    worker.waitForServer(timeout=10)
    for name in ("reverse", "echo", "fail", "exception", "status", "slow", "record"):
        worker.registerFunction(name)
    while True:
        job = worker.getJob()
        name, data = job.name, job.arguments
        if name == "reverse":
            job.sendWorkComplete(data[::-1])
        elif name == "echo":
            job.sendWorkComplete(data)
        elif name == "fail":
            job.sendWorkFail()
        elif name == "exception":
            job.sendWorkException(b"boom")
        elif name == "status":
            job.sendWorkStatus(1, 2)
            job.sendWorkData(b"chunk1")
            job.sendWorkStatus(2, 2)
            job.sendWorkData(b"chunk2")
            job.sendWorkComplete(b"done")
        elif name == "slow":
            time.sleep(SLOW_SECONDS)
            job.sendWorkComplete(os.urandom(8).hex().encode())
        elif name == "record":
            record(data)
            job.sendWorkComplete(b"ok")


if __name__ == "__main__":
    main()
