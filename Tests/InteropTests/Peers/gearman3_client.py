#!/usr/bin/env python3
"""Gearman client built on python `gearman3` (python-gearman API: GearmanClient).

Usage: gearman3_client.py HOST PORT SCENARIO ARGS...  (scenarios: see Peers/README.md)
Prints one JSON object per line.
gearman3 never sends OPTION_REQ exceptions, so `submit-exc` behaves like `submit`
(the client still understands WORK_EXCEPTION if a server sends it).
"""
import json
import sys

import gearman
import gearman3_compat  # noqa: F401  (must follow gearman)

POLL_TIMEOUT = 60
PRIORITY = {"high": gearman.PRIORITY_HIGH, "normal": gearman.PRIORITY_NONE, "low": gearman.PRIORITY_LOW}


def emit(obj):
    print(json.dumps(obj), flush=True)


def as_bytes(data):
    return data if isinstance(data, bytes) else (data or "").encode()


def foreground(client, func, payload, unique=None):
    request = client.submit_job(func, payload, unique=unique, poll_timeout=POLL_TIMEOUT)
    if request.timed_out:
        raise SystemExit("gearman3_client: timed out")
    result = {"handle": as_bytes(request.job.handle).decode()}
    if request.exception is not None:
        result.update(result="exception", data=as_bytes(request.exception).hex())
    elif request.state == gearman.constants.JOB_FAILED:
        result.update(result="fail")
    else:
        result.update(
            result="complete",
            data=as_bytes(request.result).hex(),
            chunks=[as_bytes(c).hex() for c in request.data_updates],
        )
    if request.status:
        result["statuses"] = ["%d/%d" % (request.status["numerator"], request.status["denominator"])]
    return result


def background(client, func, payload, priority):
    return client.submit_job(
        func, payload, priority=PRIORITY[priority], background=True, poll_timeout=POLL_TIMEOUT
    )


def main():
    host, port, scenario, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    client = gearman.GearmanClient(["%s:%s" % (host, port)])
    if scenario in ("submit", "submit-exc"):
        emit(foreground(client, args[0], bytes.fromhex(args[1])))
    elif scenario == "unique":
        emit(foreground(client, args[0], bytes.fromhex(args[1]), unique=args[2]))
    elif scenario == "background":
        request = background(client, args[0], bytes.fromhex(args[1]), args[2])
        emit({"result": "created", "handle": as_bytes(request.job.handle).decode()})
    elif scenario == "priorities":
        for tag in ("low1", "normal1", "high1", "low2", "normal2", "high2"):
            background(client, "record", ("%s|%s" % (args[0], tag)).encode(), tag[:-1])
        emit({"result": "submitted", "count": 6})
    elif scenario == "get-status":
        request = background(client, args[0], bytes.fromhex(args[1]), "normal")
        status = client.get_job_status(request, poll_timeout=POLL_TIMEOUT).status
        emit({
            "query": "queued",
            "known": status["known"],
            "running": status["running"],
            "numerator": status["numerator"],
            "denominator": status["denominator"],
        })
    elif scenario == "large":
        size = int(args[0])
        payload = bytes(i % 251 for i in range(size))
        result = foreground(client, "echo", payload)
        data = bytes.fromhex(result.pop("data", ""))
        result.update(size=len(data), match=(data == payload))
        emit(result)
    else:
        raise SystemExit("gearman3_client: unknown scenario " + scenario)


if __name__ == "__main__":
    main()
