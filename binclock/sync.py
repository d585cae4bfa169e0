"""Is the system clock synchronised yet? A Pi has no RTC: after boot it may be stale."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

TIMESYNCD_FLAG = Path("/run/systemd/timesync/synchronized")
TIME_ERROR = 5  # adjtimex(2) returns this while the kernel marks the clock unsynchronised


def kernel_clock_state() -> int | None:
    """adjtimex(2)'s clock state (0 ok ... 5 error), read-only; None where it can't be asked."""
    import ctypes  # only when asked: most runs never need it
    import ctypes.util

    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        timex = ctypes.create_string_buffer(512)  # larger than struct timex; modes = 0: read only
        state = libc.adjtimex(timex)
    except (OSError, AttributeError):
        return None
    return state if state >= 0 else None


class SyncCheck:
    """systemd-timesyncd's flag file says synced; otherwise ask the kernel (chrony, ntpd)."""

    def __init__(
        self,
        flag: Path = TIMESYNCD_FLAG,
        kernel_state: Callable[[], int | None] = kernel_clock_state,
    ) -> None:
        self.flag = flag
        self.kernel_state = kernel_state

    def synchronised(self) -> bool:
        if self.flag.exists():
            return True
        state = self.kernel_state()
        return state is not None and state != TIME_ERROR
