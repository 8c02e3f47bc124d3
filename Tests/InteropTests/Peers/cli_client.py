#!/usr/bin/env python3
"""Gearman client: the `gearman` command line tool (gearman-tools), driven from Python.

Usage: cli_client.py HOST PORT SCENARIO ARGS...  (scenarios: see Peers/README.md)
Prints one JSON object per line.
What the tool cannot do:
- it prints WORK_DATA chunks and the result to stdout as one stream, so `data` is their
  concatenation and `chunks` is empty; WORK_STATUS only shows as "N% Complete" on stderr,
  so `statuses` holds those percentages;
- it never sends OPTION_REQ exceptions (`submit-exc` answers "unsupported") and has no
  GET_STATUS (`get-status` answers "unsupported");
- against a server whose WORK_FAIL handle does not match it waits forever: after
  TIMEOUT_SECONDS the result is "timeout".
"""
import json
import re
import subprocess
import sys

TIMEOUT_SECONDS = 15
PRIORITY_FLAGS = {"high": ["-I"], "normal": [], "low": ["-L"]}


def emit(obj):
    print(json.dumps(obj), flush=True)


def gearman(host, port, flags, payload):
    command = ["gearman", "-h", host, "-p", port] + flags
    try:
        return subprocess.run(command, input=payload, capture_output=True, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return None


def foreground(host, port, func, payload, unique=None):
    flags = ["-f", func] + (["-u", unique] if unique else [])
    done = gearman(host, port, flags, payload)
    if done is None:
        return {"result": "timeout"}
    stderr = done.stderr.decode(errors="replace")
    if done.returncode != 0:
        return {"result": "fail", "stderr": stderr.strip()}
    statuses = re.findall(r"(\d+)% Complete", stderr)
    return {"result": "complete", "data": done.stdout.hex(), "chunks": [], "statuses": [s + "%" for s in statuses]}


def background(host, port, func, payload, priority):
    done = gearman(host, port, ["-v", "-b", "-f", func] + PRIORITY_FLAGS[priority], payload)
    match = done and re.search(rb"Task created: (\S+)", done.stdout)
    if not match:
        raise SystemExit("cli_client: background submit failed: %r" % (done and done.stderr))
    return match.group(1).decode()


def main():
    host, port, scenario, args = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    if scenario == "submit":
        emit(foreground(host, port, args[0], bytes.fromhex(args[1])))
    elif scenario == "unique":
        emit(foreground(host, port, args[0], bytes.fromhex(args[1]), unique=args[2]))
    elif scenario == "background":
        emit({"result": "created", "handle": background(host, port, args[0], bytes.fromhex(args[1]), args[2])})
    elif scenario == "priorities":
        for tag in ("low1", "normal1", "high1", "low2", "normal2", "high2"):
            background(host, port, "record", ("%s|%s" % (args[0], tag)).encode(), tag[:-1])
        emit({"result": "submitted", "count": 6})
    elif scenario in ("submit-exc", "get-status"):
        emit({"result": "unsupported"})
    elif scenario == "large":
        size = int(args[0])
        payload = bytes(i % 251 for i in range(size))
        result = foreground(host, port, "echo", payload)
        data = bytes.fromhex(result.pop("data", ""))
        result.update(size=len(data), match=(data == payload))
        emit(result)
    else:
        raise SystemExit("cli_client: unknown scenario " + scenario)


if __name__ == "__main__":
    main()
