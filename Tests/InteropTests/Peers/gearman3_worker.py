#!/usr/bin/env python3
"""Gearman worker built on python `gearman3` (python-gearman API: GearmanWorker).

Usage: gearman3_worker.py HOST PORT
Functions: see Peers/README.md.
GearmanWorker.send_job_exception always follows WORK_EXCEPTION with a WORK_FAIL, so
`exception` sends the single WORK_EXCEPTION packet through the connection's handler.
"""
import os
import sys
import time

import gearman
import gearman3_compat  # noqa: F401  (must follow gearman)

SLOW_SECONDS = 2


class WorkException(Exception):
    pass


class Worker(gearman.GearmanWorker):
    def on_job_exception(self, current_job, exc_info):
        if isinstance(exc_info[1], WorkException):
            self._get_handler_for_job(current_job).send_job_exception(current_job, b"boom")
            self.wait_until_updates_sent([current_job])
            return False
        return super().on_job_exception(current_job, exc_info)


def fail(worker, job):
    raise RuntimeError("fail")


def exception(worker, job):
    raise WorkException()


def status(worker, job):
    worker.send_job_status(job, 1, 2)
    worker.send_job_data(job, b"chunk1")
    worker.send_job_status(job, 2, 2)
    worker.send_job_data(job, b"chunk2")
    return b"done"


def slow(worker, job):
    time.sleep(SLOW_SECONDS)
    return os.urandom(8).hex().encode()


def record(worker, job):
    path, tag = job.data.split(b"|", 1)
    with open(path, "ab") as f:
        f.write(tag + b"\n")
    return b"ok"


def main():
    worker = Worker(["%s:%s" % (sys.argv[1], sys.argv[2])])
    worker.set_client_id("interop-gearman3-worker")
    worker.register_task(b"reverse", lambda w, job: job.data[::-1])
    worker.register_task(b"echo", lambda w, job: job.data)
    worker.register_task(b"fail", fail)
    worker.register_task(b"exception", exception)
    worker.register_task(b"status", status)
    worker.register_task(b"slow", slow)
    worker.register_task(b"record", record)
    worker.work()


if __name__ == "__main__":
    main()
