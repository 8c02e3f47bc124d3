"""Interop peer (python `gearman3`, the python-gearman API).

  worker HOST PORT FUNCTION          serve one job: reply "gearman3:" + the reversed payload
  client HOST PORT FUNCTION PAYLOAD  submit in the foreground, print the result
"""
import array
import sys
import types

import gearman
import gearman.connection


class _Buffer(array.array):
    """gearman3 0.2.1 reads with array.fromstring, which Python 3.9 removed."""
    fromstring = array.array.frombytes

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return _Buffer(self.typecode, item) if isinstance(index, slice) else item


gearman.connection.array = types.SimpleNamespace(array=_Buffer)

mode, host, port, function = sys.argv[1:5]
server = '%s:%s' % (host, port)
if mode == 'worker':
    class Worker(gearman.GearmanWorker):
        """Leaves the work loop after the first job."""
        def after_job(self):
            return False

    worker = Worker([server])
    # gearman3 matches assigned function names as bytes.
    worker.register_task(function.encode(), lambda worker, job: b'gearman3:' + job.data[::-1])
    worker.work(poll_timeout=1)
    sys.exit(0)

client = gearman.GearmanClient([server])
request = client.submit_job(function, sys.argv[5], poll_timeout=30)
if request.state != gearman.JOB_COMPLETE:
    sys.exit('job state %s' % request.state)
sys.stdout.buffer.write(request.result)
