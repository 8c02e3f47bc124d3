"""One job through a Gearman server with the Python `gear` library, over TLS when certificate paths are given.

usage: gear_roundtrip.py PORT FUNCTION [KEY CERT CA]

A worker registers FUNCTION and answers each job with its arguments reversed; a client submits one job and
prints the result. Exits 0 when the result is right, 3 when the server refused the submission (an ERROR, as an
ACL sends), 2 when the job failed, 1 on anything else. Every wait is bounded.
"""
import sys
import threading
import time

import gear

port = int(sys.argv[1])
function = sys.argv[2]
ssl_files = sys.argv[3:6] if len(sys.argv) >= 6 else [None, None, None]
deadline = time.time() + 20


def serve():
    worker = gear.Worker("py-worker")
    worker.addServer("127.0.0.1", port, *ssl_files)
    worker.waitForServer()
    worker.registerFunction(function)
    while time.time() < deadline:
        try:
            job = worker.getJob()
        except gear.InterruptedError:
            return
        job.sendWorkComplete(job.arguments[::-1])


threading.Thread(target=serve, daemon=True).start()
client = gear.Client("py-client")
client.addServer("127.0.0.1", port, *ssl_files)
client.waitForServer()
job = gear.Job(function.encode(), b"gearman")
try:
    client.submitJob(job, timeout=10)
except gear.GearmanError as error:
    print("refused: %s" % error)
    sys.exit(3)
while not job.complete and time.time() < deadline:
    time.sleep(0.01)
print("complete=%s failure=%s data=%r" % (job.complete, job.failure, job.data))
if job.complete and not job.failure and job.data == [b"namraeg"]:
    sys.exit(0)
sys.exit(2 if job.failure else 1)
