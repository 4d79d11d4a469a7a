"""trendscore.run.heap: a forked worker keeps its freed memory for the next chunk."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from trendscore.run import chunks, heap

# frees 30 blocks of 600 kB twice and prints the page faults of touching them again
_PROBE = """
import ctypes, resource, sys
from trendscore.run.heap import keep_heap
if sys.argv[1] == "keep":
    assert keep_heap()
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
def touch_and_free():
    blocks = [libc.malloc(600_000) for _ in range(30)]
    for b in blocks:
        ctypes.memset(b, 1, 600_000)
    for b in reversed(blocks):
        libc.free(b)
touch_and_free()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
touch_and_free()
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


@pytest.mark.skipif(platform.system() != "Linux" or not platform.libc_ver()[0] == "glibc", reason="glibc only")
def test_freed_blocks_are_reused_without_new_page_faults():
    """With glibc's own settings the 18 MB freed at the top of the heap went back to the system
    and were faulted in again (~4,400 pages); kept, they are reused (a handful of faults)."""

    def faults(mode):
        run = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, check=True)
        return int(run.stdout)

    assert faults("default") > 2_000
    assert faults("keep") < 200


def test_a_forked_worker_keeps_its_heap(monkeypatch):
    """worker_setup, which every forked worker runs before its first chunk, sets the thresholds."""
    calls = []
    monkeypatch.setattr(heap, "keep_heap", lambda: calls.append(1) or True)
    state = chunks.WorkerState(None, chunks.Work())
    assert chunks.worker_setup(state) is state
    assert calls == [1]
