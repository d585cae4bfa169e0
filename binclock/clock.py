"""Time sources. Everything that needs "now" or a sleep gets one of these injected."""

from __future__ import annotations

import os
import time
from datetime import datetime, tzinfo
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

LOCALTIME = Path("/etc/localtime")


def local_zone(tz_env: str | None = None, localtime: Path = LOCALTIME) -> tzinfo:
    """The system's time zone as a real zone (with its DST rules), not a fixed offset.

    ``$TZ`` wins, then ``/etc/localtime``; UTC when neither names a zone.
    """
    name = (tz_env if tz_env is not None else os.environ.get("TZ", "")).lstrip(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    try:
        target = str(localtime.resolve())
        if "zoneinfo/" in target:
            return ZoneInfo(target.split("zoneinfo/", 1)[1])
    except (OSError, ZoneInfoNotFoundError, ValueError):
        pass
    try:
        with localtime.open("rb") as f:
            return ZoneInfo.from_file(f, key="localtime")
    except (OSError, ValueError):
        return ZoneInfo("UTC")


class Clock(Protocol):
    """Wall time, a way to wait, and the zone local times are in."""

    tz: tzinfo

    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...

    def now(self) -> datetime: ...


class SystemClock:
    """The wall clock in time zone ``tz``."""

    # Seconds since the epoch (wall clock, may step): time.time itself, with no Python
    # frame around it, as the ticker reads it at every wake.
    time = staticmethod(time.time)

    def __init__(self, tz: tzinfo) -> None:
        self.tz = tz

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.time(), self.tz)


class OffsetClock(SystemClock):
    """The wall clock shifted to start at a chosen moment (``--at`` without ``--once``)."""

    def __init__(self, tz: tzinfo, start: datetime) -> None:
        super().__init__(tz)
        self.offset = start.timestamp() - time.time()

    def time(self) -> float:
        return time.time() + self.offset


class ManualClock:
    """A clock that moves only when told to: for tests of ticking, DST and clock steps.

    ``sleep`` advances it, as a real sleep would let the wall clock advance.
    """

    def __init__(self, start: datetime | float, tz: tzinfo | None = None) -> None:
        if isinstance(start, datetime):
            self.tz: tzinfo = tz or start.tzinfo or ZoneInfo("UTC")
            self._now = start.timestamp()
        else:
            self.tz = tz or ZoneInfo("UTC")
            self._now = float(start)
        self.sleeps: list[float] = []

    def time(self) -> float:
        return self._now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self._now += max(seconds, 0.0)

    def now(self) -> datetime:
        return datetime.fromtimestamp(self._now, self.tz)

    def step(self, seconds: float) -> None:
        """Jump the wall clock (NTP step, ``date -s``, resume from suspend)."""
        self._now += seconds
