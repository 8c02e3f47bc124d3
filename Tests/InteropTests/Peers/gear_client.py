#!/usr/bin/env python3
"""Gearman client built on python `gear` (gear.Client).

Usage: gear_client.py HOST PORT SCENARIO ARGS...  (scenarios: see Peers/README.md)
Prints one JSON object per line.
gear keeps only the latest WORK_STATUS, so `statuses` holds just the last one.
"""
import json
import sys
import time

import gear

DEADLINE_SECONDS = 60
PRECEDENCE = {
    "high": gear.PRECEDENCE_HIGH,
    "normal": gear.PRECEDENCE_NORMAL,
    "low": gear.PRECEDENCE_LOW,
}


def emit(obj):
    print(json.dumps(obj), flush=True)


def connect(host, port, exceptions=False):
    client = gear.Client("interop-gear-client")
    client.addServer(host, int(port))
    client.waitForServer(timeout=10)
    if exceptions:
        client.setOption("exceptions")
    return client


def wait_until(predicate):
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not predicate():
        if time.monotonic() > deadline:
            raise SystemExit("gear_client: timed out")
        time.sleep(0.01)


def run_foreground(client, func, payload, unique=None, precedence="normal"):
    job = gear.Job(func, payload, unique=unique)
    client.submitJob(job, precedence=PRECEDENCE[precedence])
    wait_until(lambda: job.complete)
    result = {"handle": job.handle.decode()}
    if job.exception is not None:
        result.update(result="exception", data=job.exception.hex())
    elif job.failure:
        result.update(result="fail")
    else:
        chunks = list(job.data)
        final = chunks.pop() if chunks else b""
        result.update(result="complete", data=final.hex(), chunks=[c.hex() for c in chunks])
    if job.numerator is not None:
        result["statuses"] = ["%s/%s" % (job.numerator.decode(), job.denominator.decode())]
    return result


def submit_background(client, func, payload, precedence):
    job = gear.Job(func, payload)
    client.submitJob(job, background=True, precedence=PRECEDENCE[precedence])
    return job


def get_status(client, handle, connection):
    job = gear.Job("status-probe", b"")
    job.handle = handle
    connection.related_jobs[handle] = job
    job.known = None
    client.sendPacket(gear.Packet(gear.constants.REQ, gear.constants.GET_STATUS, handle), connection)
    wait_until(lambda: job.known is not None)
    return {
        "known": job.known,
        "running": job.running,
        "numerator": int(job.numerator or 0),
        "denominator": int(job.denominator or 0),
    }


def main():
    host, port, scenario, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    client = connect(host, port, exceptions=(scenario == "submit-exc"))
    if scenario in ("submit", "submit-exc"):
        emit(run_foreground(client, args[0], bytes.fromhex(args[1])))
    elif scenario == "unique":
        emit(run_foreground(client, args[0], bytes.fromhex(args[1]), unique=args[2]))
    elif scenario == "background":
        job = submit_background(client, args[0], bytes.fromhex(args[1]), args[2])
        emit({"result": "created", "handle": job.handle.decode()})
    elif scenario == "priorities":
        for tag in ("low1", "normal1", "high1", "low2", "normal2", "high2"):
            submit_background(client, "record", ("%s|%s" % (args[0], tag)).encode(), tag[:-1])
        emit({"result": "submitted", "count": 6})
    elif scenario == "get-status":
        job = submit_background(client, args[0], bytes.fromhex(args[1]), "normal")
        emit(dict(query="queued", **get_status(client, job.handle, job.connection)))
        emit(dict(query="unknown", **get_status(client, b"H:nosuchhost:999999", job.connection)))
    elif scenario == "large":
        size = int(args[0])
        payload = bytes(i % 251 for i in range(size))
        result = run_foreground(client, "echo", payload)
        data = bytes.fromhex(result.pop("data", ""))
        result.update(size=len(data), match=(data == payload))
        emit(result)
    else:
        raise SystemExit("gear_client: unknown scenario " + scenario)
    client.shutdown()


if __name__ == "__main__":
    main()
