"""Makes gearman3 0.2.1 (the latest release) work on current Python 3.

Two Python 3 porting bugs of the library, not of any server:
- it calls array.array.fromstring, which Python 3.9 removed: its connection module gets
  an array type that still has it (slices included);
- STATUS_RES `known`/`running` arrive as bytes but are compared with the str '1', so
  they always read False: they are decoded first.
Import right after gearman.
"""
import array
import types

import gearman.client_handler
import gearman.connection


class _Array(array.array):
    def fromstring(self, data):
        self.frombytes(data)

    def __getitem__(self, index):
        item = super().__getitem__(index)
        return _Array(self.typecode, item) if isinstance(index, slice) else item


gearman.connection.array = types.SimpleNamespace(array=_Array)

_recv_status_res = gearman.client_handler.GearmanClientCommandHandler.recv_status_res


def _recv_status_res_decoded(self, job_handle, known, running, numerator, denominator):
    return _recv_status_res(self, job_handle, known.decode(), running.decode(), numerator, denominator)


gearman.client_handler.GearmanClientCommandHandler.recv_status_res = _recv_status_res_decoded
