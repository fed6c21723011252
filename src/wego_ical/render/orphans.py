"""Worker processes never outlive the build that started them.

A build killed with SIGKILL cannot stop its workers itself; on Linux the kernel
does it for them (``PR_SET_PDEATHSIG``): each worker asks, as it starts, to be
killed when its parent ends. Elsewhere (workers are forked on Linux only) a
worker started after its parent ended exits at once; no later check is made.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

# prctl(2): the signal a process gets when its parent ends.
_PR_SET_PDEATHSIG = 1


def end_with_parent() -> None:
    """Have this process killed when its parent ends; end it now if that happened
    already (between the fork and this call)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass  # no prctl: the check below still catches a parent already gone
    if parent == 1 or os.getppid() != parent:
        os._exit(1)
