"""Run a clock process in a pseudo-terminal and timestamp what it draws (benchmark helper)."""

from __future__ import annotations

import fcntl
import os
import re
import select
import signal
import struct
import subprocess
import termios
import time
from dataclasses import dataclass, field
from pathlib import Path

CAPTION = re.compile(rb"(\d\d):(\d\d):(\d\d)")
ENV = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "TZ": "UTC", "HOME": "/nonexistent"}


@dataclass
class Arrival:
    """A write from the clock: when it arrived and the second its caption showed."""

    at: float
    shown: int


@dataclass
class PtyClock:
    """A process whose stdout is a 80x24 pseudo-terminal we read and timestamp; its stdin
    too, or (``keyboard=False``) nothing."""

    argv: list[str]
    name: str = ""
    keyboard: bool = True
    arrivals: list[Arrival] = field(default_factory=list)
    first_output: float | None = None

    def start(self) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
        self.started = time.time()
        self.proc = subprocess.Popen(
            self.argv,
            stdin=slave if self.keyboard else subprocess.DEVNULL,
            stdout=slave,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **ENV},
            start_new_session=True,
        )
        os.close(slave)

    def take(self, data: bytes, arrived: float) -> None:
        """Note one read: the second its last caption shows, and when it arrived."""
        if self.first_output is None:
            self.first_output = arrived
        for h, m, s in CAPTION.findall(data)[-1:]:
            day = arrived - arrived % 86400
            shown = int(day + int(h) * 3600 + int(m) * 60 + int(s))
            if shown - arrived > 43200:  # just after midnight, the caption is yesterday's
                shown -= 86400
            self.arrivals.append(Arrival(arrived, shown))

    def cpu_ns(self) -> int:
        return cpu_ns(self.proc.pid)

    def rss_kib(self) -> int:
        return rss_kib(self.proc.pid)

    def stop(self) -> int:
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        os.close(self.master)
        return code


def cpu_ns(pid: int) -> int:
    """Nanoseconds the process has run on a CPU, all its threads together, ended ones too:
    its process CPU-time clock, as clock_getcpuclockid(3) names it. (/proc/PID/schedstat
    counts the main thread alone, and misses a server's or a bridge's worker threads.)"""
    return time.clock_gettime_ns(((~pid) << 3) | 2)  # CPUCLOCK_SCHED of the whole process


def status_kib(pid: int, fields: tuple[str, ...]) -> list[int]:
    """The process's ``fields`` of /proc/PID/status (such as ``"VmRSS:"``) in KiB, read at
    once; 0 for a field it does not have."""
    kib = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(fields):
            kib[line.split()[0]] = int(line.split()[1])
    return [kib.get(field, 0) for field in fields]


def rss_kib(pid: int) -> int:
    """The process's resident memory."""
    return status_kib(pid, ("VmRSS:",))[0]


def read_until(clocks: list[PtyClock], deadline: float) -> None:
    """Read every clock's output as it arrives, timestamped, until ``deadline``."""
    by_fd = {c.master: c for c in clocks}
    while by_fd and (left := deadline - time.time()) > 0:
        ready, _, _ = select.select(list(by_fd), [], [], left)
        arrived = time.time()
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:
                del by_fd[fd]
                continue
            by_fd[fd].take(data, arrived)
