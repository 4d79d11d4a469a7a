"""A worker's freed memory kept for its next chunk (glibc's allocator only).

A forked worker labels a chunk, frees it, and labels the next. With glibc's own settings the
arrays and output of a chunk went back to the system when freed and every page was faulted in
again for the next one: a worker of ``label --jobs 2`` took four times the page faults of one
process for the same passages, ~0.5 s of system CPU on 200,000 headlines (BENCHMARKS.md). Fixed
thresholds keep up to :data:`TRIM_BYTES` free at the top of the heap and serve blocks under
:data:`MMAP_BYTES` from it.
"""

from __future__ import annotations

__all__ = ["keep_heap", "TRIM_BYTES", "MMAP_BYTES"]

#: free memory at the top of the heap kept rather than returned (glibc ``M_TRIM_THRESHOLD``)
TRIM_BYTES = 64 << 20
#: blocks from this size up get their own mapping (glibc ``M_MMAP_THRESHOLD``; 32 MB is the
#: most glibc's own rule would reach: at 4 MB, one process labelling 20,000 passages of 150-300
#: characters took 193k page faults instead of 69k, its batches' arrays mapped and unmapped)
MMAP_BYTES = 32 << 20
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_heap() -> bool:
    """Set the two thresholds in this process; False where the C library is not glibc (its
    ``mallopt`` is then left alone, whatever it does there)."""
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        mallopt, _ = libc.mallopt, libc.gnu_get_libc_version  # the second exists only in glibc
    except (OSError, AttributeError, TypeError):  # no C library to load by None on Windows
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES)) and bool(mallopt(_M_MMAP_THRESHOLD, MMAP_BYTES))
