"""Interop peer (python `gear`).

  worker HOST PORT FUNCTION          serve one job: reply "gear:" + the reversed payload
  client HOST PORT FUNCTION PAYLOAD  submit in the foreground, print the result
"""
import sys
import threading

import gear

mode, host, port, function = sys.argv[1:5]
if mode == 'worker':
    worker = gear.Worker('peer-gear')
    worker.addServer(host, int(port))
    worker.waitForServer()
    worker.registerFunction(function)
    job = worker.getJob()
    job.sendWorkComplete(b'gear:' + job.arguments[::-1])
    worker.shutdown()
    sys.exit(0)


class Client(gear.Client):
    """Signals `finished` when a job completes or fails."""
    finished = threading.Event()

    def handleWorkComplete(self, packet):
        job = super().handleWorkComplete(packet)
        self.finished.set()
        return job

    def handleWorkFail(self, packet):
        job = super().handleWorkFail(packet)
        self.finished.set()
        return job


client = Client('peer-gear')
client.addServer(host, int(port))
client.waitForServer()
job = gear.Job(function.encode(), sys.argv[5].encode())
client.submitJob(job)
if not client.finished.wait(30) or job.failure:
    sys.exit('job failed')
sys.stdout.buffer.write(b''.join(job.data))
client.shutdown()
