"""Binclock's standard output, which one display may draw on: whether its reader left."""

from __future__ import annotations

import os
import select
import stat
from collections.abc import Callable

STDOUT = 1


def reader_watch(fd: int = STDOUT) -> Callable[[], bool] | None:
    """What tells at once, without writing, whether the reader at the other end of ``fd``
    went away: the reader of a pipe (``binclock | head -1``), or a terminal that hung up
    (its window closed, its ssh connection lost). None for a file, which has no reader to
    lose (and asking would be a system call a second for nothing).

    A display that draws only when its picture changes (a date, a terminal clock without
    seconds, a display turned off) may write nothing for hours, so a write failing is no
    way to learn that the reader is gone.
    """
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        return None
    # A terminal is a character device (os.isatty says no once it has hung up).
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        return None
    watch = select.poll()
    watch.register(fd, 0)  # POLLERR (no reader left) and POLLHUP come whatever is asked
    return lambda: bool(watch.poll(0))
