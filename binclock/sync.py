"""Is the system clock synchronised yet? A Pi has no RTC: after boot it may be stale."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

TIMESYNCD_FLAG = Path("/run/systemd/timesync/synchronized")
TIME_ERROR = 5  # adjtimex(2) returns this while the kernel marks the clock unsynchronised


@cache
def _adjtimex() -> Callable[[Any], int] | None:
    """libc's adjtimex, looked up once (finding libc by name runs ldconfig)."""
    import ctypes  # only when asked: most runs never need it

    try:
        return ctypes.CDLL(None, use_errno=True).adjtimex
    except (OSError, AttributeError):
        return None


def kernel_clock_state() -> int | None:
    """adjtimex(2)'s clock state (0 ok ... 5 error), read-only; None where it can't be asked
    (no libc, or a system-call filter such as systemd's ProtectClock= refuses it)."""
    import ctypes

    adjtimex = _adjtimex()
    if adjtimex is None:
        return None
    timex = ctypes.create_string_buffer(512)  # larger than struct timex; modes = 0: read only
    state = adjtimex(timex)
    return state if state >= 0 else None


class SyncCheck:
    """systemd-timesyncd's flag file says synced, and its directory without the flag says not
    yet; otherwise the kernel's NTP state (chrony, ntpd) decides."""

    def __init__(
        self,
        flag: Path = TIMESYNCD_FLAG,
        kernel_state: Callable[[], int | None] = kernel_clock_state,
    ) -> None:
        self.flag = flag
        self.kernel_state = kernel_state

    def state(self) -> bool | None:
        """True when synchronised, False when not yet, None when nothing here can tell."""
        if self.flag.exists():
            return True
        if self.flag.parent.is_dir():
            return False  # timesyncd runs and has not synchronised yet
        kernel = self.kernel_state()
        return None if kernel is None else kernel != TIME_ERROR

    def synchronised(self) -> bool:
        return self.state() is True
